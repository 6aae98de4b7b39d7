/**
 * The app revision to bake for the CLI: --flask-ref (or, with no
 * --flask-ref, the repository's default branch) resolved by
 * @img-mgr/workflow-run's one rule, the one the workflow's resolve job uses.
 * It goes into the bake fingerprint, so that a new commit rebakes and the
 * same commit does not, and the local preview checks out that same commit.
 */
import { resolveAppRevision } from '@img-mgr/workflow-run';
import { UsageError } from './errors.js';

export { gitReason, parseSymref, pickCommit } from '@img-mgr/workflow-run';

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
  const found = await resolveAppRevision(repo, ref, options);
  const defaultBranch = ref === undefined;
  const named = { repo, ref: ref ?? 'HEAD', defaultBranch };
  switch (found.kind) {
    case 'found':
      return { ...named, ...(defaultBranch && found.branch ? { ref: found.branch } : {}), commit: found.commit };
    case 'unreachable':
      return { ...named, unreachable: found.reason };
    case 'no-default-branch':
      return { ...named, unreachable: 'the repository has no HEAD (is it empty?)' };
    case 'no-such-ref': {
      const shortSha = /^[0-9a-f]{4,39}$/.test(ref ?? '')
        ? '; a commit must be given as its full 40-character SHA'
        : '';
      throw new UsageError('--flask-ref', `has '${ref}', which names no branch, tag or commit of ${repo}${shortSha}`);
    }
  }
}
