/**
 * The app revision: one rule for the workflow's resolve job and the CLI,
 * against local repositories (git remotes on disk; owner/name on
 * github.com is redirected to them with url.<base>.insteadOf).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@img-mgr/kernel';
import { initStandInAppRepository, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRepositoryUrl, parseSymref, pickCommit, resolveAppRevision, resolveFlaskRef } from '../src/index.js';

const FORK = 'you/flask-aws-storage';
const FORK_URL = `https://github.com/${FORK}.git`;
let work = '';
let app = '';
let master = '';
let feature = '';
let tagged = '';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

/** `git ls-remote https://github.com/you/...` reads `dir` instead. */
const redirect = (dir: string) => ({
  env: {
    ...process.env,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${dir}/.insteadOf`,
    GIT_CONFIG_VALUE_0: FORK_URL,
  },
});

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'img-mgr-app-revision-'));
  app = join(work, 'flask-aws-storage');
  master = initStandInAppRepository(app);
  git(app, 'checkout', '--quiet', '-b', 'feature');
  git(app, 'commit', '--quiet', '--allow-empty', '-m', 'feature');
  feature = git(app, 'rev-parse', 'HEAD');
  git(app, 'checkout', '--quiet', '-b', 'release');
  git(app, 'commit', '--quiet', '--allow-empty', '-m', 'tagged');
  git(app, 'tag', '--annotate', '--message', 'v1', 'v1.0.0');
  tagged = git(app, 'rev-parse', 'HEAD');
  git(app, 'checkout', '--quiet', UPSTREAM_DEFAULT_BRANCH);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('resolveAppRevision: the one rule', () => {
  it('no ref: the default branch that ls-remote --symref reports (master, like upstream)', async () => {
    for (const ref of [undefined, '']) {
      expect(await resolveAppRevision(app, ref)).toEqual({ kind: 'found', commit: master, branch: 'master' });
    }
  });

  it('a branch, an annotated tag (peeled to its commit), a full ref, a full SHA without a lookup', async () => {
    expect(await resolveAppRevision(app, 'feature')).toEqual({ kind: 'found', commit: feature });
    expect(await resolveAppRevision(app, 'v1.0.0')).toEqual({ kind: 'found', commit: tagged });
    expect(await resolveAppRevision(app, 'refs/heads/feature')).toEqual({ kind: 'found', commit: feature });
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    expect(await resolveAppRevision(join(work, 'nowhere'), sha)).toEqual({ kind: 'found', commit: sha });
  });

  it('a ref it lacks, an empty repository, a repository that does not answer', async () => {
    expect(await resolveAppRevision(app, 'main')).toEqual({ kind: 'no-such-ref' });
    const empty = join(work, 'empty');
    git(work, 'init', '--quiet', empty);
    expect(await resolveAppRevision(empty, undefined)).toEqual({ kind: 'no-default-branch' });
    const gone = await resolveAppRevision(join(work, 'no-such-repo'), 'master');
    expect(gone.kind).toBe('unreachable');
    expect(gone.kind === 'unreachable' && gone.reason).toMatch(/does not appear to be a git repository|not found/i);
  });

  it('exact names only, a branch before a tag of the same name (the build instance checks out origin/<ref>)', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const c = 'c'.repeat(40);
    const listing = `${a}\trefs/tags/x\n${c}\trefs/tags/x^{}\n${b}\trefs/heads/x\n${a}\trefs/heads/team/y\n`;
    expect(pickCommit(listing, 'x')).toBe(b);
    expect(pickCommit(listing.replace(`${b}\trefs/heads/x\n`, ''), 'x')).toBe(c);
    expect(pickCommit(listing, 'y')).toBeUndefined();
    expect(pickCommit(listing, 'team/y')).toBe(a);
  });

  it('parseSymref reads the branch and commit of HEAD', () => {
    expect(parseSymref(`ref: refs/heads/master\tHEAD\n${master}\tHEAD\n`)).toEqual({
      branch: 'master',
      commit: master,
    });
    expect(parseSymref(`${master}\tHEAD\n`)).toEqual({ commit: master });
    expect(parseSymref('')).toBeUndefined();
  });
});

describe("resolveFlaskRef: the workflow's inputs flask-repo and flask-ref", () => {
  const failure = async (run: Promise<unknown>): Promise<string> => {
    const error = await run.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
    return error.message;
  };

  it('refuses a URL with credentials before printing anything of it', async () => {
    const token = 'ghp_planted0123456789abcdefABCDEF012345';
    const message = await failure(
      resolveFlaskRef(`https://x-access-token:${token}@github.com/${FORK}.git`, '', 'https://github.com'),
    );
    expect(message).toMatch(/^Input 'flask-repo' holds credentials in its URL/);
    expect(message).not.toContain(token);
  });

  it('makes owner/name a URL on this GitHub server; takes a commit SHA as is, without a network call', async () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    expect(await resolveFlaskRef(FORK, sha, 'https://github.example.com')).toEqual({
      url: `https://github.example.com/${FORK}.git`,
      revision: sha,
      described: sha,
    });
    expect(appRepositoryUrl('https://git.example.com/app.git', 'https://github.com')).toBe(
      'https://git.example.com/app.git',
    );
  });

  it('empty: the default branch, wherever HEAD points', async () => {
    expect(await resolveFlaskRef(FORK, '', 'https://github.com', redirect(app))).toEqual({
      url: FORK_URL,
      revision: master,
      described: `its default branch ${UPSTREAM_DEFAULT_BRANCH}`,
    });
    git(app, 'symbolic-ref', 'HEAD', 'refs/heads/feature');
    try {
      expect((await resolveFlaskRef(FORK, '', 'https://github.com', redirect(app))).revision).toBe(feature);
    } finally {
      git(app, 'symbolic-ref', 'HEAD', `refs/heads/${UPSTREAM_DEFAULT_BRANCH}`);
    }
  });

  it('an explicit branch is honoured, even when it is not the default one', async () => {
    expect((await resolveFlaskRef(FORK, 'feature', 'https://github.com', redirect(app))).revision).toBe(feature);
    expect((await resolveFlaskRef(FORK, 'master', 'https://github.com', redirect(app))).described).toBe('master');
  });

  it('fails in one line naming flask-ref for a missing ref, and for a repository with no default branch', async () => {
    expect(await failure(resolveFlaskRef(FORK, 'main', 'https://github.com', redirect(app)))).toBe(
      `Input 'flask-ref' has 'main', which is no branch, tag or ref of ${FORK_URL}.`,
    );
    const empty = join(work, 'empty-too');
    git(work, 'init', '--quiet', empty);
    expect(await failure(resolveFlaskRef(FORK, '', 'https://github.com', redirect(empty)))).toBe(
      `Input 'flask-ref' is empty, and ${FORK_URL} names no default branch (git ls-remote --symref ${FORK_URL} HEAD).`,
    );
  });

  it('refuses a flask-ref of another shape before git ls-remote runs (no lookup, no other message)', async () => {
    expect(await failure(resolveFlaskRef(FORK, 'main,instance_type=t3.2xlarge', 'https://github.com'))).toBe(
      "Input 'flask-ref' has 'main,instance_type=t3.2xlarge', which is neither a full commit SHA nor a branch, " +
        'tag or ref name (it has characters other than letters, digits and . _ / + -).',
    );
  });

  it('rejects a flask-repo that is neither owner/name nor https', async () => {
    expect(await failure(resolveFlaskRef('git@github.com:you/app.git', master, 'https://github.com'))).toBe(
      "Input 'flask-repo' has 'git@github.com:you/app.git', which is neither owner/name nor an https:// git URL " +
        '(https://host/path: no commas, spaces, quotes, ${...}, user info, query or fragment).',
    );
  });
});
