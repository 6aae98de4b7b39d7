/**
 * The CLI's mask: what `core.setSecret` is to an action. Domain code hands
 * every value that must never be printed to its Logger's `secret` (a NoEcho
 * parameter, a secret stack output), the CLI adds the credentials it was
 * given for a real account, and every line the CLI writes, progress and
 * summary alike, shows such a value as `***`.
 */
import type { Io } from './io.js';

export interface Redactor {
  /** Registers a value (and each line of it) that must never be printed. */
  add(value: string): void;
  /** `text` with every registered value replaced by `***`. */
  redact(text: string): string;
}

/** An empty mask. */
export function newRedactor(): Redactor {
  const secrets = new Set<string>();
  return {
    add(value) {
      for (const piece of [value, ...value.split(/\r?\n/)]) if (piece.trim() !== '') secrets.add(piece);
    },
    redact(text) {
      let out = text;
      // Longest first: a secret that contains another is masked whole, not around the shorter one.
      for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
      return out;
    },
  };
}

/** `io` with everything written to stdout and stderr passed through `redactor`. */
export function redactingIo(io: Io, redactor: Redactor): Io {
  return {
    ...io,
    stdout: (text) => io.stdout(redactor.redact(text)),
    stderr: (text) => io.stderr(redactor.redact(text)),
  };
}
