/**
 * URLs with credentials (`https://x-access-token:ghp_…@github.com/…`). Such a
 * value reaches logs, tags and descriptions, where no mask covers it: inputs
 * refuse it, and the refusal never repeats it.
 */

/** A scheme://userinfo@ prefix: a user name alone may be a token too (https://ghp_…@github.com). */
const URL_WITH_USERINFO = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@]+@/;

/** True when `value` holds a URL with a user name or password in it. */
export function hasUrlCredentials(value: string): boolean {
  return URL_WITH_USERINFO.test(value);
}

/** The refusal, for an input's error line (the value is never repeated). */
export const URL_CREDENTIALS_PROBLEM =
  'holds a URL with credentials (user:token@), which would reach logs and tags; use a URL without them';
