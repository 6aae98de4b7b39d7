/** Text for log lines and summaries: values that may be long (durations are duration.ts). */
import { hasUrlCredentials } from './credentials.js';

/**
 * `value` on one line, cut to `max` characters with an ellipsis. Only for
 * text that is never a secret (a stack event's reason, a template line);
 * a user's value goes through `quoteWhole`.
 */
export function shorten(value: string, max = 80): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A user's value for an error line: whole, or not at all. The runner masks
 * only whole registered secrets, so a cut or re-spaced piece of one would
 * show; a long value, or one with a line break or another control character
 * (which would reshape the line), is named by its length instead, and a URL
 * with credentials is never shown.
 */
export function quoteWhole(value: string, max = 80): string {
  if (hasUrlCredentials(value)) return '(a URL with credentials, not shown)';
  return value.length <= max && !/[\u0000-\u001f\u007f]/.test(value)
    ? `'${value}'`
    : `(${value.length} characters, not shown)`;
}

/** The most an error line says: a few hundred characters is one readable line. */
export const MAX_ERROR_LINE = 600;

/**
 * `line` bounded for an error: a word longer than 200 characters (a pasted
 * template, a token, a path of thousands of characters) is named by its
 * length, never cut (the runner masks only whole secrets), and a line still
 * over `max` ends at a word boundary with an ellipsis. The last guard, for
 * text that no rule above it bounded.
 */
export function boundedLine(line: string, max = MAX_ERROR_LINE): string {
  const words = line
    .split(' ')
    .map((word) => (word.length > 200 ? `(${word.length} characters, not shown)` : word))
    .join(' ');
  if (words.length <= max) return words;
  const cut = words.lastIndexOf(' ', max - 1);
  return `${words.slice(0, cut > 0 ? cut : max - 1)}…`;
}
