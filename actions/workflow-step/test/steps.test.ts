/**
 * The bundled action as the runner runs it (dist/index.js, inputs through
 * INPUT_*): each step's refusal is its one error line, its results are its
 * outputs, exported variables and job summary. The decisions themselves are
 * tested in packages/workflow-run.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { runBundledAction } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const step = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runBundledAction('workflow-step', { inputs, env, timeoutMs: 30_000 });

/** Every line the step wrote except the runner's own debug lines. */
const lines = (log: string): string[] => log.split('\n').filter((line) => line && !line.startsWith('::debug::'));

describe('workflow-step, bundled', () => {
  it('fails in one line without a step, and names the steps for an unknown one', async () => {
    expect((await step({})).errors).toEqual(["Input 'step' is required but was not set"]);
    const unknown = await step({ step: 'deploy' });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.errors[0]).toMatch(/^Input 'step' must be one of check-run, resolve-app-revision, /);
  });

  it('check-run: a run on another branch fails with exactly one error line, before the roles', async () => {
    const run = await step(
      { step: 'check-run', 'trusted-branch': 'master', 'role-to-assume': '' },
      { GITHUB_REF: 'refs/heads/main' },
    );
    expect(run.exitCode).toBe(1);
    expect(lines(run.log)).toEqual([
      "::error::This run is on 'refs/heads/main', but only the branch 'master' may assume the AWS role " +
        "(input 'trusted-branch', the repository variable TRUSTED_BRANCH in workflows-example); " +
        "run it on that branch, or set TRUSTED_BRANCH and the role's AllowedBranch to your default branch.",
    ]);
  });

  it('check-run: the roles on GitHub; under act, where AWS calls go instead', async () => {
    const inputs = { step: 'check-run', 'trusted-branch': 'master', 'role-to-assume': '' };
    const github = await step(inputs, { GITHUB_REF: 'refs/heads/master' });
    expect(github.exitCode).toBe(1);
    expect(github.errors).toEqual([expect.stringMatching(/^Input 'cloudformation-role-arn' has '', which is not/)]);
    const act = await step(inputs, { GITHUB_REF: 'refs/heads/master', ACT: 'true', AWS_ENDPOINT_URL: 'http://x:1' });
    expect(act.exitCode, act.log).toBe(0);
    expect(lines(act.log)).toEqual([
      'Trusted branch: master; this run is on refs/heads/master.',
      'act: AWS calls go to http://x:1',
    ]);
  });

  it('resolve-app-revision: a full SHA is the revision, owner/name a URL on GITHUB_SERVER_URL', async () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    const run = await step(
      { step: 'resolve-app-revision', 'flask-repo': 'you/app', 'flask-ref': sha, 'aws-region': 'us-west-2' },
      { GITHUB_SERVER_URL: 'https://github.example.com' },
    );
    expect(run.exitCode, run.log).toBe(0);
    const url = 'https://github.example.com/you/app.git';
    expect(run.outputs).toEqual({
      'flask-url': url,
      'app-revision': sha,
      'packer-variables': JSON.stringify({ flask_repo: url, flask_ref: sha, region: 'us-west-2' }),
    });
    expect(run.log).toContain(`Baking https://github.example.com/you/app.git at ${sha} = ${sha}`);
  });

  it.each([
    ['check-run', 'flask-repo'],
    ['resolve-app-revision', 'flask-repo'],
    ['check-run', 'flask-ref'],
    ['resolve-app-revision', 'flask-ref'],
    ['check-run', 'parameter-file'],
    ['check-run', 'stack-name'],
  ])(
    '%s: a %s with a comma, a line break or ${...} fails in one line naming it, before git runs',
    async (name, input) => {
      const sha = 'fedcba9876543210fedcba9876543210fedcba98';
      const valid: Record<string, string> = {
        'flask-repo': 'https://github.com/o/app.git',
        'flask-ref': sha,
        'parameter-file': 'deploy/dev.json',
        'stack-name': 'img-mgr-dev',
      };
      for (const tail of [
        ',ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge',
        '\ninstance_type=t3.2xlarge',
        '${x}',
      ]) {
        const run = await step(
          { step: name, ...valid, [input]: `${valid[input] ?? ''}${tail}`, 'aws-region': 'us-east-1' },
          { GITHUB_REF: 'refs/heads/master', ACT: 'true' },
        );
        expect(run.exitCode).toBe(1);
        expect(run.errors).toEqual([expect.stringMatching(new RegExp(`^Input '${input}' has `))]);
        expect(run.outputs).toEqual({});
        expect(run.log).not.toContain('::group::');
      }
    },
  );

  it('summarize-revert: the markdown goes to the job summary, the run id in the rejected tag', async () => {
    const run = await step({
      step: 'summarize-revert',
      'ami-id': 'ami-0fedcba9876543210',
      'previous-ami-id': 'ami-0123456789abcdef0',
      'previous-version': '1',
      'reverted-version': '3',
      'revert-outcome': 'success',
      'parameter-name': '/common/img-mgr/golden-ami',
      'stack-name': 'img-mgr-dev',
      environment: 'dev',
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.summary).toContain('### img-mgr rollout to dev FAILED: reverted\n');
    expect(run.summary).toContain(`tagged \`img-mgr:rejected=${run.runner.env.GITHUB_RUN_ID}\``);
  });

  describe('smoke-test (no AWS call on these paths)', () => {
    const smoke = (inputs: Record<string, string>) =>
      step({
        step: 'smoke-test',
        'stack-name': 'img-mgr-dev',
        'ami-id': 'ami-0fedcba9876543210',
        'aws-region': 'us-east-1',
        ...inputs,
      });

    it('a smoke-samples of the wrong shape is one error line naming it', async () => {
      const run = await smoke({ 'smoke-samples': '5,x=y', 'stack-outputs': '{"Url":"http://alb.example/"}' });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        expect.stringMatching(/^Input 'smoke-samples' has '5,x=y', which is not a whole number/),
      ]);
    });

    it('no Url output and no smoke-url: one error line naming the output; smoke-result no-url, no link', async () => {
      const run = await smoke({ 'stack-outputs': '{"BucketName":"img-mgr-dev-uploadsbucket-1"}' });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        "The smoke test needs the site's URL: stack img-mgr-dev has no 'Url' output; " +
          "add one (cloudformation/img-mgr.yaml's), pass smoke-url, or set smoke-test: false.",
      ]);
      expect(run.outputs).toMatchObject({ url: '', 'smoke-result': 'no-url' });
    });

    it('off: succeeds without a request, and still gives the link', async () => {
      const run = await smoke({ 'smoke-test': 'false', 'stack-outputs': '{"Url":"http://alb.example/"}' });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.outputs).toMatchObject({ url: 'http://alb.example/', 'smoke-result': 'off' });
      expect(lines(run.log)).toContain('Smoke test off (smoke-test: false): http://alb.example/ was not checked.');
    });
  });

  it('summarize-rollout: the table, the smoke test and the timeline go to the job summary file', async () => {
    const report = {
      at: '2026-12-07T02:20:00.000Z',
      url: 'http://alb.example/',
      passed: true,
      samples: 5,
      expectedRevision: 'c0ffee0123456789abcdef0123456789abcdef01',
      revisionsSeen: { c0ffee0123456789abcdef0123456789abcdef01: 5 },
      elapsedMs: 4000,
    };
    const run = await step({
      step: 'summarize-rollout',
      'ami-id': 'ami-0fedcba9876543210',
      'previous-ami-id': 'ami-0123456789abcdef0',
      'parameter-name': '/common/img-mgr/golden-ami',
      'parameter-version': '4',
      'stack-name': 'img-mgr-dev',
      'stack-status': 'UPDATE_COMPLETE',
      environment: 'dev',
      'bake-result': 'success',
      'bake-skipped': 'true',
      'bake-ami-id': 'ami-0fedcba9876543210',
      'deploy-outcome': 'success',
      'smoke-report': JSON.stringify(report),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.summary).toContain('### img-mgr rollout to dev\n');
    expect(run.summary).toContain(
      '| Smoke test | passed: http://alb.example/, 5 answers in a row from `c0ffee012345…` in 4s |',
    );
    expect(run.summary).toContain('### Rollout timeline');
    expect(run.summary).toContain('skipped: ami-0fedcba9876543210 (an AMI with the same fingerprint exists)');
    expect(run.summary).toContain('/common/img-mgr/golden-ami version 4 → ami-0fedcba9876543210');
    expect(run.summary).toContain('**deployed; smoke test passed**');
  });

  it('summarize-revert: a reverted site that failed its smoke test is also an error annotation', async () => {
    const run = await step({
      step: 'summarize-revert',
      'ami-id': 'ami-0fedcba9876543210',
      'previous-ami-id': 'ami-0123456789abcdef0',
      'previous-version': '1',
      'reverted-version': '3',
      'revert-outcome': 'success',
      'parameter-name': '/common/img-mgr/golden-ami',
      'stack-name': 'img-mgr-dev',
      environment: 'dev',
      failed: 'smoke',
      'redeploy-reason': 'stack img-mgr-dev (UPDATE_COMPLETE) runs the rejected ami-0fedcba9876543210: redeploying it',
      'redeploy-outcome': 'success',
      'revert-smoke-report': JSON.stringify({
        url: 'http://alb.example/',
        passed: false,
        error: 'smoke test of http://alb.example/: GET / answered 500',
      }),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.errors).toEqual([
      'The revert put /common/img-mgr/golden-ami back, but the reverted site FAILED its smoke test ' +
        '(smoke test of http://alb.example/: GET / answered 500); nothing more is tried: look at img-mgr-dev now.',
    ]);
    expect(run.summary).toContain(
      '### img-mgr rollout to dev FAILED: reverted, but the reverted site FAILED its smoke test\n',
    );
  });

  describe('find-runner-address', () => {
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((_request, response) => response.end('203.0.113.7\n'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    });
    afterAll(() => server.close());

    it('exports PKR_VAR_ssh_source_cidr=<address>/32 for the bake, and says so in one line', async () => {
      const run = await step({ step: 'find-runner-address', 'checkip-url': url });
      expect(run.exitCode, run.log).toBe(0);
      expect(readFileSync(run.runner.env.GITHUB_ENV ?? '', 'utf8')).toBe('PKR_VAR_ssh_source_cidr=203.0.113.7/32\n');
      expect(run.outputs).toEqual({ 'ssh-source-cidr': '203.0.113.7/32' });
      expect(lines(run.log)).toEqual([
        "Packer's temporary security group admits SSH from 203.0.113.7/32 only (this runner).",
      ]);
    });
  });

  it('explain-refused-token: one error annotation, and the step itself succeeds', async () => {
    const role = 'arn:aws:iam::123456789012:role/img-mgr-github-bake';
    const run = await step({ step: 'explain-refused-token', 'role-to-assume': role });
    expect(run.exitCode, run.log).toBe(0);
    expect(lines(run.log)).toEqual([
      `::error::Could not assume ${role}: this job has no OIDC token; ` +
        "the calling job must grant 'permissions: id-token: write'.",
    ]);
  });

  it("plan-targets: each later wave's regions, environment, role (empty: the workflow's) and smoke URLs", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'img-mgr-plan-targets-'));
    try {
      const role = 'arn:aws:iam::123456789012:role/prod-deploy';
      writeFileSync(
        join(workspace, 'targets.yml'),
        'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    environment: prod\n' +
          `    role-to-assume: ${role}\n    smoke-urls: { eu-west-1: https://eu.example.com/ }\n`,
      );
      const inputs = { step: 'plan-targets', targets: 'targets.yml', 'aws-region': 'us-west-2', environment: 'dev' };
      const run = await step(inputs, { GITHUB_WORKSPACE: workspace });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.outputs).toEqual({
        'home-region': 'us-west-2',
        'copy-regions': '["eu-west-1"]',
        'wave-count': '2',
        'wave-2-regions': '["eu-west-1"]',
        'wave-2-environment': 'prod',
        'wave-2-role-to-assume': role,
        'wave-2-smoke-urls': '{"eu-west-1":"https://eu.example.com/"}',
        'wave-2-parameter-files': '{}',
        'wave-3-regions': '[]',
        'wave-3-environment': '',
        'wave-3-role-to-assume': '',
        'wave-3-smoke-urls': '{}',
        'wave-3-parameter-files': '{}',
      });
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('rollout-wave: bad wave input fails in one line naming it, before any AWS call (no endpoint is set)', async () => {
    const wave = {
      step: 'rollout-wave',
      wave: '2',
      'parameter-name': '/common/img-mgr/golden-ami',
      'stack-name': 'img-mgr-dev',
      template: 'app.yaml',
    };
    const regions = await step({ ...wave, 'wave-regions': 'eu-west-1' });
    expect(regions.exitCode).toBe(1);
    expect(regions.errors).toEqual([
      "Input 'wave-regions' must be a non-empty JSON array of regions (plan-targets gives it).",
    ]);
    const amis = await step({ ...wave, 'wave-regions': '["eu-west-1"]', amis: '{"eu-west-1":"ami-1"}' });
    expect(amis.errors).toEqual(["Input 'amis' has, for eu-west-1, a value that is not an AMI id"]);
  });
});
