// @needs-tools moto_server packer
/**
 * The bundled action with a REAL Packer (Debian's 1.6.6 from .tools) baking
 * the test template against moto. Packer reaches moto through the template's
 * custom_endpoint_ec2 (variable ec2_endpoint) with communicator "none".
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  createRunnerEnv,
  repoRoot,
  runBundledAction,
  snapshotAws,
  startMoto,
  type ActionRun,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const TEMPLATE = join(import.meta.dirname, 'fixtures', 'packer');
/** The project's own template (packer/). */
const PROJECT_TEMPLATE = join(repoRoot(), 'packer');

let moto: Moto;
let ec2: EC2Client;

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client(moto.clientConfig);
});

afterAll(async () => {
  ec2.destroy();
  await moto.stop();
});

beforeEach(async () => {
  await moto.reset();
});

/** Inputs of a bake of the test template; `variables` lines are appended. */
function bakeInputs(extra: Record<string, string> = {}, variables: string[] = []): Record<string, string> {
  return {
    template: TEMPLATE,
    'var-files': join(TEMPLATE, 'test.pkrvars.hcl'),
    'app-revision': 'abc123',
    ...extra,
    variables: [`ec2_endpoint=${moto.endpoint}`, ...variables].join('\n'),
  };
}

function bake(
  inputs: Record<string, string>,
  options: Parameters<typeof runBundledAction>[1] = {},
): Promise<ActionRun> {
  return runBundledAction('bake-ami', { inputs, env: moto.env, ...options });
}

async function instancesOfRun(runId: string): Promise<Instance[]> {
  const page = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:run-id', Values: [runId] }] }));
  return (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

async function keyPairNames(): Promise<string[]> {
  return ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).map((pair) => pair.KeyName ?? '');
}

async function securityGroupNames(): Promise<string[]> {
  return ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).map(
    (group) => group.GroupName ?? '',
  );
}

/** The temporary key pair and security group names Packer announced in the log. */
function temporaryNames(log: string): { keyPair?: string; securityGroup?: string } {
  return {
    keyPair: /Creating temporary keypair: (\S+)/.exec(log)?.[1],
    securityGroup: /Creating temporary security group for this instance: (\S+)/.exec(log)?.[1],
  };
}

