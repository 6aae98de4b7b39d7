/**
 * Typed input readers. Each reads one `INPUT_*` variable from the environment
 * it is given, the way the runner sets it, validates it and throws an
 * InputError that names the input. An action reads all its inputs once, in
 * its `readInputs(env)`.
 *
 * action.yml is the only source of defaults: an input that has a default
 * there is read with a reader that keeps none of its own (`defaulted`,
 * `boolean`, `choice`, `duration`, `matching`). The runner always sets such an
 * input, so a missing variable is the caller's error, never a second default.
 *
 * Free of `@actions/core` (subpath `@img-mgr/action-kit/inputs`), so that a
 * bundle can check its inputs before it loads anything else.
 */
import {
  ActionError,
  hasUrlCredentials,
  InputError,
  keyValueMap,
  KeyValueSyntaxError,
  parseDuration,
  quoteWhole,
  URL_CREDENTIALS_PROBLEM,
  type Env,
  type KeyValueOptions,
} from '@img-mgr/kernel';
export { quoteWhole };

const TRUE = ['true', 'yes', '1', 'on'];
/**
 * The longest wait any input may ask for (7 days; a GitHub job ends after 6 hours, a self-hosted one after
 * 5 days). Node's timers fire at once past 2^31-1 ms, so an unbounded `timeout: 9999999h` would end a bake at once.
 */
export const MAX_WAIT_MS = 7 * 24 * 3_600_000;
const FALSE = ['false', 'no', '0', 'off'];

/** The variable the runner sets for an input, named as `@actions/core` names it. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

interface StringOptions {
  /** Fails when the input is empty. */
  required?: boolean;
  /** The value must match; `patternHint` describes it in the error. */
  pattern?: RegExp;
  patternHint?: string;
  maxLength?: number;
}

/** The readers of the inputs in `env`. */
export class EnvInputs {
  constructor(private readonly env: Env) {}

  /** The value with surrounding whitespace removed; '' when unset (as `core.getInput`). */
  raw(name: string): string {
    return (this.env[inputVariable(name)] ?? '').trim();
  }

  /**
   * The value of an input that action.yml gives a default. Unset is an
   * ActionError (the runner always sets it); empty is an InputError, unless
   * `emptyAllowed` (an empty list may mean "none").
   */
  defaulted(name: string, options: { emptyAllowed?: boolean } = {}): string {
    const value = this.env[inputVariable(name)];
    if (value === undefined) {
      throw new ActionError(
        `Input '${name}' was not set, though action.yml gives it a default`,
        `Run the action through a runner, which sets every input, or set ${inputVariable(name)}`,
      );
    }
    if (value.trim() === '' && !options.emptyAllowed) {
      throw new InputError(name, 'is empty; give a value, or leave it out of with: to get its default from action.yml');
    }
    return checkedText(name, value.trim());
  }

  /** An input without a default: undefined when empty, unless required. */
  string(name: string, options: StringOptions & { required: true }): string;
  string(name: string, options?: StringOptions): string | undefined;
  string(name: string, options: StringOptions = {}): string | undefined {
    const value = this.raw(name);
    if (value === '') {
      if (options.required) throw new InputError(name, 'is required but was not set');
      return undefined;
    }
    checkedText(name, value);
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      throw new InputError(name, `is ${value.length} characters long; the limit is ${options.maxLength}`);
    }
    if (options.pattern && !options.pattern.test(value)) {
      const hint = options.patternHint ?? `must match ${String(options.pattern)}`;
      throw new InputError(name, `has an invalid value ${quoteWhole(value)}: ${hint}`);
    }
    return value;
  }

  /** A defaulted input that must match `pattern` (`hint` says what it must be). */
  matching(name: string, pattern: RegExp, hint: string): string {
    const value = this.defaulted(name);
    if (!pattern.test(value)) throw new InputError(name, `has an invalid value ${quoteWhole(value)}: ${hint}`);
    return value;
  }

  /** Items separated by newlines or commas; blank items and `#` lines dropped. */
  list(name: string, options: { defaulted?: boolean } = {}): string[] {
    const text = options.defaulted ? this.defaulted(name, { emptyAllowed: true }) : checkedText(name, this.raw(name));
    return splitList(text);
  }

  /** A defaulted true/false, yes/no, 1/0, on/off (any case). */
  boolean(name: string): boolean {
    return parseBoolean(this.defaulted(name), name);
  }

  /** Like `boolean`, for an input without a default: undefined when empty. */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : parseBoolean(value, name);
  }

  /** A whole number within bounds: defaulted when `defaulted`, else undefined when empty. */
  integer(name: string, bounds: { min?: number; max?: number; defaulted: true }): number;
  integer(name: string, bounds?: { min?: number; max?: number; defaulted?: boolean }): number | undefined;
  integer(name: string, bounds: { min?: number; max?: number; defaulted?: boolean } = {}): number | undefined {
    const value = bounds.defaulted ? this.defaulted(name) : this.raw(name);
    if (value === '') return undefined;
    if (!/^-?\d+$/.test(value)) throw new InputError(name, `must be a whole number, got ${quoteWhole(value)}`);
    const parsed = Number(value);
    if (bounds.min !== undefined && parsed < bounds.min) {
      throw new InputError(name, `must be at least ${bounds.min}, got ${parsed}`);
    }
    if (bounds.max !== undefined && parsed > bounds.max) {
      throw new InputError(name, `must be at most ${bounds.max}, got ${parsed}`);
    }
    return parsed;
  }

  /** A defaulted input that is one of `choices`. */
  choice<const T extends string>(name: string, choices: readonly T[]): T {
    const value = this.defaulted(name);
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InputError(name, `must be one of ${choices.join(', ')}; got ${quoteWhole(value)}`);
  }

  /** A defaulted duration in the kernel's one grammar (600, 90s, 15m, 1h30m, 1.5h); in ms. */
  duration(name: string, options: { maxMs?: number } = {}): number {
    const value = this.defaulted(name);
    const ms = parseDuration(value);
    if (ms === undefined) {
      throw new InputError(name, `must be a positive duration such as 600, 90s, 15m or 1h; got ${quoteWhole(value)}`);
    }
    if (ms <= 0) throw new InputError(name, `must be greater than zero; got ${quoteWhole(value)}`);
    const maxMs = Math.min(options.maxMs ?? MAX_WAIT_MS, MAX_WAIT_MS);
    if (ms > maxMs) throw new InputError(name, `must be at most ${maxMs / 1000}s; got ${quoteWhole(value)}`);
    return ms;
  }

  /** KEY=VALUE pairs in the kernel's one grammar (see @img-mgr/kernel key-value.ts). */
  keyValues(name: string, options: KeyValueOptions = {}): Map<string, string> {
    try {
      return keyValueMap(checkedText(name, this.raw(name)), options);
    } catch (error: unknown) {
      if (error instanceof KeyValueSyntaxError) throw new InputError(name, error.problem);
      throw error;
    }
  }
}

/** Splits newline- or comma-separated text into trimmed, non-empty items; `#` lines are comments. */
export function splitList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `value`, unless it holds a URL with credentials (refused without repeating it). */
function checkedText(name: string, value: string): string {
  if (hasUrlCredentials(value)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
  return value;
}

function parseBoolean(text: string, name: string): boolean {
  if (TRUE.includes(text.toLowerCase())) return true;
  if (FALSE.includes(text.toLowerCase())) return false;
  // As written: a lower-cased secret is not the string the runner masks.
  throw new InputError(name, `must be true or false, got ${quoteWhole(text)}`);
}
