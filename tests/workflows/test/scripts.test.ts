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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandFile, repoRoot } from '@img-mgr/testbed';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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
      `::error::v1.2.3 already exists on ${remote}; release a new version instead of replacing one.`,
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
});
