// @needs-tools moto_server
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
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

  const step = (inputs: Record<string, string>) => runBundledAction('publish-ami', { env: moto.env, inputs });

  it("publishes bake-ami's amis map to the parameter of each region", async () => {
    const name = '/regions/map';
    const run = await step({
      amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': westAmi }),
      'parameter-name': name,
      labels: 'sha-abc1234',
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'ami-id': eastAmi, version: '1', changed: 'true' });
    expect(JSON.parse(run.outputs.results ?? '{}')).toEqual({
      'us-east-1': expect.objectContaining({
        status: 'published',
        'ami-id': eastAmi,
        version: 1,
        labels: ['sha-abc1234'],
      }) as unknown,
      'us-west-2': expect.objectContaining({
        status: 'published',
        'ami-id': westAmi,
        version: 1,
        labels: ['sha-abc1234'],
      }) as unknown,
    });
    expect(run.summary).toContain('us-west-2');
    const eastStored = await readParameter(east, name);
    const westStored = await readParameter(west, name);
    expect(eastStored?.history).toEqual([{ version: 1, value: eastAmi, labels: ['sha-abc1234'] }]);
    expect(westStored?.history).toEqual([{ version: 1, value: westAmi, labels: ['sha-abc1234'] }]);
  });

  it('checks every region before writing any: one bad AMI and nothing is written anywhere', async () => {
    const name = '/regions/unchecked';
    const run = await step({
      amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': eastAmi }),
      'parameter-name': name,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `Input 'amis' cannot be published: ${eastAmi} does not exist in us-west-2 ` +
        '(or is not shared with this account); nothing was written',
    ]);
    expect(await readParameter(east, name)).toBeUndefined();
    expect(await readParameter(west, name)).toBeUndefined();
  });

  it('a label on the oldest of 100 versions wedges a pointer: labels past label-window go; it publishes', async () => {
    const name = '/regions/full';
    await putVersions(
      east,
      Array.from({ length: 100 }, (_, index) => `ami-${String(index).padStart(17, '0')}`),
      name,
    );
    // What the workflow did before label-window: every version labelled.
    for (let version = 1; version <= 100; version++)
      await label(east, version, [`app-${String(version).padStart(7, '0')}`], name);
    // moto enforces SSM's rule, so the publish below proves the wedge is undone (not that moto lets it pass).
    await expect(putVersions(east, ['ami-0000000000000000f'], name)).rejects.toMatchObject({
      name: 'ParameterMaxVersionLimitExceeded',
    });
    const run = await step({ 'ami-id': eastAmi, 'parameter-name': name, labels: 'app-new', 'label-window': '10' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ version: '101', changed: 'true' });
    expect(run.log).toMatch(
      new RegExp(
        /Unlabelled versions 1 \(app-0000001\), 2 \(app-0000002\), .*, 91 \(app-0000091\): /.source +
          /only the newest 10 versions keep labels/.source,
      ),
    );
    expect(run.summary).toContain(
      'Labels removed from versions older than the newest 10 (label-window): us-east-1 version 1 (app-0000001); ',
    );
    const stored = await readParameter(east, name);
    expect(stored).toMatchObject({ value: eastAmi, version: 101 });
    expect(stored?.history).toHaveLength(100);
    expect(stored?.history[0]).toEqual({ version: 2, value: 'ami-00000000000000001', labels: [] });
    expect(stored?.history.filter((entry) => entry.labels.length > 0).map((entry) => entry.version)).toEqual([
      92, 93, 94, 95, 96, 97, 98, 99, 100, 101,
    ]);
  });

  it('label-window out of range is one line naming the input, and nothing changes', async () => {
    const before = await snapshotAws({ ...moto.clientConfig, region: 'us-east-1' });
    for (const [window, error] of [
      [
        '100',
        "Input 'label-window' must be a whole number of versions from 1 to 99 " +
          '(SSM keeps 100; a label on the oldest blocks every write), got 100',
      ],
      [
        '0',
        "Input 'label-window' must be a whole number of versions from 1 to 99 " +
          '(SSM keeps 100; a label on the oldest blocks every write), got 0',
      ],
      ['ten', "Input 'label-window' must be a whole number, got 'ten'"],
    ] as const) {
      const run = await step({ 'ami-id': eastAmi, 'parameter-name': '/regions/window', 'label-window': window });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([error]);
      expect(run.log).not.toMatch(/^\s+at /m);
    }
    expect(await snapshotAws({ ...moto.clientConfig, region: 'us-east-1' })).toEqual(before);
  });

  it('a partial multi-region publish reports which regions succeeded and fails the step', async () => {
    const name = '/regions/partial';
    // us-west-2 already holds its AMI on a version with 10 labels, the most SSM allows: labelling it again
    // fails there only.
    await putVersions(west, [westAmi], name);
    await label(
      west,
      1,
      Array.from({ length: 10 }, (_, index) => `full-${index}`),
      name,
    );
    const run = await step({
      amis: JSON.stringify({ 'us-east-1': eastAmi, 'us-west-2': westAmi }),
      'parameter-name': name,
      labels: 'app-0123abc',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Publishing failed in 1 of 2 region\(s\): us-west-2 \(.*maximum 10 labels.*\)\. Succeeded: us-east-1 v1$/,
    );
    const results = JSON.parse(run.outputs.results ?? '{}') as Record<string, { status: string }>;
    expect(results['us-east-1']?.status).toBe('published');
    expect(results['us-west-2']?.status).toBe('failed');
    expect(run.summary).toContain('FAILED');
    expect((await readParameter(east, name))?.history).toEqual([
      { version: 1, value: eastAmi, labels: ['app-0123abc'] },
    ]);
    const westStored = await readParameter(west, name);
    expect(westStored?.history).toHaveLength(1);
    expect(westStored?.history[0]?.labels).toHaveLength(10);
  });

  it('with no label on the oldest of 100 versions, SSM drops it and the publish goes through', async () => {
    const name = '/regions/full-then-free';
    await putVersions(
      east,
      Array.from({ length: 100 }, (_, index) => `ami-${String(index).padStart(17, '0')}`),
      name,
    );
    const run = await step({ 'ami-id': eastAmi, 'parameter-name': name });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ version: '101', 'previous-version': '100' });
    const stored = await readParameter(east, name);
    expect(stored).toMatchObject({ value: eastAmi, version: 101 });
    expect(stored?.history).toHaveLength(100);
    expect(stored?.history[0]?.version).toBe(2);
  });
});
