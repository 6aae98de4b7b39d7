/**
 * The `run:` scripts of the workflows that only run on GitHub (act skips
 * them), and the scripts they call, run here with bash the way the runner
 * does: inputs through env, results in GITHUB_OUTPUT. The OIDC token service
 * is a local HTTP server that hands out an unsigned token with the claims
 * GitHub puts in. What bake-and-deploy.yml decides in TypeScript (the
 * workflow-step action) is tested in packages/workflow-run and
 * actions/workflow-step; here only its bash bootstrap.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandFile, repoRoot } from '@img-mgr/testbed';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGitHubRemote, type GitHubRemote } from '../src/index.js';

interface Step {
  name?: string;
  run?: string;
}
const root = repoRoot();
const loadWorkflow = (file: string) =>
  parse(readFileSync(join(root, '.github', 'workflows', file), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
const workflows: Record<string, ReturnType<typeof loadWorkflow>> = {
  'bake-and-deploy.yml': loadWorkflow('bake-and-deploy.yml'),
  'release.yml': loadWorkflow('release.yml'),
};

function script(job: string, name: string, file = 'bake-and-deploy.yml'): string {
  const run = workflows[file]?.jobs[job]?.steps.find((step) => step.name === name)?.run;
  if (!run) throw new Error(`no run: step '${name}' in job ${job} of ${file}`);
  return run;
}

interface StepRun {
  status: number | null;
  output: string;
  outputs: Record<string, string>;
}

/**
 * Runs bash with `args` (the runner's `shell: bash` is bash -e with pipefail)
 * in an empty runner environment. Asynchronously: the token server lives in
 * this process.
 */
async function runBash(args: string[], env: Record<string, string>, cwd?: string): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-step-'));
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  try {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        GITHUB_OUTPUT: outputFile,
        GITHUB_SERVER_URL: 'https://github.com',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, output, outputs: parseCommandFile(readFileSync(outputFile, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a workflow step's `run:` script. */
function runStep(job: string, name: string, env: Record<string, string>, file?: string): Promise<StepRun> {
  return runBash(['-c', script(job, name, file)], env);
}

const gitEnv = {
  GIT_AUTHOR_NAME: 'img-mgr test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'img-mgr test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
}

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** GitHub's OIDC token service, on a free loopback port: hands out an unsigned token with `claims`. */
interface TokenServer {
  url: string;
  claims: Record<string, unknown>;
  requests: IncomingMessage[];
  close(): Promise<void>;
}
async function startTokenServer(): Promise<TokenServer> {
  const state = { claims: {} as Record<string, unknown>, requests: [] as IncomingMessage[] };
  const server: Server = createServer((request, response) => {
    state.requests.push(request);
    if (request.headers.authorization !== 'bearer request-token') {
      response.writeHead(401).end();
      return;
    }
    const token = [base64url('{"alg":"RS256"}'), base64url(JSON.stringify(state.claims)), 'signature'].join('.');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/token?api-version=2.0`;
  return {
    url,
    get claims() {
      return state.claims;
    },
    set claims(value) {
      state.claims = value;
    },
    requests: state.requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("resolve: this workflow's repository and commit from the OIDC token", () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  let tokens: TokenServer;
  let url = '';
  beforeAll(async () => {
    tokens = await startTokenServer();
    url = tokens.url;
  });
  afterAll(() => tokens.close());

  const step = "Find this workflow's repository and commit (OIDC claims)";

  it.each(['', 'x', 'xy', 'xyz'])('reads job_workflow_ref and job_workflow_sha (claim padding %#)', async (pad) => {
    // Claims of every length, so that the base64url padding varies.
    tokens.claims = {
      job_workflow_ref: 'octo-org/img-mgr-actions/.github/workflows/bake-and-deploy.yml@refs/tags/v1',
      job_workflow_sha: sha,
      pad,
    };
    const run = await runStep('resolve', step, {
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    });
    expect(run.status, run.output).toBe(0);
    expect(run.outputs).toEqual({ repository: 'octo-org/img-mgr-actions', sha });
    expect(tokens.requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=img-mgr-workflow-source');
  });

  it('fails with one clear line without id-token: write', async () => {
    const run = await runStep('resolve', step, {});
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe(
      "::error::The calling job must grant 'permissions: id-token: write' to this workflow.",
    );
  });

  it('fails when the token carries no workflow commit', async () => {
    tokens.claims = { sub: 'repo:octo-org/app:ref:refs/heads/master' };
    const run = await runStep('resolve', step, {
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    });
    expect(run.status).toBe(1);
    expect(run.output).toContain("::error::Cannot tell this workflow's commit from the OIDC token");
    expect(run.outputs).toEqual({});
  });
});

describe('.github/scripts/oidc-subject.sh, kept for older copies of plan-on-pull-request.yml', () => {
  let tokens: TokenServer;
  beforeAll(async () => {
    tokens = await startTokenServer();
  });
  afterAll(() => tokens.close());

  it("runs workflow-step's explain-refused-token: one error line, and the step succeeds", async () => {
    tokens.claims = {
      sub: 'repo:octo/app:pull_request',
      repository: 'octo/app',
      repository_owner: 'octo',
      repository_owner_id: '1',
      repository_id: '2',
      ref: 'refs/pull/7/merge',
    };
    const role = 'arn:aws:iam::123456789012:role/img-mgr-github-plan';
    const run = await runBash([join(root, '.github', 'scripts', 'oidc-subject.sh')], {
      ROLE_TO_ASSUME: role,
      ACTIONS_ID_TOKEN_REQUEST_URL: tokens.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    });
    expect(run.status, run.output).toBe(0);
    expect(tokens.requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=sts.amazonaws.com');
    expect(run.output.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^::error::Could not assume ${role}\\. This job's OIDC sub is 'repo:octo/app:pull_request'; `),
      ),
    ]);
  });
});

