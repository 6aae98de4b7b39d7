/**
 * The workflow's inputs flask-repo and flask-ref, turned into the app's git
 * URL and the commit to bake (with the one rule of app-revision.ts), or into
 * one error line that names the input to fix.
 */
import { hasUrlCredentials, InputError } from '@img-mgr/kernel';
import { resolveAppRevision, type LookupOptions } from './app-revision.js';

/** owner/name on the GitHub server that runs the workflow. */
const OWNER_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * The git URL of flask-repo: an https:// URL as it is, owner/name on
 * `serverUrl`. A URL with credentials is refused before anything prints it:
 * it would reach the log, the job outputs and the AMI's tags.
 */
export function appRepositoryUrl(flaskRepo: string, serverUrl: string): string {
  if (hasUrlCredentials(flaskRepo)) {
    throw new InputError(
      'flask-repo',
      "holds credentials in its URL (user:token@), which would reach logs and the AMI's tags; " +
        'pass owner/name or a URL without them.',
    );
  }
  if (flaskRepo.startsWith('https://')) return flaskRepo;
  if (OWNER_NAME.test(flaskRepo)) return `${serverUrl}/${flaskRepo}.git`;
  throw new InputError('flask-repo', `has '${flaskRepo}', which is neither owner/name nor an https:// git URL.`);
}

/** The app to bake: its URL, the commit, and how flask-ref was read (for the log). */
export interface FlaskRevision {
  url: string;
  revision: string;
  /** "master", or "its default branch master" when flask-ref was empty. */
  described: string;
}

/** Resolves flask-ref in flask-repo; throws InputError naming the input when it names nothing. */
export async function resolveFlaskRef(
  flaskRepo: string,
  flaskRef: string,
  serverUrl: string,
  options: LookupOptions = {},
): Promise<FlaskRevision> {
  const url = appRepositoryUrl(flaskRepo, serverUrl);
  const found = await resolveAppRevision(url, flaskRef, options);
  if (found.kind === 'found') {
    const described = flaskRef ? flaskRef : `its default branch ${found.branch ?? 'HEAD'}`;
    return { url, revision: found.commit, described };
  }
  if (!flaskRef) {
    const why = found.kind === 'unreachable' ? `: ${found.reason}` : '';
    throw new InputError(
      'flask-ref',
      `is empty, and ${url} names no default branch (git ls-remote --symref ${url} HEAD${why}).`,
    );
  }
  if (found.kind === 'unreachable') {
    throw new InputError('flask-ref', `has '${flaskRef}', but ${url} did not answer git ls-remote: ${found.reason}.`);
  }
  throw new InputError('flask-ref', `has '${flaskRef}', which is no branch, tag or ref of ${url}.`);
}
