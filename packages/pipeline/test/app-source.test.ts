/**
 * Which app revision is baked: with no --flask-ref, the
 * repository's default branch (`git ls-remote --symref <url> HEAD`); an
 * explicit ref as given; a ref that names nothing is exit 2 before anything
 * starts. Against the stand-in fork (branch master, like upstream), offline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStandInAppRepository, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, PipelineError, UsageError } from '../src/index.js';
import { parseSymref, resolveAppSource } from '../src/app-revision.js';
import { appSourceFor } from '../src/app-source.js';
import { buildCli, runCli } from './helpers.js';

let work: string;
let repo: string;
let master: string;
let tagged: string;

function git(...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
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

beforeAll(() => {
  buildCli();
  work = mkdtempSync(join(tmpdir(), 'img-mgr-app-source-'));
  repo = join(work, 'flask-aws-storage');
  master = initStandInAppRepository(repo);
  // A second commit on a feature branch, tagged: explicit refs must find it, the default must not.
  git('checkout', '--quiet', '-b', 'feature');
  git('commit', '--quiet', '--allow-empty', '-m', 'a feature');
  git('tag', 'v1.0.0');
  tagged = git('rev-parse', 'HEAD');
  git('checkout', '--quiet', UPSTREAM_DEFAULT_BRANCH);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the app revision to bake', () => {
  it('no --flask-ref: default branch via ls-remote --symref (master, like upstream), as path or file URL', async () => {
    for (const url of [repo, `file://${repo}`]) {
      expect(await resolveAppSource(url, undefined)).toEqual({
        repo: url,
        ref: UPSTREAM_DEFAULT_BRANCH,
        commit: master,
        defaultBranch: true,
      });
    }
  });

  it('an explicit branch, tag or full commit SHA is honoured', async () => {
    expect(await resolveAppSource(repo, 'feature')).toMatchObject({
      ref: 'feature',
      commit: tagged,
      defaultBranch: false,
    });
    expect(await resolveAppSource(repo, 'v1.0.0')).toMatchObject({ ref: 'v1.0.0', commit: tagged });
    expect(await resolveAppSource(repo, master)).toMatchObject({ ref: master, commit: master });
  });

  it('an unknown ref: UsageError naming --flask-ref and the repository; a short SHA: give the full one', async () => {
    const missing = await resolveAppSource(repo, 'main').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as UsageError).message).toBe(
      `--flask-ref has 'main', which names no branch, tag or commit of ${repo}`,
    );
    const short = await resolveAppSource(repo, master.slice(0, 7)).catch((error: unknown) => error);
    expect((short as UsageError).message).toContain('a commit must be given as its full 40-character SHA');
  });

  it('an unreachable repository: locally a note (baked by name), with --aws an error naming it (exit 4)', async () => {
    const gone = join(work, 'no-such-repo');
    const local = await appSourceFor({ options: parseArgs(['run', '--flask-repo', gone]) });
    expect(local).toMatchObject({ repo: gone, ref: 'HEAD', defaultBranch: true });
    expect(local.commit).toBeUndefined();
    expect(local.unreachable).toMatch(/does not appear to be a git repository|not found|No such/i);

    const aws = await appSourceFor({
      options: parseArgs(['run', '--aws', '--region', 'us-east-1', '--flask-repo', 'https://127.0.0.1:9/none.git']),
    }).catch((error: unknown) => error);
    expect(aws).toBeInstanceOf(PipelineError);
    expect((aws as PipelineError).exitCode).toBe(4);
    expect((aws as PipelineError).message).toMatch(
      /^cannot resolve the default branch of https:\/\/127\.0\.0\.1:9\/none\.git with git ls-remote \(/,
    );
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

describe('img-mgr-pipeline run --flask-ref that names nothing (the built cli.js)', () => {
  it('exits 2 with one line naming the flag and the repository; no local AWS started, nothing baked', async () => {
    const stateDir = join(work, 'state');
    const run = await runCli(['run', '--flask-repo', repo, '--flask-ref', 'no-such-branch', '--state-dir', stateDir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `img-mgr-pipeline: error: --flask-ref has 'no-such-branch', which names no branch, tag or commit of ${repo}`,
    ]);
    const left = existsSync(stateDir) ? readdirSync(stateDir) : [];
    expect(left.filter((name) => name !== 'lock')).toEqual([]);
    expect(left).not.toContain('lock');
  });
});
