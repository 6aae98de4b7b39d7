/**
 * The workflow's inputs flask-repo and flask-ref, turned into the app's git
 * URL and the commit to bake (with the one rule of app-revision.ts), or into
 * one error line that names the input to fix.
 */
import { InputError } from '@img-mgr/kernel';
import { resolveAppRevision, type LookupOptions } from './app-revision.js';
import { flaskRefProblem, flaskRepoProblem } from './caller-inputs.js';

/**
 * The git URL of flask-repo: an https:// URL as it is, owner/name on
 * `serverUrl`. Anything else (a URL with credentials, commas, spaces, quotes
 * or `${`) is refused before anything prints it or passes it on.
 */
export function appRepositoryUrl(flaskRepo: string, serverUrl: string): string {
  const problem = flaskRepo === '' ? 'is empty; pass owner/name or an https:// git URL.' : flaskRepoProblem(flaskRepo);
  if (problem) throw new InputError('flask-repo', problem);
  return flaskRepo.startsWith('https://') ? flaskRepo : `${serverUrl}/${flaskRepo}.git`;
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
  const refProblem = flaskRefProblem(flaskRef);
  if (refProblem) throw new InputError('flask-ref', refProblem);
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
