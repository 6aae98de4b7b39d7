/**
 * The stand-in for the upstream Flask app (dianephan/flask-aws-storage), shaped
 * like it: default branch `master`, the bucket hard-coded in app.py, listing
 * errors swallowed, no `uploads/` folder, no tests. See fixtures/flask-aws-storage/README.md.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@img-mgr/local-host';

/** The upstream app's only branch, which is also its HEAD. */
export const UPSTREAM_DEFAULT_BRANCH = 'master';

/** The bucket upstream's app.py hard-codes (line 8). */
export const UPSTREAM_BUCKET = 'lats-image-data';

/** The folder holding the stand-in app's files. */
export function standInAppDir(): string {
  return join(repoRoot(), 'packages', 'testbed', 'fixtures', 'flask-aws-storage');
}

/** Copies the stand-in app's files (not its README) into `dir`. */
export function writeStandInApp(dir: string): void {
  cpSync(standInAppDir(), dir, { recursive: true, filter: (source) => !source.endsWith('README.md') });
}

const gitEnv = {
  GIT_AUTHOR_NAME: 'img-mgr test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'img-mgr test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/**
 * Makes `dir` a git repository of the stand-in app with one commit on
 * `master`, as a fork created today starts. Returns the commit.
 */
export function initStandInAppRepository(dir: string): string {
  rmSync(join(dir, '.git'), { recursive: true, force: true });
  writeStandInApp(dir);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
  git('init', '--quiet', `--initial-branch=${UPSTREAM_DEFAULT_BRANCH}`);
  git('add', '.');
  git('commit', '--quiet', '-m', 'The Flask app');
  return git('rev-parse', 'HEAD');
}
