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

/** Environment variables whose whole value is a credential. */
const SECRET_VARIABLES = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'PACKER_GITHUB_API_TOKEN',
] as const;

/** A Packer variable whose name says it holds a secret (`PKR_VAR_db_password`, `PKR_VAR_api_token`). */
const SECRET_NAME = /(token|secret|passw(or)?d|credential|private_?key|api_?key)/i;

/** The user:password (or token) part of every URL with credentials in `text`. */
function urlCredentials(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s/?#@]+)@/g)) {
    const userInfo = match[1] ?? '';
    found.push(userInfo, ...userInfo.split(':').filter((piece) => piece.length >= 8));
  }
  return found;
}

/**
 * Values of `env` that must be masked before anything is logged: the AWS
 * secret key and session token, GitHub tokens, Packer variables named like
 * a secret, and the credentials inside any URL a `PKR_VAR_*` or `AWS_*`
 * variable holds (Packer reads `PKR_VAR_*` itself, so these reach its log
 * without passing through an input). Values shorter than 8 characters are
 * left out: masking a word such as `testing` would hide it everywhere.
 */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const whole =
      (SECRET_VARIABLES as readonly string[]).includes(name) || (name.startsWith('PKR_VAR_') && SECRET_NAME.test(name));
    if (whole) secrets.add(value);
    if (name.startsWith('PKR_VAR_') || name.startsWith('AWS_'))
      for (const piece of urlCredentials(value)) secrets.add(piece);
  }
  return [...secrets].filter((secret) => secret.trim().length >= 8);
}

/** The first `PKR_VAR_*` variable of `env` that holds a URL with credentials (Packer would tag and log it). */
export function packerVariableWithUrlCredentials(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return Object.keys(env)
    .sort()
    .find((name) => name.startsWith('PKR_VAR_') && hasUrlCredentials(env[name] ?? ''));
}

/** The refusal of such a variable, to follow its name (the value is never repeated). */
export const PACKER_VARIABLE_CREDENTIALS_PROBLEM =
  "holds a URL with credentials (user:token@), which Packer would write to its log and the AMI's tags; " +
  'use a URL without them (a public repository, or a deploy key on the instance)';
