/**
 * The stand-in for the upstream Flask app (dianephan/flask-aws-storage), shaped
 * like it: default branch `master`, the bucket hard-coded in app.py, listing
 * errors swallowed, no `uploads/` folder, no tests. See fixtures/flask-aws-storage/README.md.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * Broken revisions of the stand-in app, each the way a real push breaks the
 * front door while every instance check still passes:
 * - `upload-fails`: `POST /upload` raises, so it answers 500;
 * - `upload-lost`: `POST /upload` answers 302 as usual but never sends the file to S3;
 * - `home-fails`: `GET /` raises, so it answers 500;
 * - `no-static`: the app turns Flask's static folder off, so `/static/img-mgr.json` answers 404.
 */
export type StandInBreak = 'upload-fails' | 'upload-lost' | 'home-fails' | 'no-static';

const BREAKS: Record<StandInBreak, { file: string; from: string; to: string }> = {
  'upload-fails': {
    file: 'app.py',
    from: `        f = request.files['file']\n`,
    to: `        raise RuntimeError("uploads are broken")\n`,
  },
  'upload-lost': {
    file: 's3_functions.py',
    from: `    return client.upload_file(file_name, bucket, file_name)\n`,
    to: `    return None\n`,
  },
  'home-fails': {
    file: 'app.py',
    from: `    contents = list_files(BUCKET)\n`,
    to: `    raise RuntimeError("the home page is broken")\n`,
  },
  'no-static': { file: 'app.py', from: `app = Flask(__name__)\n`, to: `app = Flask(__name__, static_folder=None)\n` },
};

/**
 * Commits `broken` on a new branch `branch` of the stand-in repository in
 * `dir` (made by initStandInAppRepository) and checks `master` out again.
 * Returns the new commit.
 */
export function commitStandInBreak(dir: string, branch: string, broken: StandInBreak): string {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
  const change = BREAKS[broken];
  git('checkout', '--quiet', '-b', branch, UPSTREAM_DEFAULT_BRANCH);
  const path = join(dir, change.file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(change.from)) throw new Error(`commitStandInBreak: ${change.file} has no line to break`);
  writeFileSync(path, text.replace(change.from, change.to));
  git('commit', '--quiet', '-am', `break the app: ${broken}`);
  const commit = git('rev-parse', 'HEAD');
  git('checkout', '--quiet', UPSTREAM_DEFAULT_BRANCH);
  return commit;
}

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
