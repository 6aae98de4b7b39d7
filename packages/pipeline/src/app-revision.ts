/**
 * The app revision that goes into the bake fingerprint: the commit that
 * --flask-ref names in --flask-repo, so that a new commit rebakes and the
 * same commit does not.
 */
import { execFile } from 'node:child_process';

/** A full commit SHA needs no lookup. */
const FULL_SHA = /^[0-9a-f]{40}$/;

/** Resolves `ref` of `repo` with `git ls-remote` (bounded); undefined when that fails. */
export async function resolveAppRevision(repo: string, ref: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string | undefined> {
  if (FULL_SHA.test(ref)) return ref;
  const output = await new Promise<string | undefined>((resolve) => {
    execFile(
      'git',
      ['ls-remote', '--', repo, ref, `refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`],
      {
        timeout: options.timeoutMs ?? 10_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
  return output === undefined ? undefined : pickCommit(output, ref);
}

/** The commit of `ref` in `git ls-remote` output: a peeled tag first, then a branch, then anything matching. */
export function pickCommit(lsRemote: string, ref: string): string | undefined {
  const entries = lsRemote
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2 && FULL_SHA.test(parts[0] ?? ''));
  const find = (name: string): string | undefined => entries.find(([, refName]) => refName === name)?.[0];
  return find(`refs/tags/${ref}^{}`) ?? find(`refs/heads/${ref}`) ?? find(`refs/tags/${ref}`) ?? find(ref) ?? entries[0]?.[0];
}
