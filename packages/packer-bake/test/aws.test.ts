// @needs-tools moto_server
import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { makeAmi, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findBakedAmi, sweepRunLeftovers } from '../src/index.js';
import { testContext } from './context.js';

let moto: Moto;
let ec2: EC2Client;
let baseAmi: string;

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
  const images = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-kernel-6.1-x86_64'] }],
    }),
  );
  baseAmi = images.Images?.[0]?.ImageId ?? '';
  expect(baseAmi).toMatch(/^ami-/);
});

async function launch(
  tags: Record<string, string>,
  extra: { KeyName?: string; SecurityGroupIds?: string[] } = {},
): Promise<string> {
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: baseAmi,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      ...extra,
      ...(Object.keys(tags).length > 0
        ? {
            TagSpecifications: [
              { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
            ],
          }
        : {}),
    }),
  );
  return run.Instances?.[0]?.InstanceId ?? '';
}

/** An AMI as a bake leaves it, tagged with its fingerprint (testbed makes it in moto). */
async function bakeImage(name: string, fingerprint: string): Promise<string> {
  return (await makeAmi(ec2, name, { tags: { fingerprint } })).amiId;
}

describe('findBakedAmi (moto)', () => {
  it('finds the available AMI owned by the account with the fingerprint tag, and only that one', async () => {
    const baked = await bakeImage('app-1', 'fp-1');
    await bakeImage('app-2', 'fp-2');
    const context = testContext(moto.env);
    const found = await findBakedAmi({ fingerprint: 'fp-1', region: 'us-east-1' }, context);
    expect(found).toMatchObject({ imageId: baked, name: 'app-1', tags: { fingerprint: 'fp-1' } });
    expect(await findBakedAmi({ fingerprint: 'fp-3', region: 'us-east-1' }, context)).toBeUndefined();
  });
});

describe('sweepRunLeftovers (moto)', () => {
  it("terminates the run's instances, deletes its temporary key pairs and security groups, nothing else", async () => {
    const sg = async (name: string): Promise<string> =>
      (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'temp' }))).GroupId ?? '';
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'packer_run_key' }));
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'packer_orphan_key' }));
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'packer_other_key' }));
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'deploy-key' }));
    const runGroup = await sg('packer_run_sg');
    const otherGroup = await sg('packer_other_sg');
    const mine = await launch({ 'run-id': 'run-1' }, { KeyName: 'packer_run_key', SecurityGroupIds: [runGroup] });
    const other = await launch({ 'run-id': 'run-2' }, { KeyName: 'packer_other_key', SecurityGroupIds: [otherGroup] });

    const context = testContext(moto.env);
    const result = await sweepRunLeftovers(
      // The orphan key pair was recorded from Packer's output before any instance existed;
      // 'deploy-key' is not a Packer temporary name and must survive even if recorded.
      { runId: 'run-1', region: 'us-east-1', keyPairs: ['packer_orphan_key', 'deploy-key'], securityGroups: [] },
      context,
    );

    expect(result.terminatedInstances).toEqual([mine]);
    expect(result.deletedKeyPairs.sort()).toEqual(['packer_orphan_key', 'packer_run_key']);
    expect(result.deletedSecurityGroups).toEqual([runGroup]);
    expect(result.failures).toEqual([]);
    const states = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [mine, other] }));
    const byId: Record<string, string | undefined> = {};
    for (const instance of (states.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      byId[instance.InstanceId ?? ''] = instance.State?.Name;
    }
    expect(byId).toEqual({ [mine]: 'terminated', [other]: 'running' });
    const keys = (await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs?.map((k) => k.KeyName).sort();
    expect(keys).toEqual(['deploy-key', 'packer_other_key']);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.map(
      (g) => g.GroupName,
    ).sort();
    expect(groups).toEqual(['default', 'packer_other_sg']);
    expect(context.lines).toContain(`Terminating 1 instance(s) of run run-1: ${mine}`);
    // The groups are deleted only after the SDK's waiter saw the instance terminated.
    expect(context.lines).toContain(`Waiting up to 3m for ${mine} to terminate`);
    expect(context.lines.findIndex((line) => line.startsWith('Deleting security group'))).toBeGreaterThan(
      context.lines.indexOf(`Waiting up to 3m for ${mine} to terminate`),
    );
  });

  it('finds nothing to do for a run that left nothing', async () => {
    const result = await sweepRunLeftovers(
      { runId: 'clean-run', region: 'us-east-1', keyPairs: ['packer_gone'], securityGroups: ['packer_gone_sg'] },
      testContext(moto.env),
    );
    expect(result).toEqual({ terminatedInstances: [], deletedKeyPairs: [], deletedSecurityGroups: [], failures: [] });
  });
});
