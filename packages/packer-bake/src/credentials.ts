/**
 * URLs with credentials (`https://x-access-token:ghp_…@github.com/…`). A
 * Packer variable reaches Packer's log, the provisioner's environment and,
 * for flask_repo, the AMI's tags, where no mask covers it: such a value is
 * refused, and the refusal never repeats it.
 */

import { readFile } from 'node:fs/promises';
import { hasUrlCredentials } from '@img-mgr/kernel';

export { hasUrlCredentials };

/** The first variable whose value holds a URL with credentials. */
export function variableWithUrlCredentials(variables: Record<string, string>): string | undefined {
  return Object.entries(variables).find(([, value]) => hasUrlCredentials(value))?.[0];
}

/** What to say about such a variable (its name only). */
export function urlCredentialsProblem(name: string): string {
  return (
    `sets '${name}' to a URL with credentials (user:token@), which would reach Packer's log and the AMI's tags; ` +
    'use a URL without them (a public repository, or a deploy key on the instance)'
  );
}

/** The first var file (a path as given) whose text holds a URL with credentials; Packer reports unreadable ones. */
export async function varFileWithUrlCredentials(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (hasUrlCredentials(text)) return path;
  }
  return undefined;
}
