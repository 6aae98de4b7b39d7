/**
 * The OIDC token's claims, and the one line that explains a refused token:
 * the token service is a local HTTP server that hands out an unsigned token
 * with the claims GitHub puts in, as the runner's service would.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims, explainRefusedToken, requestIdToken } from '../src/index.js';

const base64url = (value: string) => Buffer.from(value).toString('base64url');

let server: Server;
let url = '';
let claims: Record<string, unknown> = {};
let status = 200;
const requests: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request);
    if (request.headers.authorization !== 'bearer request-token' || status !== 200) {
      response.writeHead(status === 200 ? 401 : status).end();
      return;
    }
    const token = [base64url('{"alg":"RS256"}'), base64url(JSON.stringify(claims)), 'signature'].join('.');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/token?api-version=2.0`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const runnerEnv = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' });

describe('the OIDC token', () => {
  it.each(['', 'x', 'xy', 'xyz'])('asks with the audience and decodes the claims (padding %#)', async (pad) => {
    claims = { job_workflow_sha: '0123456789abcdef0123456789abcdef01234567', repository_id: 2222, pad };
    const token = await requestIdToken(runnerEnv(), 'img-mgr-workflow-source');
    expect(requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=img-mgr-workflow-source');
    expect(decodeClaims(token)).toEqual(claims);
  });

  it('refuses a token that is not a JWT', () => {
    expect(() => decodeClaims('not-a-token')).toThrow('the OIDC token is not a JWT with a JSON payload');
  });
});

describe('a refused OIDC token: the actual sub beside the one the role needs', () => {
  const role = 'arn:aws:iam::123456789012:role/img-mgr-github-actions';
  const repository = {
    repository: 'octo/flask-aws-storage',
    repository_owner: 'octo',
    repository_owner_id: '1111',
    repository_id: 2222,
  };

  it('a legacy subject on a branch: names the immutable subject and the stack parameters, in one line', async () => {
    claims = { ...repository, sub: 'repo:octo/flask-aws-storage:ref:refs/heads/master', ref: 'refs/heads/master' };
    const line = await explainRefusedToken(role, runnerEnv());
    expect(requests.at(-1)?.url).toBe('/token?api-version=2.0&audience=sts.amazonaws.com');
    expect(line).toBe(
      `Could not assume ${role}. ` +
        "This job's OIDC sub is 'repo:octo/flask-aws-storage:ref:refs/heads/master'; " +
        "the role must trust 'repo:octo@1111/flask-aws-storage@2222:ref:refs/heads/master' " +
        '(cloudformation/github-bake-role.yaml: GitHubOwnerId=1111 GitHubRepositoryId=2222 AllowedBranch=master, ' +
        'or SubjectPrefix=repo:octo/flask-aws-storage when the sub has another form); ' +
        'its TrustedSubjects output lists what it trusts.',
    );
  });

  it('an immutable subject in an environment: the environment is the context', async () => {
    const sub = 'repo:octo@1111/flask-aws-storage@2222:environment:prod';
    claims = { ...repository, sub, ref: 'refs/heads/master', environment: 'prod' };
    const line = await explainRefusedToken(role, runnerEnv());
    expect(line).toContain(`OIDC sub is '${sub}'; the role must trust '${sub}'`);
    expect(line).toContain(
      '(cloudformation/github-deploy-role.yaml: GitHubOwnerId=1111 GitHubRepositoryId=2222 Environment=prod,',
    );
    expect(line).toContain('SubjectPrefix=repo:octo@1111/flask-aws-storage@2222 ');
  });

  it('without id-token: write, says so', async () => {
    expect(await explainRefusedToken(role, {})).toBe(
      `Could not assume ${role}: this job has no OIDC token; ` +
        "the calling job must grant 'permissions: id-token: write'.",
    );
  });

  it('when the token service does not answer (after 3 attempts), says the subject is unknown', async () => {
    status = 503;
    const before = requests.length;
    try {
      expect(await explainRefusedToken('', runnerEnv())).toBe(
        "Could not assume the role, and GitHub's token service did not answer, so the token's subject is unknown.",
      );
      expect(requests.length - before).toBe(3);
    } finally {
      status = 200;
    }
  }, 20_000);
});
