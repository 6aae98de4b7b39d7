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
