// @needs-tools moto_server
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  StopInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, existingImages, existingSnapshots, label, launchFrom, readParameter } from './aws.js';

describe('publish-ami bundle against moto: pruning', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ({ ssm, ec2 } = clients(moto));
  });
  afterAll(async () => {
    await moto.stop();
  });

  const step = (inputs: Record<string, string>) => runBundledAction('publish-ami', { env: moto.env, inputs });

  it('keeps newest N, current, previous, labelled, in-use; rest deregistered + snapshots (dry run first)', async () => {
    const name = '/prune/golden';
    const oldest = await createAmi(ec2, 'my-ami-1');
    const labelled = await createAmi(ec2, 'my-ami-2');
    const unused = await createAmi(ec2, 'my-ami-3');
    const previous = await createAmi(ec2, 'my-ami-4');
    const running = await createAmi(ec2, 'my-ami-5');
    const otherApp = await createAmi(ec2, 'other-ami', { application: 'other' });
    const instance = await launchFrom(ec2, running.amiId);
    for (const [ami, labels] of [
      [labelled.amiId, 'release-1'],
      [previous.amiId, ''],
    ] as const) {
      const run = await step({ 'ami-id': ami, 'parameter-name': name, labels });
      expect(run.exitCode, run.log).toBe(0);
    }
    // CreationDate has one-second resolution: make the AMI being published the strictly newest.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newest = await createAmi(ec2, 'my-ami-6');
    const all = [oldest, labelled, unused, previous, running, newest, otherApp];

    const dryRun = await step({ 'ami-id': newest.amiId, 'parameter-name': name, 'keep-amis': '1', 'dry-run': 'true' });
    expect(dryRun.exitCode, dryRun.log).toBe(0);
    expect(dryRun.log).toMatch(new RegExp(`REMOVE ${oldest.amiId} my-ami-1 .*snapshots: ${oldest.snapshots[0]}`));
    expect(dryRun.log).toMatch(new RegExp(`REMOVE ${unused.amiId} my-ami-3`));
    expect(dryRun.log).toContain('Dry run: would remove 2 AMI(s); nothing removed');
    expect(dryRun.summary).toContain('would remove');
    expect(dryRun.outputs['pruned-amis']).toBe('[]');
    expect(
      await existingImages(
        ec2,
        all.map((ami) => ami.amiId),
      ),
    ).toHaveLength(all.length);

    const run = await step({ 'ami-id': newest.amiId, 'parameter-name': name, 'keep-amis': '1' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ changed: 'false', version: '3' });
    // The plan is printed before the first removal.
    expect(run.log.indexOf(`REMOVE ${oldest.amiId}`)).toBeLessThan(run.log.indexOf(`Deregistered ${oldest.amiId}`));
    expect(run.log).toMatch(new RegExp(`keep   ${running.amiId} .*used by instance ${instance}`));
    expect(run.log).toMatch(new RegExp(`keep   ${labelled.amiId} .*labelled version 1 of ${name} \\(release-1\\)`));
    expect(run.log).toMatch(new RegExp(`keep   ${previous.amiId} .*previous value of ${name} \\(version 2\\)`));
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toEqual(
      expect.arrayContaining([oldest.amiId, unused.amiId]),
    );
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toHaveLength(2);

    const kept = [labelled, previous, running, newest, otherApp];
    expect(
      await existingImages(
        ec2,
        all.map((ami) => ami.amiId),
      ),
    ).toEqual(kept.map((ami) => ami.amiId));
    expect(await existingSnapshots(ec2, [...oldest.snapshots, ...unused.snapshots])).toEqual([]);
    const keptSnapshots = kept.flatMap((ami) => ami.snapshots);
    expect(keptSnapshots.length).toBeGreaterThanOrEqual(kept.length);
    expect(await existingSnapshots(ec2, keptSnapshots)).toEqual(keptSnapshots);

    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: newest.amiId, version: 3 });
    expect(stored?.history).toEqual([
      { version: 1, value: labelled.amiId, labels: ['release-1'] },
      { version: 2, value: previous.amiId, labels: [] },
      { version: 3, value: newest.amiId, labels: [] },
    ]);
  });

  it('keep-amis alone only prunes, in the given region', async () => {
    const name = '/prune/only';
    const stale = await createAmi(ec2, 'solo-stale', { application: 'solo' });
    const current = await createAmi(ec2, 'solo-current', { application: 'solo' });
    const run0 = await step({ 'ami-id': current.amiId, 'parameter-name': name });
    expect(run0.exitCode, run0.log).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newer = await createAmi(ec2, 'solo-newer', { application: 'solo' });
    const run = await step({ 'keep-amis': '1', application: 'solo', 'parameter-name': name, region: 'us-east-1' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(new RegExp(`keep   ${newer.amiId} .*one of the newest 1`));
    expect(run.log).toMatch(new RegExp(`keep   ${current.amiId} .*current value`));
    expect(run.outputs['pruned-amis']).toBe(JSON.stringify([stale.amiId]));
    expect(run.outputs.version).toBeUndefined();
    expect(await existingImages(ec2, [stale.amiId, current.amiId, newer.amiId])).toEqual([current.amiId, newer.amiId]);
    expect(await existingSnapshots(ec2, stale.snapshots)).toEqual([]);
    const stored = await readParameter(ssm, name);
    expect(stored?.history).toEqual([{ version: 1, value: current.amiId, labels: [] }]);
  });

  it('keeps every AMI something references (each kind, reason in plan); removes only the unreferenced', async () => {
    const application = 'refs';
    const make = (name: string) => createAmi(ec2, name, { application });
    const unused = await make('refs-unused');
    const textOnly = await make('refs-text-parameter');
    const beyondWindow = await make('refs-beyond-window');
    const labelled = await make('refs-labelled');
    const inWindow = await make('refs-in-window');
    const prodCurrent = await make('refs-prod-current');
    const templateOld = await make('refs-template-v1');
    const templateNew = await make('refs-template-v2');
    const stackParameter = await make('refs-stack-parameter');
    const stackOutput = await make('refs-stack-output');
    const stopped = await make('refs-stopped');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const newest = await make('refs-newest');

    // Another environment's pointer under /common/img-mgr: labelled v2, then v3..v6; rollback-window 2 covers
    // v5 and v6.
    const prod = '/common/img-mgr/prod/golden-ami';
    const prodValues = [beyondWindow, labelled, beyondWindow, beyondWindow, inWindow, prodCurrent].map(
      (ami) => ami.amiId,
    );
    for (const value of prodValues)
      await ssm.send(
        new PutParameterCommand({
          Name: prod,
          Value: value,
          Type: 'String',
          DataType: 'aws:ec2:image',
          Overwrite: true,
        }),
      );
    await label(ssm, 2, ['release-7'], prod);
    // A text parameter under the path does not count: only aws:ec2:image parameters are pointers.
    await ssm.send(
      new PutParameterCommand({
        Name: '/common/img-mgr/notes',
        Value: textOnly.amiId,
        Type: 'String',
        DataType: 'text',
      }),
    );
    const template = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'refs-lt',
        LaunchTemplateData: { ImageId: templateOld.amiId },
      }),
    );
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: template.LaunchTemplate?.LaunchTemplateId,
        LaunchTemplateData: { ImageId: templateNew.amiId },
      }),
    );
    const cfn = new CloudFormationClient({ ...moto.clientConfig, maxAttempts: 1 });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'refs-stack',
        Parameters: [{ ParameterKey: 'ImageId', ParameterValue: stackParameter.amiId }],
        TemplateBody: JSON.stringify({
          Parameters: { ImageId: { Type: 'String' } },
          Resources: {
            Marker: {
              Type: 'AWS::SSM::Parameter',
              Properties: { Name: '/refs/stack-marker', Type: 'String', Value: 'x' },
            },
          },
          Outputs: { BakedAmi: { Value: stackOutput.amiId } },
        }),
      }),
    );
    const instance = await launchFrom(ec2, stopped.amiId);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance] }));

    const inputs = {
      'keep-amis': '1',
      application,
      'parameter-name': '/refs/golden',
      region: 'us-east-1',
      'rollback-window': '2',
    };
    const before = await snapshotAws(moto.clientConfig);
    const dryRun = await step({ ...inputs, 'dry-run': 'true' });
    expect(dryRun.exitCode, dryRun.log).toBe(0);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    const kept = (ami: { amiId: string }, reason: string): RegExp =>
      new RegExp(`keep   ${ami.amiId} .* — .*${reason.replace(/[()/]/g, '\\$&')}`);
    expect(dryRun.log).toMatch(kept(newest, 'one of the newest 1'));
    expect(dryRun.log).toMatch(kept(prodCurrent, `current value of ${prod} (version 6)`));
    expect(dryRun.log).toMatch(
      kept(inWindow, `version 5 of ${prod} is within the rollback window (newest 2 versions)`),
    );
    expect(dryRun.log).toMatch(kept(labelled, `value of labelled version 2 of ${prod} (release-7)`));
    expect(dryRun.log).toMatch(kept(templateOld, 'launch template refs-lt version 1'));
    expect(dryRun.log).toMatch(kept(templateNew, 'launch template refs-lt version 2'));
    expect(dryRun.log).toMatch(kept(stackParameter, 'parameter ImageId of stack refs-stack'));
    expect(dryRun.log).toMatch(kept(stackOutput, 'output BakedAmi of stack refs-stack'));
    expect(dryRun.log).toMatch(kept(stopped, `used by instance ${instance} (stopped)`));
    for (const ami of [unused, textOnly, beyondWindow]) {
      expect(dryRun.log).toMatch(
        new RegExp(`REMOVE ${ami.amiId} .* — older than the newest 1 and referenced by nothing`),
      );
    }
    expect(dryRun.log).toContain('Dry run: would remove 3 AMI(s); nothing removed');

    const run = await step(inputs);
    expect(run.exitCode, run.log).toBe(0);
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toEqual(
      expect.arrayContaining([unused.amiId, textOnly.amiId, beyondWindow.amiId]),
    );
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toHaveLength(3);
    const keptAmis = [
      labelled,
      inWindow,
      prodCurrent,
      templateOld,
      templateNew,
      stackParameter,
      stackOutput,
      stopped,
      newest,
    ];
    expect(
      await existingImages(
        ec2,
        [unused, textOnly, beyondWindow, ...keptAmis].map((ami) => ami.amiId),
      ),
    ).toEqual(keptAmis.map((ami) => ami.amiId));
    expect(
      await existingSnapshots(
        ec2,
        keptAmis.flatMap((ami) => ami.snapshots),
      ),
    ).toHaveLength(keptAmis.flatMap((ami) => ami.snapshots).length);
    expect(
      await existingSnapshots(ec2, [...unused.snapshots, ...textOnly.snapshots, ...beyondWindow.snapshots]),
    ).toEqual([]);
  });

  it('a bad reference-path or rollback-window is one line naming the input, and nothing changes', async () => {
    const before = await snapshotAws(moto.clientConfig);
    for (const [inputs, error] of [
      [
        { 'reference-path': 'common/img-mgr' },
        "Input 'reference-path' 'common/img-mgr' is not a path; it must start with /",
      ],
      [{ 'rollback-window': '0' }, "Input 'rollback-window' must be at least 1, got 0"],
    ] as const) {
      const run = await step({ 'keep-amis': '1', region: 'us-east-1', ...inputs });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([error]);
    }
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });
});