describe('bake-ami with real Packer against moto', { timeout: 60_000 }, () => {
  it('bakes: AMI ids per region out, AMI tagged with fingerprint and run id; manifest, summary written', async () => {
    const run = await bake(bakeInputs({}, ['copy_regions=["us-west-2"]']));
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);

    const { outputs } = run;
    const amis = JSON.parse(outputs.amis ?? '{}') as Record<string, string>;
    expect(Object.keys(amis)).toEqual(['us-east-1', 'us-west-2']);
    expect(outputs['ami-id']).toBe(amis['us-east-1']);
    expect(outputs).toMatchObject({ region: 'us-east-1', skipped: 'false' });
    expect(outputs.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const runId = run.runner.state()['run-id'] ?? '';
    expect(runId).toMatch(new RegExp(`^${run.runner.env.GITHUB_RUN_ID}-1-[0-9a-f]{6}$`));

    // Read back from moto: the AMI and its copy carry the fingerprint, run id and app revision.
    for (const region of ['us-east-1', 'us-west-2']) {
      const client = new EC2Client({ ...moto.clientConfig, region });
      const images = await client.send(new DescribeImagesCommand({ ImageIds: [amis[region] ?? ''] }));
      client.destroy();
      const tags = Object.fromEntries(
        (images.Images?.[0]?.Tags ?? []).map((tag): [string, string] => [tag.Key ?? '', tag.Value ?? '']),
      );
      expect(images.Images?.[0]?.State).toBe('available');
      expect(tags).toMatchObject({ fingerprint: outputs.fingerprint, 'run-id': runId, 'app-revision': 'abc123' });
    }

    // The manifest of this run, in Packer's manifest shape.
    const manifest = JSON.parse(readFileSync(outputs.manifest ?? '', 'utf8')) as {
      builds: { name: string; artifact_id: string; packer_run_uuid: string }[];
      last_run_uuid: string;
    };
    expect(manifest.last_run_uuid).toBe(runId);
    expect(manifest.builds).toMatchObject([
      { name: 'app', artifact_id: `us-east-1:${amis['us-east-1']},us-west-2:${amis['us-west-2']}` },
    ]);

    // Packer's UI folded per build; init skipped and said why; Packer cleaned up after itself.
    expect(run.log).toContain('::group::Packer build amazon-ebs.app\n');
    expect(run.log).toContain('Skipping packer init: the template declares no required_plugins');
    expect(run.log).toContain('==> amazon-ebs.app: Deleting temporary keypair...');
    expect((await instancesOfRun(runId)).map((instance) => instance.State?.Name)).toEqual(['terminated']);
    expect((await keyPairNames()).filter((name) => name.startsWith('packer_'))).toEqual([]);

    expect(run.summary).toContain(amis['us-west-2']);
    expect(run.summary).toContain('amazon-ebs.app');
    expect(run.summary).toContain(outputs.fingerprint);
  });

  it('does not start Packer for the same inputs again; force rebakes', async () => {
    const first = await bake(bakeInputs());
    expect(first.exitCode).toBe(0);

    const second = await bake(bakeInputs());
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      skipped: 'true',
      'ami-id': first.outputs['ami-id'],
      fingerprint: first.outputs.fingerprint,
      amis: JSON.stringify({ 'us-east-1': first.outputs['ami-id'] }),
    });
    // No Packer: neither its version check nor any packer step ran.
    expect(second.log).not.toMatch(/Using Packer|::group::packer|amazon-ebs\.app/);
    expect(second.log).toContain(`Skipping Packer: ${first.outputs['ami-id']}`);
    expect(second.summary).toContain(`skipped: already baked as <code>${first.outputs['ami-id']}</code>`);

    const changed = await bake(bakeInputs({ 'app-revision': 'def456' }));
    expect(changed.outputs.skipped).toBe('false');
    expect(changed.outputs['ami-id']).not.toBe(first.outputs['ami-id']);

    const forced = await bake(bakeInputs({ force: 'true' }));
    expect(forced.outputs).toMatchObject({ skipped: 'false', fingerprint: first.outputs.fingerprint });
    expect(forced.outputs['ami-id']).not.toBe(first.outputs['ami-id']);
  });

  it('a variable the template does not declare is one line naming variables, before Packer runs', async () => {
    const run = await bake(bakeInputs({}, ['nope=1']));
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "Input 'variables' sets 'nope', which the template does not declare (add a variable block, or drop it)",
    ]);
    expect(run.log).not.toContain('packer validate');
    expect(run.log).not.toContain('Launching a source AWS instance');
    expect(run.summary).toContain('failed after');
  });

  it("a build failure is one error line with Packer's exit code; Packer's error lines are in the log", async () => {
    const run = await bake(bakeInputs({}, ['source_ami_name=no-such-image-*']));
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('packer build failed (exit code 1); its error lines:');
    expect(run.log).toMatch(/^ {2}amazon-ebs\.app: No AMI was found matching filters: \{$/m);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^packer build failed with exit code 1: /);
    expect(run.outputs['ami-id']).toBeUndefined();
  });

  it('cancellation: SIGINT mid-build reaches Packer, which cleans up in time; post step finds nothing', async () => {
    const run = await bake(bakeInputs({}, ['pause_seconds=60']), {
      cancel: { when: (log) => log.includes('Pausing 1m0s before the next provisioner') },
    });
    expect(run.exitCode).toBe(1);
    expect(run.exitAfterCancelMs).toBeLessThan(7_500);
    expect(run.log).toContain('Cancelling build after receiving interrupt');
    expect(run.log).toContain('Cleanly cancelled builds after being interrupted.');
    expect(run.errors.at(-1)).toBe('Cancelled by SIGINT');

    const runId = run.runner.state()['run-id'] ?? '';
    const instances = await instancesOfRun(runId);
    expect(instances).toHaveLength(1);
    expect(instances.map((instance) => instance.State?.Name)).toEqual(['terminated']);
    const temp = temporaryNames(run.log);
    expect(temp.keyPair).toMatch(/^packer_/);
    expect(temp.securityGroup).toMatch(/^packer_/);
    expect(await keyPairNames()).not.toContain(temp.keyPair);
    expect(await securityGroupNames()).not.toContain(temp.securityGroup);
    expect(JSON.parse(run.runner.state().resources ?? '{}')).toEqual({
      instanceIds: [instances[0]?.InstanceId],
      keyPairs: [temp.keyPair],
      securityGroups: [temp.securityGroup],
    });

    const post = await runBundledAction('bake-ami', { entry: 'post', runner: run.runner, env: moto.env });
    expect(post.exitCode).toBe(0);
    expect(post.log).toContain(`Sweeping leftovers of run ${runId} in us-east-1`);
    expect(post.log).toContain('Nothing left behind');
  });

  it('a timeout is a failure: Packer is interrupted and cleans up', async () => {
    const run = await bake(bakeInputs({ timeout: '3s' }, ['pause_seconds=60']));
    expect(run.exitCode).toBe(1);
    expect(run.errors.at(-1)).toBe('packer build did not finish within 3s; Packer was interrupted and cleaned up');
    // On a loaded machine the interrupt may come before the instance exists; either way nothing is left.
    const runId = run.runner.state()['run-id'] ?? '';
    const live = (await instancesOfRun(runId)).filter((instance) => instance.State?.Name !== 'terminated');
    expect(live).toEqual([]);
    const temp = temporaryNames(run.log);
    if (temp.keyPair) expect(await keyPairNames()).not.toContain(temp.keyPair);
    if (temp.securityGroup) expect(await securityGroupNames()).not.toContain(temp.securityGroup);
  });
});

