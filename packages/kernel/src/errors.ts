/**
 * Errors that end an operation. Every failure is reported as one line; these
 * classes carry what that line needs (which input or field, what to do next)
 * and a machine-readable `kind`, so callers branch on `kind`, never on text.
 */
import { awsErrorName } from './aws-errors.js';
import { boundedLine } from './format.js';

/** What went wrong, for callers that branch on it (exit codes, summaries, retries). */
export type ErrorKind =
  /** An action input or CLI flag was wrong; nothing was changed. */
  | 'invalid-input'
  /** A field of a domain request was wrong; nothing was changed. */
  | 'invalid-request'
  /** The operation ran and failed; `hint` says what to do next. */
  | 'failed'
  /** The job was cancelled and the operation stopped on purpose. */
  | 'cancelled'
  /** A bounded wait ran out. A timeout is always a failure. */
  | 'timeout';

/** The base of every error this project throws on purpose. */
export abstract class KernelError extends Error {
  abstract readonly kind: ErrorKind;
}

/** A problem with one action input or CLI flag. The message always names it. */
export class InputError extends KernelError {
  override readonly name = 'InputError';
  readonly kind = 'invalid-input';
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`Input '${input}' ${problem}`);
  }
}

/**
 * A problem with one field of a domain request. Domain packages know their
 * request, not the action input or CLI flag that filled it: the caller turns
 * `field` into the name its user typed (see `InputError`).
 */
export class InvalidRequestError extends KernelError {
  override readonly name = 'InvalidRequestError';
  readonly kind = 'invalid-request';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`'${field}' ${problem}`);
  }
}

/** A failure the user can act on; `hint` says what to do. */
export class ActionError extends KernelError {
  override readonly name: string = 'ActionError';
  /** 'failed', unless a subclass says the failure is a cancellation or a timeout. */
  readonly kind: ErrorKind = 'failed';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}. ${hint}` : message);
  }
}

/** The job was cancelled (SIGINT/SIGTERM) and the operation stopped on purpose. */
export class CancelledError extends KernelError {
  override readonly name = 'CancelledError';
  readonly kind = 'cancelled';
  constructor(readonly signal?: NodeJS.Signals) {
    super(signal ? `Cancelled by ${signal}` : 'Cancelled');
  }
}

/** A bounded wait ran out. A timeout is always a failure. */
export class TimeoutError extends KernelError {
  override readonly name = 'TimeoutError';
  readonly kind = 'timeout';
}

/** The kind of a thrown value, when it is one of ours (or an abort, which is a cancellation). */
export function errorKind(thrown: unknown): ErrorKind | undefined {
  if (thrown instanceof KernelError) return thrown.kind;
  if (thrown instanceof Error && thrown.name === 'AbortError') return 'cancelled';
  return undefined;
}

/** True when `thrown` says the work stopped because it was cancelled. */
export function isCancellation(thrown: unknown): boolean {
  return errorKind(thrown) === 'cancelled';
}

/**
 * Turns any thrown value into one readable line: AWS SDK errors keep their
 * error code, strings pass through, anything else is stringified.
 */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof KernelError) return oneLine(thrown.message);
  if (thrown instanceof Error) {
    const code = awsErrorName(thrown);
    const text = thrown.message.trim() || thrown.name;
    return oneLine(code && code !== 'Error' && !text.startsWith(code) ? `${code}: ${text}` : text);
  }
  if (typeof thrown === 'string') return oneLine(thrown);
  try {
    return oneLine(JSON.stringify(thrown) ?? String(thrown));
  } catch {
    return oneLine(String(thrown));
  }
}

/** One line of bounded length (see `boundedLine`): an error line never carries a whole pasted value. */
function oneLine(text: string): string {
  return boundedLine(text.replace(/\s*\n\s*/g, ' ').trim());
}