describe('release: the version check and the tagging script (.github/scripts/release-tags.sh)', () => {
  const tagging = join(root, '.github', 'scripts', 'release-tags.sh');
  let work = '';
  let remote = '';
  let first = '';
  let second = '';
  const release = (version: string, commit: string) => runBash([tagging, version, commit, remote], {}, work);
  /** A Keep a Changelog file with an empty Unreleased section and a section per version. */
  const changelog = (versions: string[]): string =>
    '# Changelog\n\n## [Unreleased]\n\n' +
    versions.map((version) => `## [${version}] - 2026-12-01\n\n### Fixed\n\n- Fix of ${version}.\n`).join('\n');
  /** The commit each tag of the remote names (annotated tags peeled). */
  const remoteTags = (): Record<string, string> => {
    const tags: Record<string, string> = {};
    for (const line of git(work, 'ls-remote', '--tags', remote).split('\n').filter(Boolean)) {
      const [sha = '', ref = ''] = line.split('\t');
      const name = ref.replace('refs/tags/', '');
      if (name.endsWith('^{}')) tags[name.slice(0, -3)] = sha;
      else tags[name] ??= sha;
    }
    return tags;
  };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'img-mgr-release-'));
    remote = mkdtempSync(join(tmpdir(), 'img-mgr-remote-'));
    git(remote, 'init', '--quiet', '--bare');
    git(work, 'init', '--quiet', '--initial-branch=main');
    // The first commit's changelog has the versions the tests release on it; the second adds 1.3.0.
    writeFileSync(join(work, 'CHANGELOG.md'), changelog(['2.0.0', '1.2.4', '1.2.3']));
    git(work, 'add', 'CHANGELOG.md');
    git(work, 'commit', '--quiet', '-m', 'first');
    first = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'CHANGELOG.md'), changelog(['1.3.0', '2.0.0', '1.2.4', '1.2.3']) + '\n## [1.4.0]\n');
    git(work, 'commit', '--quiet', '-am', 'second');
    second = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '--quiet', remote, 'main');
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(remote, { recursive: true, force: true });
  });
  afterEach(() => {
    // Each release starts from what the remote holds, as a fresh checkout would.
    for (const tag of git(work, 'tag', '--list').split('\n').filter(Boolean)) git(work, 'tag', '-d', tag);
  });

  it('creates vX.Y.Z and the major tag on the commit', async () => {
    const run = await release('1.2.3', first);
    expect(run.status, run.output).toBe(0);
    expect(remoteTags()).toEqual({ 'v1.2.3': first, v1: first });
    expect(run.output).toContain(`Moved v1 to ${first} (v1.2.3).`);
  });

  it("puts the version's changelog section into the tag's message, headings included", () => {
    expect(git(work, 'fetch', '--quiet', remote, 'refs/tags/v1.2.3:refs/tags/v1.2.3')).toBe('');
    expect(git(work, 'tag', '--list', '--format=%(contents)', 'v1.2.3')).toBe(
      'img-mgr actions v1.2.3\n\n### Fixed\n\n- Fix of 1.2.3.',
    );
  });

  it('moves only the major tag to a newer release; the earlier vX.Y.Z stays', async () => {
    const run = await release('1.3.0', second);
    expect(run.status, run.output).toBe(0);
    expect(remoteTags()).toEqual({ 'v1.2.3': first, 'v1.3.0': second, v1: second });
  });

  it('never replaces an existing release', async () => {
    const run = await release('1.2.3', second);
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe(
      `::error::v1.2.3 already exists on ${remote} at ${first}; release a new version instead of replacing one.`,
    );
    expect(remoteTags()['v1.2.3']).toBe(first);
  });

  it('does not move the major tag back for a patch of an older line', async () => {
    const run = await release('1.2.4', first);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('::warning::v1 stays on v1.3.0, which is newer than v1.2.4.');
    expect(remoteTags()).toMatchObject({ 'v1.2.4': first, v1: second });
  });

  it('a new major gets its own tag and leaves v1 alone', async () => {
    const run = await release('2.0.0', first);
    expect(run.status, run.output).toBe(0);
    expect(remoteTags()).toMatchObject({ 'v2.0.0': first, v2: first, v1: second });
  });

  it.each([
    { version: '1.5.0', why: 'no section', commit: () => second },
    { version: '1.4.0', why: 'an empty section', commit: () => second },
    { version: '1.3.0', why: 'a section only a later commit has', commit: () => first },
  ])('refuses $version, which has $why in CHANGELOG.md, in one line, and pushes nothing', async (row) => {
    const before = remoteTags();
    const run = await release(row.version, row.commit());
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe(
      `::error::CHANGELOG.md at ${row.commit()} has no notes under '## [${row.version}]'; ` +
        'move the Unreleased notes into that section first.',
    );
    expect(remoteTags()).toEqual(before);
  });

  it('release-notes.sh prints the section alone, for the workflow to check before it builds', async () => {
    const notes = join(root, '.github', 'scripts', 'release-notes.sh');
    const run = await runBash([notes, '1.2.4', second], {}, work);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toBe('### Fixed\n\n- Fix of 1.2.4.\n');
    const unreleased = await runBash([notes, 'Unreleased', second], {}, work);
    expect(unreleased.status).toBe(1);
  });

  it.each(['v1.2.3', '1.2', '1.02.3', '1.2.3-rc1', ''])(
    'refuses the version %j with one line naming the input, and pushes nothing',
    async (version) => {
      const before = remoteTags();
      const run = await release(version, second);
      expect(run.status).toBe(1);
      expect(run.output.trim()).toBe(
        `::error::Input 'version' has '${version}', which is not X.Y.Z (three numbers, no leading v or zeros).`,
      );
      expect(remoteTags()).toEqual(before);
    },
  );

  it('release.yml checks the version and the branch before it builds anything', async () => {
    const step = (version: string, ref: string) =>
      runStep(
        'verify',
        'Check the version and the branch',
        { VERSION: version, GITHUB_REF: ref, DEFAULT_BRANCH: 'main' },
        'release.yml',
      );
    expect((await step('1.0.0', 'refs/heads/main')).status).toBe(0);
    const bad = await step('1.0', 'refs/heads/main');
    expect(bad.status).toBe(1);
    expect(bad.output.trim()).toBe(
      "::error::Input 'version' has '1.0', which is not X.Y.Z (three numbers, no leading v or zeros).",
    );
    const branch = await step('1.0.0', 'refs/heads/feature');
    expect(branch.status).toBe(1);
    expect(branch.output.trim()).toBe('::error::Releases are made from main; this run is on refs/heads/feature.');
  });

  it("release.yml's tag job pushes with the App's token, which may write workflows, once the App is set", async () => {
    const tagJob = (
      parse(readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8')) as {
        jobs: {
          tag: { steps: (Step & { id?: string; uses?: string; with?: Record<string, string>; env?: object })[] };
        };
      }
    ).jobs.tag;
    const mint = tagJob.steps.find((step) => step.uses?.startsWith('actions/create-github-app-token@'));
    expect(mint?.with).toMatchObject({ 'permission-contents': 'write', 'permission-workflows': 'write' });
    const push = tagJob.steps.find((step) => step.name === 'Create the release tag and move the major tag');
    expect(push?.env).toMatchObject({ GITHUB_TOKEN: `\${{ steps.${mint?.id}.outputs.token }}` });
    const unset = await runStep(
      'tag',
      'Check that the release App is set up',
      { CLIENT_ID: '', PRIVATE_KEY: '' },
      'release.yml',
    );
    expect(unset.status).toBe(1);
    expect(unset.output.trim()).toBe(
      '::error::The release environment needs the secrets RELEASE_APP_CLIENT_ID and RELEASE_APP_PRIVATE_KEY of a ' +
        'GitHub App with contents and workflows write on this repository (README, Releasing).',
    );
    const set = await runStep(
      'tag',
      'Check that the release App is set up',
      { CLIENT_ID: 'Iv1', PRIVATE_KEY: 'key' },
      'release.yml',
    );
    expect(set.status).toBe(0);
  });
});

