/**
 * The `run:` scripts of the reusable workflow that only run on GitHub (act
 * skips them), run here with bash the way the runner does: inputs through
 * env, results in GITHUB_OUTPUT. The OIDC token service is a local HTTP
 * server that hands out an unsigned token with the claims GitHub puts in.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandFile, repoRoot } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  run?: string;
}
const workflow = parse(readFileSync(join(repoRoot(), '.github', 'workflows', 'bake-and-deploy.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>;
};

function script(job: string, name: string): string {
  const run = workflow.jobs[job]?.steps.find((step) => step.name === name)?.run;
  if (!run) throw new Error(`no run: step '${name}' in job ${job}`);
  return run;
}

interface StepRun {
  status: number | null;
  output: string;
  outputs: Record<string, string>;
}

/**
 * Runs a step's script with bash -e (the runner's `shell: bash`) in an empty
 * runner environment. Asynchronously: the token server lives in this process.
 */
async function runStep(job: string, name: string, env: Record<string, string>): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-step-'));
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  try {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script(job, name)], {
      env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: outputFile, GITHUB_SERVER_URL: 'https://github.com', ...env },
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

const base64url = (value: string) => Buffer.from(value).toString('base64url');

describe("resolve: this workflow's repository and commit from the OIDC token", () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  let server: Server;
  let url = '';
  let claims: Record<string, unknown> = {};
  const requests: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request);
      if (request.headers.authorization !== 'bearer request-token') {
        response.writeHead(401).end();
        return;
      }
      // Claims of every length, so that the base64url padding varies.
      const token = [base64url('{"alg":"RS256"}'), base64url(JSON.stringify(claims)), 'signature'].join('.');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/token?api-version=2.0`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const step = "Find this workflow's repository and commit (OIDC claims)";

  it.each(['', 'x', 'xy', 'xyz'])('reads job_workflow_ref and job_workflow_sha (claim padding %#)', async (pad) => {
    claims = { job_workflow_ref: 'octo-org/img-mgr-actions/.github/workflows/bake-and-deploy.yml@refs/tags/v1', job_workflow_sha: sha, pad };
    const run = await runStep('resolve', step, { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' });
    expect(run.status, run.output).toBe(0);
    expect(run.outputs).toEqual({ repository: 'octo-org/img-mgr-actions', sha });
    expect(requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=img-mgr-workflow-source');
  });

  it('fails with one clear line without id-token: write', async () => {
    const run = await runStep('resolve', step, {});
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe("::error::The calling job must grant 'permissions: id-token: write' to this workflow.");
  });

  it('fails when the token carries no workflow commit', async () => {
    claims = { sub: 'repo:octo-org/app:ref:refs/heads/main' };
    const run = await runStep('resolve', step, { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' });
    expect(run.status).toBe(1);
    expect(run.output).toContain("::error::Cannot tell this workflow's commit from the OIDC token");
    expect(run.outputs).toEqual({});
  });
});

describe('resolve: the role to assume', () => {
  const step = 'Check the role to assume';

  it('accepts an IAM role ARN', async () => {
    expect((await runStep('resolve', step, { ROLE_TO_ASSUME: 'arn:aws:iam::123456789012:role/img-mgr-github-actions' })).status).toBe(0);
  });

  it.each(['', 'img-mgr-github-actions', 'arn:aws:iam::123456789012:user/someone'])('rejects %j, naming the variable to set', async (role) => {
    const run = await runStep('resolve', step, { ROLE_TO_ASSUME: role });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^::error::Input 'role-to-assume' has '.*', which is not an IAM role ARN; set the repository variable .*AWS_ROLE_ARN/);
  });
});

describe('resolve: flask-repo and flask-ref', () => {
  const step = 'Resolve flask-ref to a commit';
  const sha = 'fedcba9876543210fedcba9876543210fedcba98';

  it('takes a commit SHA as it is and makes owner/name a URL on this GitHub server, without a network call', async () => {
    const run = await runStep('resolve', step, { FLASK_REPO: 'you/flask-aws-storage', FLASK_REF: sha });
    expect(run.status, run.output).toBe(0);
    expect(run.outputs).toEqual({ url: 'https://github.com/you/flask-aws-storage.git', revision: sha });
  });

  it('rejects a flask-repo that is neither owner/name nor https', async () => {
    const run = await runStep('resolve', step, { FLASK_REPO: 'git@github.com:you/app.git', FLASK_REF: sha });
    expect(run.status).toBe(1);
    expect(run.output.trim()).toBe("::error::Input 'flask-repo' has 'git@github.com:you/app.git', which is neither owner/name nor an https:// git URL.");
  });
});
