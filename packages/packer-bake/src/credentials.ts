/**
 * URLs with credentials (`https://x-access-token:ghp_…@github.com/…`). A
 * Packer variable reaches Packer's log, the provisioner's environment and,
 * for flask_repo, the AMI's tags, where no mask covers it: such a value is
 * refused, and the refusal never repeats it.
 */

/** A scheme://userinfo@ prefix: a user name alone may be a token too (https://ghp_…@github.com). */
const URL_WITH_USERINFO = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@]+@/;

/** True when `value` holds a URL with a user name or password in it. */
export function hasUrlCredentials(value: string): boolean {
  return URL_WITH_USERINFO.test(value);
}

/** The first variable whose value holds a URL with credentials. */
export function variableWithUrlCredentials(variables: Record<string, string>): string | undefined {
  return Object.entries(variables).find(([, value]) => hasUrlCredentials(value))?.[0];
}

/** What to say about such a variable (its name only). */
export function urlCredentialsProblem(name: string): string {
  return `sets '${name}' to a URL with credentials (user:token@), which would reach Packer's log and the AMI's tags; use a URL without them (a public repository, or a deploy key on the instance)`;
}
