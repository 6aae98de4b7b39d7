// @needs-tools moto_server packer
/**
 * Which AWS operations the chain really makes: the three bundled actions and
 * real Packer run against moto through a recording proxy (no faults), and
 * every operation seen must be one that iam-least-privilege.test.ts
 * simulates as allowed for the role of the job that makes it
 * (iam-chain-calls.ts: bakeCalls for the bake role, deployCalls for each
 * environment's deploy role). publish runs with keep-amis, so its calls are
 * compared with deployCalls with `prune`, which iam-least-privilege.test.ts
 * simulates on deploy roles rendered with PRUNE_OPT_IN (PruneReads=true), the
 * configuration a repository that prunes deploys. moto authorises nothing here: the
 * recording only tells WHICH calls are made; whether IAM allows them is judged
 * by the evaluator on the table, with the ARNs and context keys of real AWS.
 *
 * Packer here is the test bed's 1.6.6 (communicator none, no SSH), whose
 * tagging differs from the Amazon plugin the workflow installs; the table's
 * tag context follows the plugin's source (see iam-chain-calls.ts). The tags
 * of each CreateTags on an image are recorded too and judged as sent: Packer
 * and bake-ami add them after CreateImage, identically in both versions.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnvFor, runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { packerDir, packerTemplateCopy, root } from './helpers.js';
import {
  bakeCalls,
  chainCalls,
  deployCalls,
  iamActionOf,
  packerResourceTags,
  packerTags,
  pruneScope,
} from './iam-chain-calls.js';
import { REGION } from './iam-render.js';
import { startCallRecorder, type CallRecorder } from './iam-recorder.js';
import { PRUNE_OPT_IN, renderRoles } from './iam-roles.js';
import { simulate } from './iam-simulate.js';

/** Calls IAM always allows (no permission exists for them). */
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

