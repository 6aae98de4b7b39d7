/**
 * Typed readers of the INPUT_* variables the runner sets, taking the
 * environment as an argument and loading no `@actions/*`. Errors are
 * InputErrors naming the input, with the same lines as action-kit's readers.
 *
 * An input with a default in action.yml is read with a reader that has no
 * default of its own: the runner always sets it, so a missing variable is an
 * error of the caller, never a silent second default.
 */
import {
  ActionError,
  hasUrlCredentials,
  InputError,
  quoteWhole,
  URL_CREDENTIALS_PROBLEM,
  type Env,
} from '@img-mgr/kernel';

interface StringOptions {
  required?: boolean;
  pattern?: RegExp;
  patternHint?: string;
}

const TRUE = ['true', 'yes', '1', 'on'];
const FALSE = ['false', 'no', '0', 'off'];
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The readers of the inputs in `env`. */
export class EnvInputs {
  constructor(private readonly env: Env) {}

  /** The value, trimmed; '' when unset. */
  raw(name: string): string {
    return (this.env[variable(name)] ?? '').trim();
  }

  /** A string input; undefined when empty, unless required. */
  string(name: string, options: StringOptions & { required: true }): string;
  string(name: string, options?: StringOptions): string | undefined;
  string(name: string, options: StringOptions = {}): string | undefined {
    const value = this.raw(name);
    if (value === '') {
      if (options.required) throw new InputError(name, 'is required but was not set');
      return undefined;
    }
    if (hasUrlCredentials(value)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
    if (options.pattern && !options.pattern.test(value)) {
      const hint = options.patternHint ?? `must match ${String(options.pattern)}`;
      throw new InputError(name, `has an invalid value ${quoteWhole(value)}: ${hint}`);
    }
    return value;
  }

  /** Items separated by newlines or commas; `#` lines and blanks dropped. */
  list(name: string, options: { defaulted?: boolean } = {}): string[] {
    const text = options.defaulted ? this.defaulted(name, { emptyAllowed: true }) : this.raw(name);
    if (hasUrlCredentials(text)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
    return text
      .split(/\r?\n/)
      .filter((line) => !line.trimStart().startsWith('#'))
      .flatMap((line) => line.split(','))
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** true/false, yes/no, 1/0, on/off (any case). */
  boolean(name: string): boolean {
    return parseBoolean(this.defaulted(name), name);
  }

  /** Like `boolean`, for an input without a default: undefined when empty. */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : parseBoolean(value, name);
  }

  /** A whole number within bounds; undefined when empty. */
  integer(name: string, bounds: { min: number; max: number }): number | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    if (!/^-?\d+$/.test(value)) throw new InputError(name, `must be a whole number, got ${quoteWhole(value)}`);
    const parsed = Number(value);
    if (parsed < bounds.min) throw new InputError(name, `must be at least ${bounds.min}, got ${parsed}`);
    if (parsed > bounds.max) throw new InputError(name, `must be at most ${bounds.max}, got ${parsed}`);
    return parsed;
  }

  /** One of `choices`. */
  choice<const T extends string>(name: string, choices: readonly T[]): T {
    const value = this.defaulted(name);
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InputError(name, `must be one of ${choices.join(', ')}; got ${quoteWhole(value)}`);
  }

  /** Seconds, or a number with a unit (90s, 15m, 1h), in ms. */
  duration(name: string): number {
    const value = this.defaulted(name);
    const match = DURATION.exec(value);
    if (!match) {
      throw new InputError(name, `must be a positive duration such as 600, 90s, 15m or 1h; got ${quoteWhole(value)}`);
    }
    const ms = Math.round(Number(match[1]) * (UNIT_MS[(match[2] ?? 's').toLowerCase()] ?? 1000));
    if (ms <= 0) throw new InputError(name, `must be greater than zero; got ${quoteWhole(value)}`);
    return ms;
  }

  /** The value of an input that action.yml gives a default, which the runner therefore always sets. */
  private defaulted(name: string, options: { emptyAllowed?: boolean } = {}): string {
    const value = this.env[variable(name)];
    if (value === undefined) {
      throw new ActionError(
        `Input '${name}' was not set, though action.yml gives it a default`,
        `Run the action through a runner, which sets every input, or set ${variable(name)}`,
      );
    }
    if (value.trim() === '' && !options.emptyAllowed) {
      throw new InputError(name, 'is empty; give a value, or leave it out to get its default from action.yml');
    }
    return value.trim();
  }
}

/** The variable the runner sets for input `name`. */
function variable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function parseBoolean(text: string, name: string): boolean {
  if (TRUE.includes(text.toLowerCase())) return true;
  if (FALSE.includes(text.toLowerCase())) return false;
  // As written: a lower-cased secret is not the string the runner masks.
  throw new InputError(name, `must be true or false, got ${quoteWhole(text)}`);
}
