/**
 * The app revision to bake: the commit that --flask-ref names in
 * --flask-repo (or, with no --flask-ref, the repository's default branch),
 * found with `git ls-remote`. It goes into the bake fingerprint, so that a
 * new commit rebakes and the same commit does not, and the local preview
 * checks out that same commit.
 */
import { execFile } from 'node:child_process';
import { UsageError } from './errors.js';

/** A full commit SHA needs no lookup. */
const FULL_SHA = /^[0-9a-f]{40}$/;

/** What will be baked: the repository, the ref by name, and its commit when the repository answered. */
export interface AppSource {
  repo: string;
  /** The ref as Packer gets it: --flask-ref, else the default branch (HEAD when unknown). */
  ref: string;
  /** The commit `ref` names; undefined when the repository could not be reached. */
  commit?: string;
  /** No --flask-ref was given: `ref` is the repository's default branch. */
  defaultBranch: boolean;
  /** Why `commit` is unknown: git's last line (the repository could not be reached). */
  unreachable?: string;
}

interface LookupOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves --flask-ref (or the default branch when `ref` is undefined) in
 * `repo`. A repository that cannot be reached gives `unreachable`; a
 * repository that answers but has no such ref is a UsageError naming
 * --flask-ref and the repository (a short SHA cannot be checked remotely).
 */
export async function resolveAppSource(
  repo: string,
  ref: string | undefined,
  options: LookupOptions = {},
): Promise<AppSource> {
  if (ref !== undefined && FULL_SHA.test(ref)) return { repo, ref, commit: ref, defaultBranch: false };
  if (ref === undefined) {
    const answer = await lsRemote(['--symref', '--', repo, 'HEAD'], options);
    if (!answer.ok) return { repo, ref: 'HEAD', defaultBranch: true, unreachable: answer.reason };
    const head = parseSymref(answer.stdout);
    if (!head)
      return { repo, ref: 'HEAD', defaultBranch: true, unreachable: 'the repository has no HEAD (is it empty?)' };
    return { repo, ref: head.branch ?? 'HEAD', commit: head.commit, defaultBranch: true };
  }
  const answer = await lsRemote(
    ['--', repo, ref, `refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`],
    options,
  );
  if (!answer.ok) return { repo, ref, defaultBranch: false, unreachable: answer.reason };
  const commit = pickCommit(answer.stdout, ref);
  if (!commit) {
    const shortSha = /^[0-9a-f]{4,39}$/.test(ref) ? '; a commit must be given as its full 40-character SHA' : '';
    throw new UsageError('--flask-ref', `has '${ref}', which names no branch, tag or commit of ${repo}${shortSha}`);
  }
  return { repo, ref, commit, defaultBranch: false };
}

/** The default branch and its commit from `git ls-remote --symref <repo> HEAD` output. */
export function parseSymref(output: string): { branch?: string; commit: string } | undefined {
  const branch = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output)?.[1];
  const commit = /^([0-9a-f]{40})\s+HEAD$/m.exec(output)?.[1];
  if (!commit) return undefined;
  return { commit, ...(branch ? { branch } : {}) };
}

/** The commit of `ref` in `git ls-remote` output: a peeled tag first, then a branch, then anything matching. */
export function pickCommit(lsRemote: string, ref: string): string | undefined {
  const entries = lsRemote
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2 && FULL_SHA.test(parts[0] ?? ''));
  const find = (name: string): string | undefined => entries.find(([, refName]) => refName === name)?.[0];
  return (
    find(`refs/tags/${ref}^{}`) ?? find(`refs/heads/${ref}`) ?? find(`refs/tags/${ref}`) ?? find(ref) ?? entries[0]?.[0]
  );
}

/** `git ls-remote` (bounded, never prompting for credentials): its output, or git's last error line. */
function lsRemote(
  args: string[],
  options: LookupOptions,
): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['ls-remote', ...args],
      {
        timeout: options.timeoutMs ?? 15_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ ok: true, stdout });
          return;
        }
        const last = gitReason(stderr);
        resolve({
          ok: false,
          reason:
            last ??
            (error.killed ? 'git ls-remote timed out' : (error.message.split('\n')[0] ?? 'git ls-remote failed')),
        });
      },
    );
  });
}

/** git's reason for a failure: its first `fatal:`/`error:` line (the lines after it are advice), else its last line. */
export function gitReason(stderr: string): string | undefined {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1))?.replace(/^(fatal|error):\s*/, '');
}
