// @needs-tools moto_server
import { DeregisterImageCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, readParameter } from './aws.js';

describe('publish-ami bundle against moto: rollback', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ec2: EC2Client;
  const amis: string[] = [];
  beforeAll(async () => {
    moto = await startMoto();
    ({ ssm, ec2 } = clients(moto));
    for (const name of ['r1', 'r2', 'r3']) amis.push((await createAmi(ec2, `my-ami-${name}`)).amiId);
  });
  afterAll(async () => {
    await moto.stop();
  });

  const step = (inputs: Record<string, string>) => runBundledAction('publish-ami', { env: moto.env, inputs });

  /** v1 = r1 (label release-1), v2 = r2, v3 = r3, published through the action. */
  async function history(name: string): Promise<void> {
    for (const [index, amiId] of amis.entries()) {
      const run = await step({
        'ami-id': amiId,
        'parameter-name': name,
        ...(index === 0 ? { labels: 'release-1' } : {}),
      });
      expect(run.exitCode, run.log).toBe(0);
    }
  }

  it('rollback-to previous republishes the previous value as a new version labelled rollback-from-v3', async () => {
    const name = '/rollback/previous';
    await history(name);
    const run = await step({ 'rollback-to': 'previous', 'parameter-name': name, labels: 'incident-7' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({
      'ami-id': amis[1],
      version: '4',
      changed: 'true',
      'previous-ami-id': amis[2],
      'previous-version': '3',
    });
    expect((JSON.parse(run.outputs.results ?? '{}') as Record<string, unknown>)['us-east-1']).toMatchObject({
      'rolled-back-to': 2,
      status: 'published',
    });
    expect(run.summary).toContain('rolled back to the value of version 2');
    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: amis[1], version: 4 });
    expect(stored?.history).toEqual([
      { version: 1, value: amis[0], labels: ['release-1'] },
      { version: 2, value: amis[1], labels: [] },
      { version: 3, value: amis[2], labels: [] },
      { version: 4, value: amis[1], labels: ['incident-7', 'rollback-from-v3'] },
    ]);
  });

  it('rollback-to a version number, then rolling back again to the same value changes nothing', async () => {
    const name = '/rollback/version';
    await history(name);
    const run = await step({ 'rollback-to': '1', 'parameter-name': name });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'ami-id': amis[0], version: '4', changed: 'true' });
    const again = await step({ 'rollback-to': '1', 'parameter-name': name });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs).toMatchObject({ 'ami-id': amis[0], version: '4', changed: 'false' });
    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: amis[0], version: 4 });
    expect(stored?.history.map((entry) => [entry.version, entry.value, entry.labels])).toEqual([
      [1, amis[0], ['release-1']],
      [2, amis[1], []],
      [3, amis[2], []],
      [4, amis[0], ['rollback-from-v3']],
    ]);
  });

  it('rollback-to a label republishes the value of the version that carries it', async () => {
    const name = '/rollback/label';
    await history(name);
    const run = await step({ 'rollback-to': 'release-1', 'parameter-name': name });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'ami-id': amis[0], version: '4', changed: 'true' });
    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: amis[0], version: 4 });
    expect(stored?.history.at(-1)).toEqual({ version: 4, value: amis[0], labels: ['rollback-from-v3'] });
    expect(stored?.history[0]?.labels).toEqual(['release-1']);
  });

  it('an unknown label, a missing version or a pruned AMI fail naming rollback-to and write nothing', async () => {
    const name = '/rollback/bad';
    await history(name);
    const unknown = await step({ 'rollback-to': 'release-9', 'parameter-name': name });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.errors).toEqual([
      `Input 'rollback-to' cannot be used: no version of ${name} carries label 'release-9' ` +
        '(in us-east-1); nothing was written',
    ]);
    const missing = await step({ 'rollback-to': '7', 'parameter-name': name });
    expect(missing.errors).toEqual([
      `Input 'rollback-to' cannot be used: ${name} has no version 7 (versions kept: 1–3) ` +
        '(in us-east-1); nothing was written',
    ]);
    const malformed = await step({ 'rollback-to': 'aws-1', 'parameter-name': name });
    expect(malformed.errors[0]).toMatch(/^Input 'rollback-to' is not previous, a version number or a valid label/);
    const absent = await step({ 'rollback-to': 'previous', 'parameter-name': '/rollback/never-written' });
    expect(absent.errors).toEqual([
      "Input 'rollback-to' cannot be used: /rollback/never-written does not exist, " +
        'so there is nothing to roll back (in us-east-1); nothing was written',
    ]);
    await ec2.send(new DeregisterImageCommand({ ImageId: amis[0] }));
    const pruned = await step({ 'rollback-to': 'release-1', 'parameter-name': name });
    expect(pruned.exitCode).toBe(1);
    expect(pruned.errors[0]).toBe(
      `Input 'rollback-to' cannot be used: resolves to version 1, whose AMI ${amis[0]} does not exist in us-east-1 ` +
        '(or is not shared with this account); cannot roll back to it (in us-east-1); nothing was written',
    );
    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: amis[2], version: 3 });
    expect(stored?.history).toHaveLength(3);
    expect(await readParameter(ssm, '/rollback/never-written')).toBeUndefined();
  });
});
