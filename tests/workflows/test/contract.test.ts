/**
 * Static contracts of the workflows that actionlint and zizmor cannot see:
 * the `.img-mgr/` actions are absent at lint time, and act's offline mapping
 * lives in workflows-example/act/.actrc.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionYaml, repoRoot } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  if?: string;
  needs?: string | string[];
  environment?: string | { name?: string; url?: string };
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
  steps?: Step[];
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

const root = repoRoot();
const reusablePath = join(root, '.github', 'workflows', 'bake-and-deploy.yml');

function load(path: string): Workflow {
  return parse(readFileSync(path, 'utf8')) as Workflow;
}

/** Every workflow file that lint-static checks: this repository's and the examples. */
function allWorkflows(): [string, Workflow][] {
  const files = [
    ...readdirSync(join(root, '.github', 'workflows')).map((file) => join(root, '.github', 'workflows', file)),
    ...readdirSync(join(root, 'workflows-example')).map((file) => join(root, 'workflows-example', file)),
  ].filter((file) => file.endsWith('.yml'));
  return files.map((file) => [file.slice(root.length + 1), load(file)]);
}

const reusable = load(reusablePath);

describe('the reusable workflow bake-and-deploy.yml', () => {
  it('has the inputs and outputs callers rely on', () => {
    const call = reusable.on.workflow_call;
    expect(Object.keys(call?.inputs ?? {})).toEqual(
      expect.arrayContaining([
        'flask-repo',
        'flask-ref',
        'aws-region',
        'role-to-assume',
        'parameter-name',
        'stack-name',
        'template',
        'parameter-file',
        'environment',
        'packer-version',
        'trusted-branch',
        'force',
        'only-if-baked',
        'bake-role-to-assume',
        'promote-from',
        'rollback-to',
        'subnet-id',
        'network-stack-name',
        'launch-kms-key',
        'smoke-test',
        'smoke-samples',
        'smoke-timeout',
        'smoke-url',
        'targets',
      ]),
    );
    expect(Object.keys(call?.outputs ?? {}).sort()).toEqual([
      'ami-id',
      'parameter-version',
      'stack-outputs',
      'url',
      'wave-2',
      'wave-3',
    ]);
  });

  it("defaults follow the upstream app: flask-ref empty (repository's default branch), trusted-branch master", () => {
    const inputs = reusable.on.workflow_call?.inputs as Record<string, { default?: unknown }>;
    expect(inputs['flask-ref']?.default).toBe('');
    expect(inputs['trusted-branch']?.default).toBe('master');
    expect(inputs.force?.default).toBe(false);
  });

  it('checks the branch in resolve, after only the OIDC bootstrap and the checkouts, before any AWS step', () => {
    const steps = reusable.jobs.resolve?.steps ?? [];
    const check = steps.findIndex((step) => step.with?.step === 'check-run');
    expect(steps[check]?.uses).toBe('./.img-mgr/actions/workflow-step');
    // The OIDC bootstrap, the caller's checkout (under act, whose workspace holds .img-mgr, or for the targets
    // file), img-mgr's on GitHub.
    expect(steps.slice(0, check).map((step) => [step.uses?.split('@')[0] ?? step.id, step.if])).toEqual([
      ['source', '${{ !env.ACT }}'],
      ['actions/checkout', "${{ env.ACT || inputs.targets != '' }}"],
      ['actions/checkout', '${{ !env.ACT }}'],
    ]);
    expect(steps.findIndex((step) => step.id === 'app')).toBeGreaterThan(check);
    for (const name of ['bake', 'publish', 'deploy'])
      expect([reusable.jobs[name]?.needs ?? []].flat(), name).toContain('resolve');
  });

  it('keeps its logic in TypeScript: one run: block, the OIDC bootstrap, of at most ten lines', () => {
    const runs = Object.values(reusable.jobs).flatMap((job) => (job.steps ?? []).filter((step) => step.run));
    expect(runs.map((step) => step.id)).toEqual(['source']);
    expect(runs[0]?.run?.trimEnd().split('\n').length).toBeLessThanOrEqual(10);
  });

  it('explains a refused OIDC token after every failed credentials step, and only then', () => {
    for (const [name, job] of Object.entries(reusable.jobs)) {
      const steps = job.steps ?? [];
      const assume = steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      if (assume < 0) continue;
      expect(steps[assume]?.id, name).toBe('assume');
      const explain = steps[assume + 1];
      expect(explain?.if, name).toBe("${{ failure() && steps.assume.outcome == 'failure' }}");
      expect(explain?.uses, name).toBe('./.img-mgr/actions/workflow-step');
      expect(explain?.with, name).toEqual({
        step: 'explain-refused-token',
        'role-to-assume': steps[assume]?.with?.['role-to-assume'],
      });
    }
  });

  it("finds the runner's address in bake before bake-ami, on GitHub only; the address is not fingerprinted", () => {
    const steps = reusable.jobs.bake?.steps ?? [];
    const lookup = steps.findIndex((step) => step.with?.step === 'find-runner-address');
    const bake = steps.findIndex((step) => step.uses === './.img-mgr/actions/bake-ami');
    expect(lookup).toBeGreaterThan(0);
    expect(bake).toBeGreaterThan(lookup);
    expect(steps[lookup]?.if).toBe('${{ !env.ACT }}');
    expect(steps[lookup]?.with?.['checkip-url']).toBe('https://checkip.amazonaws.com');
    expect(steps[bake]?.with?.variables ?? '').not.toContain('ssh_source_cidr');
  });

  it("passes the bake's Packer variables as data: resolve's JSON, no caller string in KEY=VALUE text", () => {
    const bake = (reusable.jobs.bake?.steps ?? []).find((step) => step.uses === './.img-mgr/actions/bake-ami');
    expect(bake?.with?.['variables-json']).toBe('${{ needs.resolve.outputs.packer-variables }}');
    // An expression in the KEY=VALUE text would paste a value whose commas or line breaks make more variables.
    expect(bake?.with?.variables ?? '').not.toContain('${{');
    const check = (reusable.jobs.resolve?.steps ?? []).find((step) => step.with?.step === 'check-run');
    for (const input of ['flask-repo', 'flask-ref', 'aws-region', 'parameter-name', 'stack-name', 'template']) {
      expect(check?.with?.[input], input).toBe(`\${{ inputs.${input} }}`);
    }
    expect(check?.with?.['parameter-file']).toBe('${{ inputs.parameter-file }}');
  });

  it('chains bake -> publish -> deploy and queues runs per stack instead of cancelling them', () => {
    const needs = (job: string) => [reusable.jobs[job]?.needs ?? []].flat();
    expect(needs('bake')).toContain('resolve');
    expect(needs('publish')).toContain('bake');
    expect(needs('deploy')).toContain('publish');
    expect(reusable.concurrency?.group).toContain('inputs.stack-name');
    expect(reusable.concurrency?.['cancel-in-progress']).toBe(false);
  });

  // A deploy role trusts only its environment.
  it('bakes with bake-role-to-assume only and no environment; other AWS jobs: the environment + role-to-assume', () => {
    const roleOf = (job: string) =>
      reusable.jobs[job]?.steps?.find((step) => step.name === 'Assume the AWS role')?.with?.['role-to-assume'];
    expect(roleOf('bake')).toBe('${{ inputs.bake-role-to-assume }}');
    expect(reusable.jobs.bake?.environment).toBeUndefined();
    expect(
      (reusable.on.workflow_call?.inputs as Record<string, { default?: unknown }>)['bake-role-to-assume']?.default,
    ).toBe('');
    for (const job of ['publish', 'deploy', 'revert']) {
      expect(roleOf(job), job).toBe('${{ inputs.role-to-assume }}');
      const environment = reusable.jobs[job]?.environment;
      expect(typeof environment === 'string' ? environment : environment?.name, job).toBe('${{ inputs.environment }}');
    }
  });

  // An empty environment name is no environment: no link either.
  it("links the deploy's environment to the site (the smoke step's url), only when there is an environment", () => {
    for (const job of ['deploy', 'revert']) {
      expect(reusable.jobs[job]?.environment, job).toEqual({
        name: '${{ inputs.environment }}',
        url: "${{ inputs.environment != '' && steps.smoke.outputs.url || '' }}",
      });
    }
    expect(reusable.jobs.deploy?.outputs?.url).toBe('${{ steps.smoke.outputs.url }}');
  });

  it('smoke-tests after deploy-stack with its outputs and the AMI published; the summary runs after a failure', () => {
    const steps = reusable.jobs.deploy?.steps ?? [];
    const deploy = steps.findIndex((step) => step.id === 'deploy');
    const smoke = steps.findIndex((step) => step.id === 'smoke');
    expect(smoke).toBe(deploy + 1);
    expect(steps[smoke]?.if).toBeUndefined();
    expect(steps[smoke]?.with).toMatchObject({
      step: 'smoke-test',
      'smoke-test': '${{ inputs.smoke-test }}',
      'smoke-url': '${{ inputs.smoke-url }}',
      'stack-outputs': '${{ steps.deploy.outputs.outputs-json }}',
      'ami-id': '${{ needs.publish.outputs.ami-id }}',
    });
    const summary = steps.find((step) => step.with?.step === 'summarize-rollout');
    expect(summary?.if).toBe('${{ !cancelled() }}');
    expect(summary?.with?.['smoke-report']).toBe('${{ steps.smoke.outputs.report }}');
  });

  it('reverts a failed deploy or smoke test that wrote a version: rejects its AMI, republishes the prior one', () => {
    const revert = reusable.jobs.revert;
    expect([revert?.needs ?? []].flat()).toEqual(['resolve', 'bake', 'publish', 'deploy']);
    // The smoke step is in the deploy job: its failure fails that job. Only a verdict on the AMI reverts: the
    // Deploy step failed, or the smoke test failed. Not a job that failed before deploying, not a smoke test that
    // could not judge (no-url, blocked), not a rollback-to run (its "before" is the AMI it rolled back from).
    expect(revert?.if).toBe(
      "${{ always() && needs.deploy.result == 'failure' && needs.publish.outputs.changed == 'true' && " +
        "inputs.rollback-to == '' && (needs.deploy.outputs.deploy-outcome == 'failure' || " +
        "needs.deploy.outputs.smoke-result == 'failed') }}",
    );
    expect(reusable.jobs.deploy?.outputs?.['deploy-outcome']).toBe('${{ steps.deploy.outcome }}');
    const step = revert?.steps?.find((candidate) => candidate.uses === './.img-mgr/actions/publish-ami');
    expect(step?.with).toEqual({
      'reject-ami': '${{ needs.publish.outputs.ami-id }}',
      'rollback-to': '${{ needs.publish.outputs.previous-version }}',
      'parameter-name': '${{ inputs.parameter-name }}',
    });
  });

  it('redeploys only a stack that runs the rejected AMI, on the restored one, then smoke-tests it once', () => {
    const steps = reusable.jobs.revert?.steps ?? [];
    const ids = steps.map((step) => step.id).filter(Boolean);
    expect(ids.slice(-4)).toEqual(['revert', 'plan', 'redeploy', 'smoke']);
    const byId = (id: string) => steps.find((step) => step.id === id);
    expect(byId('plan')?.if).toBe("${{ steps.revert.outcome == 'success' }}");
    expect(byId('plan')?.with).toMatchObject({
      step: 'plan-redeploy',
      'ami-id': '${{ needs.publish.outputs.ami-id }}',
      'restored-ami-id': '${{ steps.revert.outputs.ami-id }}',
    });
    expect(byId('redeploy')?.uses).toBe('./.img-mgr/actions/deploy-stack');
    expect(byId('redeploy')?.if).toBe("${{ steps.plan.outputs.redeploy == 'true' }}");
    expect(String(byId('redeploy')?.with?.['parameter-overrides'])).toContain(
      'ImageIdOverride=${{ steps.revert.outputs.ami-id }}',
    );
    expect(byId('smoke')?.with).toMatchObject({ step: 'smoke-test', 'ami-id': '${{ steps.revert.outputs.ami-id }}' });
    // Once: no step after it retries anything; the summary reports it.
    const after = steps.slice(steps.indexOf(byId('smoke') as Step) + 1);
    expect(after.map((step) => step.with?.step)).toEqual(['summarize-revert']);
  });

  it('a promote, like a rollback, does not bake', () => {
    expect(reusable.jobs.bake?.if).toBe("${{ inputs.rollback-to == '' && inputs.promote-from == '' }}");
  });

  it('grants each job only id-token: write, and contents: read only to the jobs that check out', () => {
    expect(reusable.permissions).toEqual({});
    for (const [name, job] of Object.entries(reusable.jobs)) {
      const checksOut = (job.steps ?? []).some((step) => step.uses?.startsWith('actions/checkout@'));
      expect(job.permissions, name).toEqual(
        checksOut ? { 'id-token': 'write', contents: 'read' } : { 'id-token': 'write' },
      );
    }
    // resolve reads its own claims from an OIDC token and checks out img-mgr at that commit.
    expect(reusable.jobs.resolve?.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it('passes each .img-mgr action only inputs its action.yml declares, and reads only outputs it declares', () => {
    const text = readFileSync(reusablePath, 'utf8');
    for (const job of Object.values(reusable.jobs)) {
      for (const step of job.steps ?? []) {
        const local = /^\.\/\.img-mgr\/actions\/([a-z-]+)$/.exec(step.uses ?? '');
        if (!local?.[1]) continue;
        const action = readActionYaml(local[1]) as {
          inputs?: Record<string, unknown>;
          outputs?: Record<string, unknown>;
        };
        expect(Object.keys(action.inputs ?? {}), step.uses).toEqual(
          expect.arrayContaining(Object.keys(step.with ?? {})),
        );
        const outputsRead = [
          ...text.matchAll(new RegExp(`steps\\.${step.id ?? '-'}\\.outputs\\.([a-z0-9-]+)`, 'g')),
        ].map((m) => m[1]);
        expect(Object.keys(action.outputs ?? {}), step.uses).toEqual(expect.arrayContaining(outputsRead));
      }
    }
  });

  it('checks img-mgr out in every job with the optional img-mgr-read-token, else the caller token', () => {
    const secrets = (reusable.on.workflow_call as { secrets?: Record<string, { required?: boolean }> }).secrets;
    expect(secrets?.['img-mgr-read-token']?.required).toBe(false);
    const checkouts = Object.entries(reusable.jobs).flatMap(([name, job]) =>
      (job.steps ?? []).filter((step) => step.with?.path === '.img-mgr').map((step) => ({ name, step })),
    );
    expect(checkouts.map(({ name }) => name).sort()).toEqual([
      'bake',
      'deploy',
      'publish',
      'resolve',
      'revert',
      'wave-2',
      'wave-3',
    ]);
    for (const { name, step } of checkouts) {
      expect(step.with?.token, name).toBe('${{ secrets.img-mgr-read-token || github.token }}');
    }
  });
});

describe('the examples for a fork', () => {
  const example = (file: string) => load(join(root, 'workflows-example', file));

  it("deploy on pushes to master and pull requests to master, the upstream app's only branch", () => {
    const push = example('deploy-on-push.yml').on.push as unknown as { branches: string[] };
    const pullRequest = example('plan-on-pull-request.yml').on.pull_request as unknown as { branches: string[] };
    expect(push.branches).toEqual(['master']);
    expect(pullRequest.branches).toEqual(['master']);
  });

  it('pass the trusted branch from the repository variable TRUSTED_BRANCH, master when unset', () => {
    for (const file of ['deploy-on-push.yml', 'deploy-manually.yml']) {
      expect(example(file).jobs['bake-and-deploy']?.with?.['trusted-branch'], file).toBe(
        "${{ vars.TRUSTED_BRANCH || 'master' }}",
      );
    }
  });

  it('rebake weekly on a schedule without force (the fingerprint decides), and offer force by hand', () => {
    const onPush = example('deploy-on-push.yml');
    const schedule = onPush.on.schedule as unknown as { cron: string }[];
    expect(schedule).toHaveLength(1);
    expect(schedule[0]?.cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
    expect(onPush.jobs['bake-and-deploy']?.with?.force).toBeUndefined();
    expect(onPush.jobs['bake-and-deploy']?.with?.['only-if-baked']).toBe("${{ github.event_name == 'schedule' }}");
    expect(example('deploy-manually.yml').jobs['bake-and-deploy']?.with?.force).toBe('${{ inputs.force }}');
  });
});

describe('environments in the examples', () => {
  const example = (file: string) => load(join(root, 'workflows-example', file));

  // /common/img-mgr is the role SSM scope.
  it("each environment has its own golden parameter under /common/img-mgr; dev's is /common/img-mgr/golden-ami", () => {
    const onPush = example('deploy-on-push.yml').jobs['bake-and-deploy']?.with;
    expect(onPush?.['parameter-name']).toBe('/common/img-mgr/golden-ami');
    expect(onPush?.environment).toBe('dev');
    expect(example('deploy-manually.yml').jobs['bake-and-deploy']?.with?.['parameter-name']).toBe(
      "${{ inputs.environment == 'dev' && '/common/img-mgr/golden-ami' || " +
        "format('/common/img-mgr/{0}/golden-ami', inputs.environment) }}",
    );
  });

  it('promote.yml copies what dev runs into prod: no bake, the prod environment, its parameter, stack and role', () => {
    const promote = example('promote.yml');
    expect(Object.keys(promote.on)).toEqual(['workflow_dispatch']);
    expect(promote.jobs.promote?.with).toMatchObject({
      'promote-from': '/common/img-mgr/golden-ami',
      'parameter-name': '/common/img-mgr/prod/golden-ami',
      environment: 'prod',
      'stack-name': 'img-mgr-prod',
      'role-to-assume': '${{ vars.AWS_PROD_ROLE_ARN }}',
    });
    expect(promote.jobs.promote?.with?.['bake-role-to-assume']).toBeUndefined();
  });

  it("roll each environment out to its own regions: dev's TARGETS, prod's PROD_TARGETS, none when unset", () => {
    expect(example('deploy-on-push.yml').jobs['bake-and-deploy']?.with?.targets).toBe('${{ vars.TARGETS }}');
    // Not `prod && PROD_TARGETS || TARGETS`: with PROD_TARGETS unset, that would give prod dev's regions.
    expect(example('deploy-manually.yml').jobs['bake-and-deploy']?.with?.targets).toBe(
      "${{ inputs.environment == 'dev' && vars.TARGETS || inputs.environment == 'prod' && vars.PROD_TARGETS || '' }}",
    );
    expect(example('promote.yml').jobs.promote?.with?.targets).toBe('${{ vars.PROD_TARGETS }}');
  });

  it('bake with the bake role, deploy with the role of the environment', () => {
    for (const file of ['deploy-on-push.yml', 'deploy-manually.yml']) {
      expect(example(file).jobs['bake-and-deploy']?.with?.['bake-role-to-assume'], file).toBe(
        '${{ vars.AWS_BAKE_ROLE_ARN }}',
      );
    }
    // Never the other environment's value when one is unset: dev's site or role is no stand-in for prod's.
    const manual = example('deploy-manually.yml').jobs['bake-and-deploy']?.with;
    expect(manual?.['role-to-assume']).toBe(
      "${{ inputs.environment == 'prod' && vars.AWS_PROD_ROLE_ARN || " +
        "inputs.environment == 'dev' && vars.AWS_ROLE_ARN || '' }}",
    );
    expect(manual?.['smoke-url']).toBe(
      "${{ inputs.environment == 'prod' && vars.PROD_SMOKE_URL || " +
        "inputs.environment == 'dev' && vars.SMOKE_URL || '' }}",
    );
  });
});

describe('every workflow, examples included', () => {
  it('interpolates no expression into a run: script (values go through env:)', () => {
    for (const [file, workflow] of allWorkflows()) {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          expect(step.run ?? '', `${file} ${name} ${step.name ?? ''}`).not.toContain('${{');
        }
      }
    }
  });

  it('runs offline under act: each remote action is mapped in .actrc or skipped with !env.ACT', () => {
    const actrc = readFileSync(join(root, 'workflows-example', 'act', '.actrc'), 'utf8');
    const mapped = new Map(
      [...actrc.matchAll(/^--local-repository (\S+)=(\S+)$/gm)].map((m) => [
        m[1],
        (m[2] ?? '').replace('${IMG_MGR_ROOT}', root).replace('${IMG_MGR_CHECKOUT}', root),
      ]),
    );
    for (const folder of mapped.values())
      expect(existsSync(join(folder, 'action.yaml')) || existsSync(folder), folder).toBe(true);
    for (const [file, workflow] of allWorkflows()) {
      // CI and releases run on GitHub only.
      if (['.github/workflows/ci.yml', '.github/workflows/release.yml'].includes(file)) continue;
      for (const [name, job] of Object.entries(workflow.jobs)) {
        const uses = [job.uses, ...(job.steps ?? []).map((step) => step.uses)].filter((ref): ref is string => !!ref);
        for (const ref of uses.filter((ref) => !ref.startsWith('./'))) {
          const [path = '', version = ''] = ref.split('@');
          const repository = path.split('/').slice(0, 2).join('/');
          expect(mapped.has(`${repository}@${version}`), `${file} ${name}: ${ref} is not mapped in .actrc`).toBe(true);
        }
        for (const step of job.steps ?? []) {
          const remote = step.uses && !step.uses.startsWith('./') && !step.uses.startsWith('img-mgr/');
          const localCheckout = step.uses?.startsWith('actions/checkout@') && !step.with?.repository;
          if (remote && !localCheckout)
            expect(step.if, `${file} ${name} ${step.name ?? step.uses}`).toBe('${{ !env.ACT }}');
        }
      }
    }
  });
});
