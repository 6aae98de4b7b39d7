/**
 * Typed input readers. Each reads one `INPUT_*` variable the way the runner
 * sets it, validates it and throws an InputError that names the input.
 * An action calls them once, in one function, to build its typed inputs.
 * Free of `@actions/core` (subpath `@img-mgr/action-kit/inputs`), so that a
 * bundle can check its inputs before it loads anything else.
 */
import { hasUrlCredentials, InputError, quoteWhole, URL_CREDENTIALS_PROBLEM } from '@img-mgr/kernel';
export { quoteWhole };

interface StringOptions {
  /** Fails when the input is empty. */
  required?: boolean;
  /** Value used when the input is empty (never combined with `required`). */
  default?: string;
  /** The value must match; `patternHint` describes it in the error. */
  pattern?: RegExp;
  patternHint?: string;
  maxLength?: number;
}

/** The variable the runner sets for an input, named as `@actions/core` names it. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Raw value with surrounding whitespace removed; '' when unset (as `core.getInput`). */
export function rawInput(name: string): string {
  return (process.env[inputVariable(name)] ?? '').trim();
}

/** A string input. */
export function stringInput(name: string, options: StringOptions & { required: true }): string;
export function stringInput(name: string, options: StringOptions & { default: string }): string;
export function stringInput(name: string, options?: StringOptions): string | undefined;
export function stringInput(name: string, options: StringOptions = {}): string | undefined {
  const value = rawInput(name);
  if (value === '') {
    if (options.required) throw new InputError(name, 'is required but was not set');
    return options.default;
  }
  if (hasUrlCredentials(value)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    throw new InputError(name, `is ${value.length} characters long; the limit is ${options.maxLength}`);
  }
  if (options.pattern && !options.pattern.test(value)) {
    const hint = options.patternHint ?? `must match ${String(options.pattern)}`;
    throw new InputError(name, `has an invalid value ${quoteWhole(value)}: ${hint}`);
  }
  return value;
}

/** A boolean input: true/false, yes/no, 1/0 (any case). */
export function booleanInput(name: string, defaultValue: boolean): boolean {
  const raw = rawInput(name);
  const value = raw.toLowerCase();
  if (value === '') return defaultValue;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  if (['false', 'no', '0', 'off'].includes(value)) return false;
  // As written: a lower-cased secret is not the string the runner masks.
  throw new InputError(name, `must be true or false, got ${quoteWhole(raw)}`);
}

interface IntegerOptions {
  default?: number;
  required?: boolean;
  min?: number;
  max?: number;
}

/** A whole-number input within optional bounds. */
export function integerInput(name: string, options: IntegerOptions & { default: number }): number;
export function integerInput(name: string, options: IntegerOptions & { required: true }): number;
export function integerInput(name: string, options?: IntegerOptions): number | undefined;
export function integerInput(name: string, options: IntegerOptions = {}): number | undefined {
  const value = rawInput(name);
  if (value === '') {
    if (options.required) throw new InputError(name, 'is required but was not set');
    return options.default;
  }
  if (!/^-?\d+$/.test(value)) throw new InputError(name, `must be a whole number, got ${quoteWhole(value)}`);
  const parsed = Number(value);
  if (options.min !== undefined && parsed < options.min) {
    throw new InputError(name, `must be at least ${options.min}, got ${parsed}`);
  }
  if (options.max !== undefined && parsed > options.max) {
    throw new InputError(name, `must be at most ${options.max}, got ${parsed}`);
  }
  return parsed;
}

/** One of a fixed set of values. */
export function choiceInput<const T extends string>(name: string, choices: readonly T[], defaultValue: T): T {
  const value = rawInput(name);
  if (value === '') return defaultValue;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(name, `must be one of ${choices.join(', ')}; got ${quoteWhole(value)}`);
}

/**
 * A list input: items separated by newlines or commas, blank items and
 * `#` comment lines dropped.
 */
export function listInput(name: string): string[] {
  const value = rawInput(name);
  if (hasUrlCredentials(value)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
  return splitList(value);
}

/** Splits newline- or comma-separated text into trimmed, non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A duration input: a number of seconds, or a number with a unit
 * (`90s`, `15m`, `1h`). Returns milliseconds.
 */
export function durationInput(name: string, defaultMs: number, options: { maxMs?: number } = {}): number {
  const value = rawInput(name);
  if (value === '') return defaultMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(value);
  if (!match) {
    throw new InputError(name, `must be a positive duration such as 600, 90s, 15m or 1h; got ${quoteWhole(value)}`);
  }
  const unit = (match[2] ?? 's').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  const ms = Math.round(Number(match[1]) * factor);
  if (ms <= 0) throw new InputError(name, `must be greater than zero; got '${value}'`);
  if (options.maxMs !== undefined && ms > options.maxMs) {
    throw new InputError(name, `must be at most ${options.maxMs / 1000}s; got '${value}'`);
  }
  return ms;
}

/**
 * Parses `KEY=VALUE` items (newline or comma separated) into a map. A bad
 * item is named by its number, not its text: after an unquoted comma it may
 * be a piece of the previous value.
 */
export function keyValueInput(name: string, options: { keyPattern?: RegExp } = {}): Map<string, string> {
  const result = new Map<string, string>();
  for (const [index, item] of listInput(name).entries()) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new InputError(name, `has item ${index + 1} that is not KEY=VALUE`);
    const key = item.slice(0, equals).trim();
    if (options.keyPattern && !options.keyPattern.test(key)) {
      throw new InputError(name, `has item ${index + 1} whose key is not valid`);
    }
    if (result.has(key)) throw new InputError(name, `sets '${key}' more than once`);
    result.set(key, item.slice(equals + 1).trim());
  }
  return result;
}
