/**
 * The app revision to bake: the commit that a ref names in the app's
 * repository, found with `git ls-remote`. The one rule, used by the
 * workflow's resolve job and by the CLI: a full commit SHA as it is; no ref,
 * the repository's default branch (`ls-remote --symref <repo> HEAD`); a name,
 * an exact match only, branch first (as the build instance checks out
 * `origin/<ref>` before anything else), then the tag's commit, then a full
 * ref name. The revision goes into the bake fingerprint, so a new commit
 * rebakes and the same commit does not.
 */
import { execFile } from 'node:child_process';
import type { Env } from '@img-mgr/kernel';

/** A full commit SHA needs no lookup. */
export const FULL_SHA = /^[0-9a-f]{40}$/;

/** What a lookup found: a commit, a repository that did not answer, or a ref it does not have. */
export type AppRevision =
  | {
      kind: 'found';
      commit: string;
      /** The default branch's name, when no ref was given and the repository named it. */
      branch?: string;
    }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'no-such-ref' }
  | { kind: 'no-default-branch' };

export interface LookupOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The environment git runs with (default: this process's); it never prompts for credentials. */
  env?: Env;
}

/**
 * Resolves `ref` (the default branch when undefined or empty) in `repo`, a
 * URL or a path that git can read.
 */
export async function resolveAppRevision(
  repo: string,
  ref: string | undefined,
  options: LookupOptions = {},
): Promise<AppRevision> {
  if (ref && FULL_SHA.test(ref)) return { kind: 'found', commit: ref };
  if (!ref) {
    const answer = await lsRemote(['--symref', '--', repo, 'HEAD'], options);
    if (!answer.ok) return { kind: 'unreachable', reason: answer.reason };
    const head = parseSymref(answer.stdout);
    return head ? { kind: 'found', ...head } : { kind: 'no-default-branch' };
  }
  const answer = await lsRemote(['--', repo, ...refCandidates(ref)], options);
  if (!answer.ok) return { kind: 'unreachable', reason: answer.reason };
  const commit = pickCommit(answer.stdout, ref);
  return commit ? { kind: 'found', commit } : { kind: 'no-such-ref' };
}

/** The ref names that `ref` may stand for, in the order they win. */
function refCandidates(ref: string): string[] {
  return [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`, ref];
}

/** The default branch and its commit from `git ls-remote --symref <repo> HEAD` output. */
export function parseSymref(output: string): { branch?: string; commit: string } | undefined {
  const branch = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output)?.[1];
  const commit = /^([0-9a-f]{40})\s+HEAD$/m.exec(output)?.[1];
  if (!commit) return undefined;
  return { commit, ...(branch ? { branch } : {}) };
}

/**
 * The commit of `ref` in `git ls-remote` output: exact names only (a branch,
 * a tag peeled to its commit, the tag itself, a full ref), never a ref that
 * merely ends in `ref`.
 */
export function pickCommit(lsRemoteOutput: string, ref: string): string | undefined {
  const entries = new Map<string, string>();
  for (const line of lsRemoteOutput.split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (sha && name && FULL_SHA.test(sha) && !entries.has(name)) entries.set(name, sha);
  }
  for (const candidate of refCandidates(ref)) {
    const sha = entries.get(candidate);
    if (sha) return sha;
  }
  return undefined;
}

/** `git ls-remote` (bounded, never prompting for credentials): its output, or git's reason for failing. */
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
        env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ ok: true, stdout });
          return;
        }
        const fallback = error.killed ? 'git ls-remote timed out' : error.message.split('\n')[0];
        resolve({ ok: false, reason: gitReason(stderr) ?? fallback ?? 'git ls-remote failed' });
      },
    );
  });
}

/** git's reason for a failure: its first `fatal:`/`error:` line (the lines after it are advice), else its last line. */
export function gitReason(stderr: string): string | undefined {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1))?.replace(/^(fatal|error):\s*/, '');
}