describe('bake-ami with the project template', { timeout: 60_000 }, () => {
  it.skipIf(!existsSync(join(PROJECT_TEMPLATE, 'img-mgr.pkr.hcl')))(
    'bakes packer/ with its test variables (communicator none) and finds it the second time',
    async () => {
      // Packer 1.6.6 cannot parse required_plugins: the plugin file stays out, as packer/README.md says.
      const dir = mkdtempSync(join(tmpdir(), 'bake-project-'));
      cpSync(PROJECT_TEMPLATE, dir, { recursive: true, filter: (source) => !source.endsWith('plugins.pkr.hcl') });
      const inputs = {
        template: dir,
        'var-files': join(dir, 'test.pkrvars.hcl'),
        'app-revision': 'abc123',
        variables: `ec2_endpoint=${moto.endpoint}\nskip_aws_checks=true`,
      };
      const run = await bake(inputs);
      expect(run.errors).toEqual([]);
      const runId = run.runner.state()['run-id'] ?? '';
      const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [run.outputs['ami-id'] ?? ''] }));
      const tags = Object.fromEntries(
        (images.Images?.[0]?.Tags ?? []).map((tag): [string, string] => [tag.Key ?? '', tag.Value ?? '']),
      );
      expect(tags).toMatchObject({
        fingerprint: run.outputs.fingerprint,
        'run-id': runId,
        'app-revision': 'abc123',
        application: 'img-mgr',
      });
      const again = await bake(inputs);
      expect(again.outputs).toMatchObject({ skipped: 'true', 'ami-id': run.outputs['ami-id'] });
    },
  );
});