describe('the calls the actions and real Packer make (recorded against moto; moto authorises none of them)', () => {
  let moto: Moto;
  let recorder: CallRecorder;
  let templateDir: string;
  const runs: Record<string, { exitCode: number | null; log: string }> = {};
  /** Where the bake job's calls end in the recording (the publish and deploy jobs' begin). */
  let bakeCallCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    recorder = await startCallRecorder(moto.endpoint);
    templateDir = packerTemplateCopy();
    const env = { ...awsEnvFor(recorder.endpoint, moto.region), GITHUB_WORKSPACE: root };

    const bake = await runBundledAction('bake-ami', {
      inputs: {
        template: templateDir,
        'var-files': join(packerDir, 'test.pkrvars.hcl'),
        'app-revision': 'abc123',
        variables: `ec2_endpoint=${recorder.endpoint}`,
      },
      env,
    });
    runs.bake = bake;
    runs.sweep = await runBundledAction('bake-ami', { entry: 'post', runner: bake.runner, env });
    bakeCallCount = recorder.calls.length;
    const amiId = bake.outputs['ami-id'] ?? '';
    runs.publish = await runBundledAction('publish-ami', {
      inputs: { 'ami-id': amiId, 'parameter-name': '/common/img-mgr/golden-ami', 'keep-amis': '1' },
      env,
    });

    const deploy = (stack: string, template: string, overrides: string, extra: Record<string, string> = {}) =>
      runBundledAction('deploy-stack', {
        inputs: { 'stack-name': stack, template, 'parameter-overrides': overrides, 'wait-timeout': '2m', ...extra },
        env,
        cwd: root,
      });
    runs.vpc = await deploy(
      'img-mgr-vpc-dev',
      'cloudformation/vpc.yaml',
      'cloudformation/parameters/vpc-dev-us-west-2.json',
    );
    runs.plan = await deploy(
      'img-mgr-vpc-dev',
      'cloudformation/vpc.yaml',
      'cloudformation/parameters/vpc-dev-us-west-2.json\nNatGateways=one-per-az',
      { mode: 'plan' },
    );
  });

  afterAll(async () => {
    await recorder?.stop();
    await moto?.stop();
    rmSync(templateDir, { recursive: true, force: true });
  });

  it('the bake, its post step, publish (with prune), a deploy and a plan all succeed', () => {
    for (const [name, run] of Object.entries(runs)) expect(run.exitCode, `${name}: ${run.log}`).toBe(0);
    expect(recorder.calls.length).toBeGreaterThan(30);
  });

  it(
    "every operation of the bake is in the bake role's table, " +
      "every operation of publish and deploy in the deploy role's",
    () => {
      const options = {
        tags: packerTags(),
        executionRoleArn: 'arn:aws:iam::123456789012:role/x',
        parameterName: '/common/img-mgr/golden-ami',
        stackName: 'img-mgr-dev',
        networkStackName: 'img-mgr-vpc-dev',
        prune: pruneScope('/common/img-mgr/golden-ami'),
      };
      const actionsOf = (calls: { service: string; operation: string }[]) =>
        [...new Set(calls.map((call) => iamActionOf(call.service, call.operation)))].sort();
      const bakeMade = actionsOf(recorder.calls.slice(0, bakeCallCount));
      const deployMade = actionsOf(recorder.calls.slice(bakeCallCount));
      const inBake = new Set(bakeCalls(options).map((call) => call.action));
      const inDeploy = new Set(deployCalls(options).map((call) => call.action));
      expect(bakeMade.filter((action) => !inBake.has(action) && !NEEDS_NO_PERMISSION.has(action))).toEqual([]);
      expect(deployMade.filter((action) => !inDeploy.has(action) && !NEEDS_NO_PERMISSION.has(action))).toEqual([]);
      expect(bakeMade).toEqual(expect.arrayContaining(['ec2:RunInstances', 'ec2:CreateImage']));
      expect(deployMade).toEqual(expect.arrayContaining(['ssm:PutParameter', 'cloudformation:CreateChangeSet']));
    },
  );

  it(
    'the dev deploy role with PruneReads=true allows every row of the ' +
      'table for each operation publish and deploy made (IAM evaluator)',
    async () => {
      const role = renderRoles({}, PRUNE_OPT_IN).dev;
      const table = deployCalls({
        tags: packerTags(),
        executionRoleArn: 'arn:aws:iam::123456789012:role/x',
        parameterName: '/common/img-mgr/golden-ami',
        stackName: 'img-mgr-dev',
        networkStackName: 'img-mgr-vpc-dev',
        prune: pruneScope('/common/img-mgr/golden-ami'),
      });
      const made = new Set(
        recorder.calls.slice(bakeCallCount).map((call) => iamActionOf(call.service, call.operation)),
      );
      const rows = table.filter((call) => made.has(call.action));
      expect(rows.map((call) => call.action)).toEqual(
        expect.arrayContaining([
          'ssm:GetParametersByPath',
          'ec2:DescribeLaunchTemplates',
          'cloudformation:DescribeStacks',
        ]),
      );
      const refused: string[] = [];
      for (const call of rows)
        if ((await simulate(role.arn, role.policies, call)).result !== 'Allowed')
          refused.push(`${call.by}: ${call.action} on ${call.resource}`);
      expect(refused).toEqual([]);
    },
  );

  it(
    'the bake role allows each CreateTags the bake made on an image or snapshot, with the very tags it sent ' +
      '(IAM evaluator, on images that carry created-by=packer from CreateImage, as the plugin makes them)',
    async () => {
      const role = renderRoles().bake;
      const owned = packerResourceTags(packerTags());
      const tagging = recorder.calls.slice(0, bakeCallCount).flatMap((call) => (call.tagging ? [call.tagging] : []));
      const refused: string[] = [];
      let checked = 0;
      for (const { resources, tags } of tagging)
        for (const id of resources) {
          const type = id.startsWith('ami-') ? 'image' : id.startsWith('snap-') ? 'snapshot' : undefined;
          if (!type) continue;
          const requestTags = Object.entries(tags).map(([key, value]): [string, string] => [
            `aws:RequestTag/${key}`,
            value,
          ]);
          const context = {
            'aws:RequestedRegion': REGION,
            ...owned,
            'aws:TagKeys': Object.keys(tags),
            ...Object.fromEntries(requestTags),
          };
          const call = { action: 'ec2:CreateTags', resource: `arn:aws:ec2:${REGION}::${type}/${id}`, context };
          checked += 1;
          const verdict = await simulate(role.arn, role.policies, call);
          if (verdict.result !== 'Allowed') refused.push(`${Object.keys(tags).join(',')} on ${id}: ${verdict.result}`);
        }
      expect(refused).toEqual([]);
      // Packer's `tags` on the AMI and bake-ami's bake-ami-regions record, at least.
      expect(checked).toBeGreaterThanOrEqual(2);
    },
  );

  it('every operation they made is one the least-privilege test simulates as allowed', () => {
    const simulated = new Set(
      chainCalls({
        tags: packerTags(),
        executionRoleArn: 'arn:aws:iam::123456789012:role/x',
        parameterName: '/common/img-mgr/golden-ami',
        stackName: 'img-mgr-dev',
        networkStackName: 'img-mgr-vpc-dev',
        prune: pruneScope('/common/img-mgr/golden-ami'),
      }).map((call) => call.action),
    );
    const made = [...new Set(recorder.calls.map((call) => iamActionOf(call.service, call.operation)))].sort();
    expect(made.filter((action) => !simulated.has(action) && !NEEDS_NO_PERMISSION.has(action))).toEqual([]);
    // What was seen, for the record (and to show the recording is not empty per service).
    expect(made).toEqual(
      expect.arrayContaining([
        'ec2:RunInstances',
        'ec2:CreateImage',
        'ssm:PutParameter',
        'cloudformation:CreateChangeSet',
      ]),
    );
  });
});
