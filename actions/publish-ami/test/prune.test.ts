import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, existingImages, existingSnapshots, launchFrom, readParameter } from './aws.js';

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

  const step = (inputs: Record<string, string>) => runAction('publish-ami', { env: moto.env, inputs });

  it('keeps the newest N, the current, previous and labelled values and AMIs in use; deregisters the rest with their snapshots (dry run first)', async () => {
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
    expect(await existingImages(ec2, all.map((ami) => ami.amiId))).toHaveLength(all.length);

    const run = await step({ 'ami-id': newest.amiId, 'parameter-name': name, 'keep-amis': '1' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ changed: 'false', version: '3' });
    // The plan is printed before the first removal.
    expect(run.log.indexOf(`REMOVE ${oldest.amiId}`)).toBeLessThan(run.log.indexOf(`Deregistered ${oldest.amiId}`));
    expect(run.log).toMatch(new RegExp(`keep   ${running.amiId} .*used by instance ${instance}`));
    expect(run.log).toMatch(new RegExp(`keep   ${labelled.amiId} .*labelled version 1 \\(release-1\\)`));
    expect(run.log).toMatch(new RegExp(`keep   ${previous.amiId} .*previous value of ${name} \\(version 2\\)`));
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toEqual(expect.arrayContaining([oldest.amiId, unused.amiId]));
    expect(JSON.parse(run.outputs['pruned-amis'] ?? '[]')).toHaveLength(2);

    const kept = [labelled, previous, running, newest, otherApp];
    expect(await existingImages(ec2, all.map((ami) => ami.amiId))).toEqual(kept.map((ami) => ami.amiId));
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
});
