import type { SSMClient } from '@aws-sdk/client-ssm';
import { runAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, label, putVersions, readParameter } from './aws.js';

describe('publish-ami bundle against moto: regions and the version limit', () => {
  let moto: Moto;
  let east: SSMClient;
  let west: SSMClient;
  let eastAmi: string;
  let westAmi: string;
  beforeAll(async () => {
    moto = await startMoto();
    const eastClients = clients(moto, 'us-east-1');
    const westClients = clients(moto, 'us-west-2');
    east = eastClients.ssm;
    west = westClients.ssm;
    eastAmi = (await createAmi(eastClients.ec2, 'my-ami-east')).amiId;
    westAmi = (await createAmi(westClients.ec2, 'my-ami-west')).amiId;
  });
  afterAll(async () => {
    await moto.stop();
  });

  const step = (inputs: Record<string, string>) => runAction('publish-ami', { env: moto.env, inputs });

  it('publishes bake-ami\'s amis map to the parameter of each region', async () => {
    const name = '/regions/map';
    const run = await step({ amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': westAmi }), 'parameter-name': name, labels: 'sha-abc1234' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'ami-id': eastAmi, version: '1', changed: 'true' });
    expect(JSON.parse(run.outputs.results ?? '{}')).toEqual({
      'us-east-1': expect.objectContaining({ status: 'published', 'ami-id': eastAmi, version: 1, labels: ['sha-abc1234'] }) as unknown,
      'us-west-2': expect.objectContaining({ status: 'published', 'ami-id': westAmi, version: 1, labels: ['sha-abc1234'] }) as unknown,
    });
    expect(run.summary).toContain('us-west-2');
    const eastStored = await readParameter(east, name);
    const westStored = await readParameter(west, name);
    expect(eastStored?.history).toEqual([{ version: 1, value: eastAmi, labels: ['sha-abc1234'] }]);
    expect(westStored?.history).toEqual([{ version: 1, value: westAmi, labels: ['sha-abc1234'] }]);
  });

  it('checks every region before writing any: one bad AMI and nothing is written anywhere', async () => {
    const name = '/regions/unchecked';
    const run = await step({ amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': eastAmi }), 'parameter-name': name });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'amis' cannot be published: ${eastAmi} does not exist in us-west-2 (or is not shared with this account); nothing was written`,
    ]);
    expect(await readParameter(east, name)).toBeUndefined();
    expect(await readParameter(west, name)).toBeUndefined();
  });

  it('the version limit: a label on the oldest of 100 versions is named, with how to remove it, and history is kept', async () => {
    const name = '/regions/full';
    await putVersions(east, Array.from({ length: 100 }, (_, index) => `ami-${String(index).padStart(17, '0')}`), name);
    await label(east, 1, ['release-2019'], name);
    const run = await step({ 'ami-id': eastAmi, 'parameter-name': name });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Publishing failed in 1 of 1 region(s): us-east-1 (${name} in us-east-1 has 100 versions and its oldest, version 1, carries label 'release-2019', so SSM cannot drop it to write a new one (ParameterMaxVersionLimitExceeded). Remove or move that label (aws ssm unlabel-parameter-version --region us-east-1 --name ${name} --parameter-version 1 --labels release-2019) and re-run; publish-ami does not delete history). Succeeded: none`,
    ]);
    const stored = await readParameter(east, name);
    expect(stored?.version).toBe(100);
    expect(stored?.history).toHaveLength(100);
    expect(stored?.history[0]).toEqual({ version: 1, value: 'ami-00000000000000000', labels: ['release-2019'] });
  });

  it('a partial multi-region publish reports which regions succeeded and fails the step', async () => {
    const name = '/regions/partial';
    await putVersions(west, Array.from({ length: 100 }, (_, index) => `ami-${String(index).padStart(17, '0')}`), name);
    await label(west, 1, ['pinned'], name);
    const run = await step({ amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': westAmi }), 'parameter-name': name });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Publishing failed in 1 of 2 region\(s\): us-west-2 \(.*version 1, carries label 'pinned'.*\)\. Succeeded: us-east-1 v1$/);
    const results = JSON.parse(run.outputs.results ?? '{}') as Record<string, { status: string }>;
    expect(results['us-east-1']?.status).toBe('published');
    expect(results['us-west-2']?.status).toBe('failed');
    expect(run.summary).toContain('FAILED');
    expect((await readParameter(east, name))?.history).toEqual([{ version: 1, value: eastAmi, labels: [] }]);
    const westStored = await readParameter(west, name);
    expect(westStored?.version).toBe(100);
    expect(westStored?.history.at(-1)?.value).toBe('ami-00000000000000099');
  });

  it('with no label on the oldest of 100 versions, SSM drops it and the publish goes through', async () => {
    const name = '/regions/full-then-free';
    await putVersions(east, Array.from({ length: 100 }, (_, index) => `ami-${String(index).padStart(17, '0')}`), name);
    const run = await step({ 'ami-id': eastAmi, 'parameter-name': name });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ version: '101', 'previous-version': '100' });
    const stored = await readParameter(east, name);
    expect(stored).toMatchObject({ value: eastAmi, version: 101 });
    expect(stored?.history).toHaveLength(100);
    expect(stored?.history[0]?.version).toBe(2);
  });
});