describe(
  "bake-ami checks the project template's subnet_id and kms_key_id before Packer starts",
  { timeout: 60_000 },
  () => {
    it.skipIf(!existsSync(join(PROJECT_TEMPLATE, 'img-mgr.pkr.hcl')))(
      'a missing subnet and a disabled KMS key each fail in one line naming the input and the variable; ' +
        'nothing created, Packer never started',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'bake-preflight-'));
        cpSync(PROJECT_TEMPLATE, dir, { recursive: true, filter: (source) => !source.endsWith('plugins.pkr.hcl') });
        const kms = new KMSClient(moto.clientConfig);
        const disabledKey =
          (await kms.send(new CreateKeyCommand({ Description: 'disabled' }))).KeyMetadata?.KeyId ?? '';
        await kms.send(new DisableKeyCommand({ KeyId: disabledKey }));
        kms.destroy();
        const inputs = (variable: string) => ({
          template: dir,
          'var-files': join(dir, 'test.pkrvars.hcl'),
          'app-revision': 'abc123',
          variables: `ec2_endpoint=${moto.endpoint}\nskip_aws_checks=true\n${variable}`,
        });
        const cases = [
          [
            'subnet_id=subnet-0abc1234567890def',
            "Input 'variables' sets subnet_id to 'subnet-0abc1234567890def', which does not exist in us-east-1",
          ],
          [
            `kms_key_id=${disabledKey}`,
            `Input 'variables' sets kms_key_id to '${disabledKey}', which is Disabled (EBS needs an Enabled key)`,
          ],
        ];
        for (const [variable, message] of cases) {
          const before = await snapshotAws(moto.clientConfig);
          const run = await bake(inputs(variable ?? ''));
          expect(run.exitCode).toBe(1);
          expect(run.errors).toEqual([message]);
          expect(run.log).not.toContain('Using Packer');
          expect(run.log).not.toMatch(/^\s+at /m);
          expect(await snapshotAws(moto.clientConfig)).toEqual(before);
        }
      },
    );
  },
);

describe('bake-ami post step', { timeout: 30_000 }, () => {
  it("sweeps what a killed Packer left: the run's instance, temp key pair and security group (SDK-made)", async () => {
    const [image] =
      (
        await ec2.send(
          new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*'] }] }),
        )
      ).Images ?? [];
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'packer_left_key' }));
    const group = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'packer_left_sg', Description: 'Temporary group for Packer' }),
    );
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: image?.ImageId,
        MinCount: 1,
        MaxCount: 1,
        KeyName: 'packer_left_key',
        SecurityGroupIds: [group.GroupId ?? ''],
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'run-id', Value: 'killed-run' }] }],
      }),
    );
    const instanceId = launched.Instances?.[0]?.InstanceId ?? '';
    const runner = createRunnerEnv();
    // What the main step saved before its Packer was killed (the post mark first, as the bundle writes it).
    writeFileSync(
      runner.env.GITHUB_STATE ?? '',
      'isPost=true\nrun-id=killed-run\nregion=us-east-1\n' +
        `resources={"instanceIds":["${instanceId}"],` +
        '"keyPairs":["packer_left_key"],"securityGroups":["packer_left_sg"]}\n',
    );

    const post = await runBundledAction('bake-ami', { entry: 'post', runner, env: moto.env });
    expect(post.exitCode).toBe(0);
    expect(post.log).toContain('Swept 1 instance(s), 1 key pair(s), 1 security group(s)');
    expect((await instancesOfRun('killed-run')).map((instance) => instance.State?.Name)).toEqual(['terminated']);
    expect(await keyPairNames()).not.toContain('packer_left_key');
    expect(await securityGroupNames()).not.toContain('packer_left_sg');
  });

  it('has nothing to do when the main step never started a bake', async () => {
    // The main step failed on an input; it marked the state for its post step all the same.
    const main = await runBundledAction('bake-ami', { inputs: { only: 'a', except: 'b' }, env: moto.env });
    expect(main.errors).toEqual(["Input 'except' cannot be combined with 'only'"]);
    const post = await runBundledAction('bake-ami', { entry: 'post', runner: main.runner, env: moto.env });
    expect(post.exitCode).toBe(0);
    expect(post.log).toContain('Nothing to sweep: the main step did not start a bake');
  });
});
