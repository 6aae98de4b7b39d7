/**
 * The `run:` scripts of the workflows that only run on GitHub (act skips
 * them), and the scripts they call, run here with bash the way the runner
 * does: inputs through env, results in GITHUB_OUTPUT. The OIDC token service
 * is a local HTTP server that hands out an unsigned token with the claims
 * GitHub puts in; git remotes are local repositories.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStandInAppRepository, parseCommandFile, repoRoot, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
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

describe('resolve: the role to assume', () => {
  const step = 'Check the role to assume';
  const CFN_ROLE = 'arn:aws:iam::123456789012:role/img-mgr/deploy/img-mgr-cfn-execution';

  it('accepts an IAM role ARN', async () => {
    expect(
      (
        await runStep('resolve', step, {
          CFN_ROLE,
          ROLE_TO_ASSUME: 'arn:aws:iam::123456789012:role/img-mgr-github-deploy-dev',
          BAKES: 'false',
        })
      ).status,
    ).toBe(0);
  });

  it.each(['', 'img-mgr-github-actions', 'arn:aws:iam::123456789012:user/someone'])(
    'rejects %j, naming the variable to set',
    async (role) => {
      const run = await runStep('resolve', step, { CFN_ROLE, ROLE_TO_ASSUME: role, ENVIRONMENT: 'dev', BAKES: 'true' });
      expect(run.status).toBe(1);
      expect(run.output.trim().split('\n')).toHaveLength(1);
      expect(run.output).toMatch(
        new RegExp(
          /^::error::Input 'role-to-assume' has '.*', which is not an IAM role ARN; /.source +
            /set the repository variable the caller passes \(AWS_ROLE_ARN in workflows-example\)/.source,
        ),
      );
    },
  );

  it('names AWS_PROD_ROLE_ARN when the prod deploy role is missing', async () => {
    const run = await runStep('resolve', step, { CFN_ROLE, ROLE_TO_ASSUME: '', ENVIRONMENT: 'prod', BAKES: 'false' });
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output.trim()).toMatch(
      new RegExp(
        /^::error::Input 'role-to-assume' has '', .*\(AWS_PROD_ROLE_ARN in workflows-example\) /.source +
          /to the DeployRoleArn output of the cloudformation\/github-deploy-role\.yaml stack of environment 'prod'\.$/
            .source,
      ),
    );
  });

  // A deploy role trusts only its environment.
  it('requires bake-role-to-assume when the run bakes, not for a rollback or promote', async () => {
    const role = 'arn:aws:iam::123456789012:role/img-mgr-github-deploy-dev';
    const bakeRole = 'arn:aws:iam::123456789012:role/img-mgr-github-bake';
    expect(
      (await runStep('resolve', step, { CFN_ROLE, ROLE_TO_ASSUME: role, BAKE_ROLE_TO_ASSUME: bakeRole, BAKES: 'true' }))
        .status,
    ).toBe(0);
    expect(
      (await runStep('resolve', step, { CFN_ROLE, ROLE_TO_ASSUME: role, BAKE_ROLE_TO_ASSUME: '', BAKES: 'false' }))
        .status,
    ).toBe(0);
    const missing = await runStep('resolve', step, {
      CFN_ROLE,
      ROLE_TO_ASSUME: role,
      BAKE_ROLE_TO_ASSUME: '',
      BAKES: 'true',
    });
    expect(missing.status).toBe(1);
    expect(missing.output.trim().split('\n')).toHaveLength(1);
    expect(missing.output).toMatch(
      new RegExp(
        /^::error::Input 'bake-role-to-assume' is empty, but this run bakes; /.source +
          /set the repository variable the caller passes \(AWS_BAKE_ROLE_ARN in workflows-example\) /.source +
          /to the BakeRoleArn output of cloudformation\/github-oidc\.yaml/.source,
      ),
    );
    const run = await runStep('resolve', step, {
      CFN_ROLE,
      ROLE_TO_ASSUME: role,
      BAKE_ROLE_TO_ASSUME: 'img-mgr-bake',
      BAKES: 'true',
    });
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output).toMatch(
      new RegExp(
        /^::error::Input 'bake-role-to-assume' has 'img-mgr-bake', which is not an IAM role ARN; /.source +
          /set the repository variable .*AWS_BAKE_ROLE_ARN/.source,
      ),
    );
  });

  it.each(['', 'img-mgr-cfn'])(
    'requires cloudformation-role-arn (%j), before anything is published: the deploy roles create no resources',
    async (cfnRole) => {
      const run = await runStep('resolve', step, {
        CFN_ROLE: cfnRole,
        ROLE_TO_ASSUME: 'arn:aws:iam::123456789012:role/img-mgr-github-deploy-dev',
        BAKES: 'false',
      });
      expect(run.status).toBe(1);
      expect(run.output.trim().split('\n')).toHaveLength(1);
      expect(run.output).toMatch(
        new RegExp(
          /^::error::Input 'cloudformation-role-arn' has '.*', which is not an IAM role ARN; /.source +
            /set the repository variable the caller passes \(CFN_EXECUTION_ROLE_ARN in workflows-example\)/.source,
        ),
      );
    },
  );
});

describe('resolve: the trusted branch, checked before any AWS call', () => {
  const step = 'Check the branch';
  const check = (ref: string, trusted: string, needsBranch = true) =>
    runStep('resolve', step, { GITHUB_REF: ref, TRUSTED_BRANCH: trusted, NEEDS_BRANCH: String(needsBranch) });

  it('passes on the trusted branch, and on a branch that its wildcard matches like the trust policy', async () => {
    expect((await check('refs/heads/master', 'master')).status).toBe(0);
    expect((await check('refs/heads/release/1.2', 'release/*')).status).toBe(0);
  });

  it.each(['refs/heads/main', 'refs/heads/feature', 'refs/tags/v1', 'refs/heads/master-copy'])(
    'fails on %s with one line naming the variable TRUSTED_BRANCH',
    async (ref) => {
      const run = await check(ref, 'master');
      expect(run.status).toBe(1);
      expect(run.output.trim().split('\n')).toHaveLength(1);
      expect(run.output).toMatch(
        new RegExp(
          `^::error::This run is on '${ref}', but only the branch 'master' may assume the AWS role ` +
            "\\(input 'trusted-branch', the repository variable TRUSTED_BRANCH",
        ),
      );
    },
  );

  it('rollback/promote into a GitHub environment: runs from any branch, no bake; env is the OIDC subject', async () => {
    expect((await check('refs/heads/feature', 'master', false)).status).toBe(0);
  });
});

describe("resolve: flask-ref, by default the app's default branch", () => {
  const step = 'Resolve flask-ref to a commit';
  const FORK = 'you/flask-aws-storage';
  let app = '';
  let master = '';
  let feature = '';
  // `git ls-remote https://github.com/you/...` reads the local repository instead.
  const redirect = () => ({
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${app}/.insteadOf`,
    GIT_CONFIG_VALUE_0: `https://github.com/${FORK}.git`,
  });
  const resolve = (ref: string) => runStep('resolve', step, { FLASK_REPO: FORK, FLASK_REF: ref, ...redirect() });

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'img-mgr-app-'));
    master = initStandInAppRepository(app);
    git(app, 'checkout', '--quiet', '-b', 'feature');
    git(app, 'commit', '--quiet', '--allow-empty', '-m', 'feature');
    feature = git(app, 'rev-parse', 'HEAD');
    git(app, 'checkout', '--quiet', UPSTREAM_DEFAULT_BRANCH);
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('refuses a URL with credentials before printing anything of it', async () => {
    const token = 'ghp_planted0123456789abcdefABCDEF012345';
    const run = await runStep('resolve', step, {
      FLASK_REPO: `https://x-access-token:${token}@github.com/${FORK}.git`,
      FLASK_REF: '',
    });
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output).toMatch(/^::error::Input 'flask-repo' holds credentials in its URL/);
    expect(run.output).not.toContain(token);
    expect(run.outputs).toEqual({});
  });

  it('takes a commit SHA as is and makes owner/name a URL on this GitHub server, without a network call', async () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    const run = await runStep('resolve', step, { FLASK_REPO: FORK, FLASK_REF: sha });
    expect(run.status, run.output).toBe(0);
    expect(run.outputs).toEqual({ url: `https://github.com/${FORK}.git`, revision: sha });
  });

  it('empty: bakes the default branch that git ls-remote --symref reports (master, like upstream)', async () => {
    const run = await resolve('');
    expect(run.status, run.output).toBe(0);
    expect(run.outputs.revision).toBe(master);
    expect(run.output).toContain(
      `Baking https://github.com/${FORK}.git at its default branch ${UPSTREAM_DEFAULT_BRANCH} = ${master}`,
    );
  });

  it('empty: follows the default branch wherever HEAD points, not a fixed name', async () => {
    git(app, 'symbolic-ref', 'HEAD', 'refs/heads/feature');
    try {
      const run = await resolve('');
      expect(run.status, run.output).toBe(0);
      expect(run.outputs.revision).toBe(feature);
    } finally {
      git(app, 'symbolic-ref', 'HEAD', `refs/heads/${UPSTREAM_DEFAULT_BRANCH}`);
    }
  });

  it('an explicit branch is honoured, even when it is not the default one', async () => {
    expect((await resolve('feature')).outputs.revision).toBe(feature);
    expect((await resolve('master')).outputs.revision).toBe(master);
  });

  it('fails in one line naming flask-ref for a missing ref, and for a repository with no default branch', async () => {
    const missing = await resolve('main');
    expect(missing.status).toBe(1);
    expect(missing.output.trim()).toBe(
      `::error::Input 'flask-ref' has 'main', which is no branch, tag or ref of https://github.com/${FORK}.git.`,
    );
    const empty = mkdtempSync(join(tmpdir(), 'img-mgr-empty-'));
    try {
      git(empty, 'init', '--quiet');
      const run = await runStep('resolve', step, {
        FLASK_REPO: FORK,
        FLASK_REF: '',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: `url.file://${empty}/.insteadOf`,
        GIT_CONFIG_VALUE_0: `https://github.com/${FORK}.git`,
      });
      expect(run.status).toBe(1);
      expect(run.output.trim()).toMatch(
        new RegExp(
          /^::error::Input 'flask-ref' is empty, and /.source +
            /https:\/\/github\.com\/you\/flask-aws-storage\.git names no default branch/.source,
        ),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects a flask-repo that is neither owner/name nor https', async () => {
    const run = await runStep('resolve', step, { FLASK_REPO: 'git@github.com:you/app.git', FLASK_REF: master });
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe(
      "::error::Input 'flask-repo' has 'git@github.com:you/app.git', which is neither owner/name nor an https:// git URL.",
    );
  });
});

describe('a refused OIDC token: the actual sub beside the one the role needs (.github/scripts/oidc-subject.sh)', () => {
  const scriptPath = join(root, '.github', 'scripts', 'oidc-subject.sh');
  const role = 'arn:aws:iam::123456789012:role/img-mgr-github-actions';
  const repository = {
    repository: 'octo/flask-aws-storage',
    repository_owner: 'octo',
    repository_owner_id: '1111',
    repository_id: '2222',
  };
  let tokens: TokenServer;
  beforeAll(async () => {
    tokens = await startTokenServer();
  });
  afterAll(() => tokens.close());
  const explain = () =>
    runBash([scriptPath], {
      ROLE_TO_ASSUME: role,
      ACTIONS_ID_TOKEN_REQUEST_URL: tokens.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    });

  it('a legacy subject on a branch: names the immutable subject and the stack parameters, in one line', async () => {
    tokens.claims = {
      ...repository,
      sub: 'repo:octo/flask-aws-storage:ref:refs/heads/master',
      ref: 'refs/heads/master',
    };
    const run = await explain();
    expect(run.status, run.output).toBe(0);
    expect(tokens.requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=sts.amazonaws.com');
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output.trim()).toBe(
      `::error::Could not assume ${role}. ` +
        "This job's OIDC sub is 'repo:octo/flask-aws-storage:ref:refs/heads/master'; " +
        "the role must trust 'repo:octo@1111/flask-aws-storage@2222:ref:refs/heads/master' " +
        '(cloudformation/github-oidc.yaml: GitHubOwnerId=1111 GitHubRepositoryId=2222 AllowedBranch=master, ' +
        'or SubjectPrefix=repo:octo/flask-aws-storage when the sub has another form); ' +
        'its TrustedSubjects output lists what it trusts.',
    );
  });

  it('an immutable subject in an environment: the environment is the context', async () => {
    const sub = 'repo:octo@1111/flask-aws-storage@2222:environment:prod';
    tokens.claims = { ...repository, sub, ref: 'refs/heads/master', environment: 'prod' };
    const run = await explain();
    expect(run.output).toContain(`OIDC sub is '${sub}'; the role must trust '${sub}'`);
    expect(run.output).toContain(
      '(cloudformation/github-deploy-role.yaml: GitHubOwnerId=1111 GitHubRepositoryId=2222 Environment=prod,',
    );
    expect(run.output).toContain('SubjectPrefix=repo:octo@1111/flask-aws-storage@2222 ');
  });

  it('without id-token: write, says so', async () => {
    const run = await runBash([scriptPath], { ROLE_TO_ASSUME: role });
    expect(run.output.trim()).toBe(
      `::error::Could not assume ${role}: this job has no OIDC token; ` +
        "the calling job must grant 'permissions: id-token: write'.",
    );
  });

  it('is what every job runs after a failed credentials step, and only then', () => {
    for (const file of ['bake-and-deploy.yml']) {
      for (const [name, job] of Object.entries(workflows[file]?.jobs ?? {})) {
        const steps = job.steps as (Step & { id?: string; uses?: string; if?: string })[];
        const assume = steps.findIndex((candidate) =>
          candidate.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        if (assume < 0) continue;
        expect(steps[assume]?.id, name).toBe('assume');
        expect(steps[assume + 1]?.if, name).toBe("${{ failure() && steps.assume.outcome == 'failure' }}");
        expect(steps[assume + 1]?.run, name).toBe('bash .img-mgr/.github/scripts/oidc-subject.sh');
      }
    }
  });
});

describe("bake: the runner's public address as Packer's only SSH source (.github/scripts/runner-address.sh)", () => {
  const scriptPath = join(root, '.github', 'scripts', 'runner-address.sh');
  /** A stand-in for checkip.amazonaws.com: answers each request with the next of `answers` (status, body). */
  let answers: [number, string][] = [];
  let requests = 0;
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests++;
      const [status, body] = answers.shift() ?? [500, 'no answer left'];
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(() => server.close());
  afterEach(() => {
    answers = [];
    requests = 0;
  });

  /** Runs the script; returns the run and what it wrote to GITHUB_ENV. */
  async function lookUp(checkipUrl = url): Promise<StepRun & { githubEnv: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'img-mgr-env-'));
    try {
      const githubEnv = join(dir, 'env');
      writeFileSync(githubEnv, '');
      const run = await runBash([scriptPath], { CHECKIP_URL: checkipUrl, GITHUB_ENV: githubEnv });
      return { ...run, githubEnv: readFileSync(githubEnv, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('exports PKR_VAR_ssh_source_cidr=<address>/32 for the bake, and says so in one line', async () => {
    answers = [[200, '203.0.113.7\n']];
    const run = await lookUp();
    expect(run.status, run.output).toBe(0);
    expect(run.githubEnv).toBe('PKR_VAR_ssh_source_cidr=203.0.113.7/32\n');
    expect(run.output.trim()).toBe(
      "Packer's temporary security group admits SSH from 203.0.113.7/32 only (this runner).",
    );
  });

  it.each([
    ['an octet over 255', '256.1.1.1\n'],
    ['three octets', '1.2.3\n'],
    ['a leading zero', '01.2.3.4\n'],
    ['an IPv6 address', '2001:db8::1\n'],
    ['two addresses', '203.0.113.7, 198.51.100.1\n'],
    ['a second line', '203.0.113.7\n198.51.100.1\n'],
    ['a CIDR already', '0.0.0.0/0\n'],
    ['a proxy page', '<html><body>Please log in</body></html>'],
    ['nothing', ''],
  ])('refuses %s with one line, exporting nothing (never 0.0.0.0/0)', async (_name, body) => {
    answers = [[200, body]];
    const run = await lookUp();
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n')).toHaveLength(1);
    expect(run.output.trim()).toMatch(
      new RegExp(
        /^::error::http:\/\/127\.0\.0\.1:\d+\/ answered '.*', which is not one IPv4 address; /.source +
          /the bake stops rather than open Packer's SSH port to 0\.0\.0\.0\/0\.$/.source,
      ),
    );
    expect(run.githubEnv).toBe('');
  });

  it('retries a failed lookup (bounded, logged), then fails with one error line', async () => {
    answers = [
      [503, 'busy'],
      [503, 'busy'],
      [503, 'busy'],
    ];
    const run = await lookUp();
    expect(run.status).toBe(1);
    expect(requests).toBe(3);
    const lines = run.output.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('::error::'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        /^::error::Could not find this runner's public IPv4 address at http:\/\/127\.0\.0\.1:\d+\/ /.source +
          /after 3 attempts \(.*503.*\); the bake stops/.source,
      ),
    );
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(/^Attempt 1 of 3 .* retrying in [1-3] s\.$/),
      expect.stringMatching(/^Attempt 2 of 3 .* retrying in [1-3] s\.$/),
    ]);
    expect(run.githubEnv).toBe('');
  }, 20_000);

  it('succeeds when a retry answers', async () => {
    answers = [
      [503, 'busy'],
      [200, '198.51.100.23\r\n'],
    ];
    const run = await lookUp();
    expect(run.status, run.output).toBe(0);
    expect(run.githubEnv).toBe('PKR_VAR_ssh_source_cidr=198.51.100.23/32\n');
  }, 20_000);

  it('fails when nothing listens there', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    closed.close();
    const run = await lookUp(`http://127.0.0.1:${port}/`);
    expect(run.status).toBe(1);
    expect(run.output.trim().split('\n').at(-1)).toMatch(
      /^::error::Could not find this runner's public IPv4 address at .* after 3 attempts/,
    );
    expect(run.githubEnv).toBe('');
  }, 20_000);

  it('runs in the bake job before bake-ami, on GitHub only, via checkip.amazonaws.com; address unfingerprinted', () => {
    const steps = workflows['bake-and-deploy.yml']?.jobs.bake?.steps as (Step & {
      if?: string;
      env?: Record<string, string>;
      uses?: string;
      with?: Record<string, string>;
    })[];
    const lookup = steps.findIndex((step) => step.run === 'bash .img-mgr/.github/scripts/runner-address.sh');
    const bake = steps.findIndex((step) => step.uses === './.img-mgr/actions/bake-ami');
    expect(lookup).toBeGreaterThan(0);
    expect(bake).toBeGreaterThan(lookup);
    expect(steps[lookup]?.if).toBe('${{ !env.ACT }}');
    expect(steps[lookup]?.env).toEqual({ CHECKIP_URL: 'https://checkip.amazonaws.com' });
    expect(steps[bake]?.with?.variables).not.toContain('ssh_source_cidr');
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
