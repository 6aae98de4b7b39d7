// @needs-tools moto_server
import { ListTagsForResourceCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, PARAMETER, readParameter } from './aws.js';

describe('publish-ami bundle against moto: publishing', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ec2: EC2Client;
  let amiA: string;
  let amiB: string;
  let amiC: string;
  beforeAll(async () => {
    moto = await startMoto();
    ({ ssm, ec2 } = clients(moto));
    amiA = (await createAmi(ec2, 'my-ami-a')).amiId;
    amiB = (await createAmi(ec2, 'my-ami-b')).amiId;
    amiC = (await createAmi(ec2, 'my-ami-c')).amiId;
  });
  afterAll(async () => {
    await moto.stop();
  });

  const publish = (inputs: Record<string, string>) => runBundledAction('publish-ami', { env: moto.env, inputs });

  it('first publish makes version 1 as aws:ec2:image, confirms by reading back, writes outputs, summary', async () => {
    const run = await publish({ 'ami-id': amiA });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({
      'ami-id': amiA,
      version: '1',
      changed: 'true',
      'previous-ami-id': '',
      'previous-version': '',
    });
    expect(JSON.parse(run.outputs.results ?? '{}')).toEqual({
      'us-east-1': expect.objectContaining({
        parameter: PARAMETER,
        status: 'published',
        'ami-id': amiA,
        version: 1,
        changed: true,
        'previous-ami-id': null,
      }) as unknown,
    });
    expect(run.log).toContain(`Confirmed: ${PARAMETER}:1 reads back ${amiA}`);
    expect(run.log).toContain(`${amiA} is available in us-east-1`);
    expect(run.summary).toContain('Old AMI → New AMI');
    expect(run.summary).toContain(`(none) → ${amiA}`);
    const stored = await readParameter(ssm);
    expect(stored).toMatchObject({ value: amiA, version: 1, dataType: 'aws:ec2:image' });
    expect(stored?.history).toEqual([{ version: 1, value: amiA, labels: [] }]);
  });

  it('re-publishing the same AMI writes no new version and outputs the existing one with changed=false', async () => {
    const run = await publish({ 'ami-id': amiA });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({
      'ami-id': amiA,
      version: '1',
      changed: 'false',
      'previous-ami-id': amiA,
      'previous-version': '1',
    });
    expect(run.log).toContain('no new version written');
    expect(run.summary).toContain('unchanged');
    const stored = await readParameter(ssm);
    expect(stored?.version).toBe(1);
    expect(stored?.history.map((entry) => entry.value)).toEqual([amiA]);
  });

  it('a new AMI becomes a new version with labels; previous-* name what it replaced', async () => {
    const run = await publish({ 'ami-id': amiB, labels: 'sha-0123abc, run-42', description: 'img-mgr golden AMI' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({
      'ami-id': amiB,
      version: '2',
      changed: 'true',
      'previous-ami-id': amiA,
      'previous-version': '1',
    });
    expect(run.summary).toContain(`${amiA} → ${amiB}`);
    expect(run.summary).toContain('sha-0123abc, run-42');
    const stored = await readParameter(ssm);
    expect(stored).toMatchObject({ value: amiB, version: 2 });
    expect(stored?.history).toEqual([
      { version: 1, value: amiA, labels: [] },
      { version: 2, value: amiB, labels: ['sha-0123abc', 'run-42'] },
    ]);
  });

  it('a label already on an older version moves to the new version', async () => {
    const run = await publish({ 'ami-id': amiC, labels: 'run-42\nstable' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain('Moved label run-42 from version 2 to 3');
    const stored = await readParameter(ssm);
    expect(stored).toMatchObject({ value: amiC, version: 3 });
    expect(stored?.history).toEqual([
      { version: 1, value: amiA, labels: [] },
      { version: 2, value: amiB, labels: ['sha-0123abc'] },
      { version: 3, value: amiC, labels: ['run-42', 'stable'] },
    ]);
  });

  it('re-run with a label the current version lacks adds it, no new version (repairs a half-done run)', async () => {
    const run = await publish({ 'ami-id': amiC, labels: 'sha-0123abc' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ version: '3', changed: 'false' });
    const stored = await readParameter(ssm);
    expect(stored?.version).toBe(3);
    expect(stored?.history.map((entry) => entry.labels)).toEqual([[], [], ['run-42', 'stable', 'sha-0123abc']]);
  });

  it('applies tags with AddTagsToResource (also when nothing else changes)', async () => {
    const name = '/img-mgr/tagged';
    const first = await publish({
      'ami-id': amiA,
      'parameter-name': name,
      tags: 'application=img-mgr\nowner=platform team',
    });
    expect(first.exitCode, first.log).toBe(0);
    const again = await publish({ 'ami-id': amiA, 'parameter-name': name, tags: 'owner=platform,cost-center=42' });
    expect(again.exitCode, again.log).toBe(0);
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    expect(Object.fromEntries((tags.TagList ?? []).map((tag) => [tag.Key, tag.Value]))).toEqual({
      application: 'img-mgr',
      owner: 'platform',
      'cost-center': '42',
    });
    const stored = await readParameter(ssm, name);
    expect(stored?.history).toEqual([{ version: 1, value: amiA, labels: [] }]);
  });

  it('data-type text is written as text', async () => {
    const name = '/img-mgr/as-text';
    const run = await publish({ 'ami-id': amiB, 'parameter-name': name, 'data-type': 'text' });
    expect(run.exitCode, run.log).toBe(0);
    const stored = await readParameter(ssm, name);
    expect(stored).toMatchObject({ value: amiB, version: 1, dataType: 'text' });
    expect(stored?.history).toHaveLength(1);
  });
});
