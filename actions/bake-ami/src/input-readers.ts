/**
 * Readers of the INPUT_* variables the runner sets, from an environment
 * given as an argument, loading no `@actions/*`. Errors are InputErrors
 * naming the input, with the lines of action-kit's readers.
 *
 * action.yml is the only source of defaults: an input that has one there is
 * read with `defaulted`, which keeps no default of its own. The runner always
 * sets such an input, so a missing variable is the caller's error.
 */
import {
  ActionError,
  hasUrlCredentials,
  InputError,
  quoteWhole,
  URL_CREDENTIALS_PROBLEM,
  type Env,
} from '@img-mgr/kernel';

const TRUE = ['true', 'yes', '1', 'on'];
const FALSE = ['false', 'no', '0', 'off'];
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The variable the runner sets for input `name` (named as `@actions/core` names it). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The readers of the inputs in `env`. */
export class EnvInputs {
  constructor(private readonly env: Env) {}

  /** The value, trimmed; '' when unset. */
  raw(name: string): string {
    return (this.env[inputVariable(name)] ?? '').trim();
  }

  /** The value of an input that action.yml gives a default; empty is an InputError. */
  defaulted(name: string): string {
    const value = this.env[inputVariable(name)];
    if (value === undefined) {
      throw new ActionError(
        `Input '${name}' was not set, though action.yml gives it a default`,
        `Run the action through a runner, which sets every input, or set ${inputVariable(name)}`,
      );
    }
    if (value.trim() === '') {
      throw new InputError(name, 'is empty; give a value, or leave it out to get its default from action.yml');
    }
    return checkedText(name, value.trim());
  }

  /** An input without a default: undefined when empty; `maxLength` and `pattern` checked. */
  optional(name: string, options: { maxLength?: number } = {}): string | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    checkedText(name, value);
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      throw new InputError(name, `is ${value.length} characters long; the limit is ${options.maxLength}`);
    }
    return value;
  }

  /** A defaulted input that must match `pattern` (`hint` says what it must be). */
  matching(name: string, pattern: RegExp, hint: string): string {
    const value = this.defaulted(name);
    if (!pattern.test(value)) throw new InputError(name, `has an invalid value ${quoteWhole(value)}: ${hint}`);
    return value;
  }

  /** Items separated by newlines or commas; `#` lines and blanks dropped. */
  list(name: string): string[] {
    return checkedText(name, this.raw(name))
      .split(/\r?\n/)
      .filter((line) => !line.trimStart().startsWith('#'))
      .flatMap((line) => line.split(','))
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** A defaulted true/false, yes/no, 1/0, on/off (any case). */
  boolean(name: string): boolean {
    const value = this.defaulted(name);
    if (TRUE.includes(value.toLowerCase())) return true;
    if (FALSE.includes(value.toLowerCase())) return false;
    // As written: a lower-cased secret is not the string the runner masks.
    throw new InputError(name, `must be true or false, got ${quoteWhole(value)}`);
  }

  /** A defaulted duration: seconds, or a number with a unit (90s, 15m, 1h), in ms. */
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
}

/** `value`, unless it holds a URL with credentials (refused without repeating it). */
function checkedText(name: string, value: string): string {
  if (hasUrlCredentials(value)) throw new InputError(name, URL_CREDENTIALS_PROBLEM);
  return value;
}