describe('release: both tags in one push that GitHub accepts only from a token that may write workflows', () => {
  const tagging = join(root, '.github', 'scripts', 'release-tags.sh');
  const refusal =
    'refusing to allow a GitHub App to create or update workflow `.github/workflows/release.yml` ' +
    'without `workflows` permission';
  let github: GitHubRemote;
  let work = '';
  let first = '';
  let second = '';
  let third = '';
  const release = (version: string, commit: string, token: string) =>
    runBash([tagging, version, commit, github.url], { GITHUB_TOKEN: token, ...github.clientEnv }, work);
  /** The commit each tag of the remote names (annotated tags peeled), read past the server. */
  const remoteTags = (): Record<string, string> => {
    const tags: Record<string, string> = {};
    for (const line of git(github.gitDir, 'show-ref', '--tags', '--dereference').split('\n').filter(Boolean)) {
      const [sha = '', ref = ''] = line.split(' ');
      const name = ref.replace('refs/tags/', '');
      if (name.endsWith('^{}')) tags[name.slice(0, -3)] = sha;
      else tags[name] ??= sha;
    }
    return tags;
  };
  /** A commit whose release workflow says `text`, with notes for every version these tests release. */
  const commit = (text: string): string => {
    writeFileSync(join(work, '.github', 'workflows', 'release.yml'), `name: ${text}\n`);
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', text);
    return git(work, 'rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    github = await startGitHubRemote({ 'plain-token': { workflows: false }, 'app-token': { workflows: true } });
    work = mkdtempSync(join(tmpdir(), 'img-mgr-release-'));
    git(work, 'init', '--quiet', '--initial-branch=main');
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    const notes = ['1.2.0', '1.1.0', '1.0.0'].map((version) => `## [${version}] - 2026-12-01\n\n- ${version}.\n`);
    writeFileSync(join(work, 'CHANGELOG.md'), `# Changelog\n\n${notes.join('\n')}`);
    first = commit('first');
    second = commit('second, with another release workflow');
    third = commit('third, with yet another release workflow');
    git(work, 'push', '--quiet', github.gitDir, 'main');
  });
  afterAll(async () => {
    await github.close();
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const tag of git(work, 'tag', '--list').split('\n').filter(Boolean)) git(work, 'tag', '-d', tag);
  });

  it('creates both tags through the https remote with the App token', async () => {
    const run = await release('1.0.0', first, 'app-token');
    expect(run.status, run.output).toBe(0);
    expect(remoteTags()).toEqual({ 'v1.0.0': first, v1: first });
  });

  it('with the plain token, moving v1 past a workflow change lands neither tag and names the permission', async () => {
    const run = await release('1.1.0', second, 'plain-token');
    expect(run.status).toBe(1);
    expect(run.output).toContain(refusal);
    expect(run.output.trim().split('\n').at(-1)).toBe(
      `::error::${github.url} refused the release, and neither tag landed: the token lacks the \`workflows\` ` +
        'permission that moving v1 to a commit with other workflows needs. Give the release job a GitHub App ' +
        'token with contents and workflows write (README, Releasing), then re-run.',
    );
    expect(remoteTags()).toEqual({ 'v1.0.0': first, v1: first });
  });

  it('with the App token, the re-run lands both tags', async () => {
    const run = await release('1.1.0', second, 'app-token');
    expect(run.status, run.output).toBe(0);
    expect(remoteTags()).toEqual({ 'v1.0.0': first, 'v1.1.0': second, v1: second });
  });

  it('a further re-run converges: the release is already there, and nothing changes', async () => {
    const before = git(github.gitDir, 'show-ref', '--tags');
    const run = await release('1.1.0', second, 'app-token');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(`v1.1.0 is already at ${second}.`);
    expect(git(github.gitDir, 'show-ref', '--tags')).toBe(before);
  });

  it('completes a release whose vX.Y.Z landed while vX stayed behind, keeping that tag', async () => {
    // What a push of vX.Y.Z alone left: the release tag, and v1 on the previous release.
    git(work, 'tag', '--annotate', '--message', 'v1.2.0', 'v1.2.0', third);
    git(work, 'push', '--quiet', github.gitDir, 'refs/tags/v1.2.0');
    git(work, 'tag', '-d', 'v1.2.0');
    const landed = git(github.gitDir, 'rev-parse', 'refs/tags/v1.2.0');
    const run = await release('1.2.0', third, 'app-token');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(`Moved v1 to ${third} (v1.2.0).`);
    expect(remoteTags()).toMatchObject({ 'v1.2.0': third, v1: third });
    expect(git(github.gitDir, 'rev-parse', 'refs/tags/v1.2.0')).toBe(landed);
  });

  it('an existing vX.Y.Z at another commit stops the re-run, and nothing moves', async () => {
    const before = remoteTags();
    const run = await release('1.1.0', first, 'app-token');
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n').at(-1)).toBe(
      `::error::v1.1.0 already exists on ${github.url} at ${second}; release a new version instead of replacing one.`,
    );
    expect(remoteTags()).toEqual(before);
  });
});
