// @needs-tools moto_server
/**
 * The rollout inputs of the bundle against moto: reject-ami with rollback-to
 * (the reusable workflow's failure path) and promote-from, including their
 * bad inputs (one line, nothing written).
 */
import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, readParameter } from './aws.js';

describe('publish-ami bundle against moto: reject-ami and promote-from', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ec2: EC2Client;
  const amis: string[] = [];
  beforeAll(async () => {
    moto = await startMoto();
    ({ ssm, ec2 } = clients(moto));
    for (const name of ['good', 'bad']) amis.push((await createAmi(ec2, `my-ami-${name}`)).amiId);
  });
  afterAll(async () => {
    await moto.stop();
  });

  const step = (inputs: Record<string, string>) =>
    runBundledAction('publish-ami', { env: { ...moto.env, GITHUB_RUN_ID: '777' }, inputs });
  const rejectedTag = async (amiId: string) =>
    (await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0]?.Tags?.find(
      (tag) => tag.Key === 'img-mgr:rejected',
    )?.Value;

  it('reject-ami with rollback-to <version> tags the failed AMI and republishes the version live before', async () => {
    const [good, bad] = amis as [string, string];
    const name = '/rollouts/dev/golden-ami';
    for (const amiId of [good, bad]) expect((await step({ 'ami-id': amiId, 'parameter-name': name })).exitCode).toBe(0);
    const run = await step({ 'reject-ami': bad, 'rollback-to': '1', 'parameter-name': name });
    expect(run.exitCode, run.log).toBe(0);
    expect(await rejectedTag(bad)).toBe('777');
    expect(run.outputs).toMatchObject({ 'ami-id': good, version: '3', changed: 'true', 'previous-ami-id': bad });
    expect(run.summary).toContain(`${bad} is tagged img-mgr:rejected=777`);
    expect((await readParameter(ssm, name))?.history.map((entry) => entry.value)).toEqual([good, bad, good]);
    // Later, rollback-to previous from good finds only the rejected AMI: one line, nothing written.
    const previous = await step({ 'rollback-to': 'previous', 'parameter-name': name });
    expect(previous.exitCode).toBe(1);
    expect(previous.errors).toEqual([
      `Input 'rollback-to' cannot be used: ${name} has no earlier value than ${good} that is not rejected: ` +
        `${bad} (version 2) carry img-mgr:rejected (in us-east-1); nothing was written`,
    ]);
    expect((await readParameter(ssm, name))?.version).toBe(3);
  });

  it('publishing a rejected AMI (failed commit re-run) fails in one line naming the way out; no write', async () => {
    const rejected = (await createAmi(ec2, 'my-ami-rejected')).amiId;
    const name = '/rollouts/rerun/golden-ami';
    expect((await step({ 'ami-id': amis[0] ?? '', 'parameter-name': name })).exitCode).toBe(0);
    expect((await step({ 'reject-ami': rejected })).exitCode).toBe(0);
    const before = await snapshotAws(moto.clientConfig);
    const why =
      `${rejected} is rejected in us-east-1 (img-mgr:rejected=777: run 777 rejected it after a failed rollout); ` +
      "rebake with force (the workflow's force input, bake-ami force: true), " +
      'or remove the tag to publish it anyway; nothing was written';
    const byId = await step({ 'ami-id': rejected, 'parameter-name': name });
    expect(byId.exitCode, byId.log).toBe(1);
    expect(byId.errors).toEqual([`Input 'ami-id' cannot be published: ${why}`]);
    expect(byId.log).not.toMatch(/^\s+at /m);
    const byMap = await step({ amis: JSON.stringify({ 'us-east-1': rejected }), 'parameter-name': name });
    expect(byMap.errors).toEqual([`Input 'amis' cannot be published: ${why}`]);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    expect(await rejectedTag(rejected)).toBe('777');
  });

  it("promote-from publishes the other parameter's current AMI; a missing source: one line, no write", async () => {
    const [good] = amis as [string, string];
    const missing = await step({
      'promote-from': '/rollouts/none/golden-ami',
      'parameter-name': '/rollouts/prod/golden-ami',
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.errors).toEqual([
      "Input 'promote-from' cannot be promoted: /rollouts/none/golden-ami does not exist, " +
        'so no AMI is live there to promote (in us-east-1); nothing was written',
    ]);
    expect(await readParameter(ssm, '/rollouts/prod/golden-ami')).toBeUndefined();
    const run = await step({
      'promote-from': '/rollouts/dev/golden-ami',
      'parameter-name': '/rollouts/prod/golden-ami',
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'ami-id': good, version: '1', changed: 'true' });
    expect(run.summary).toContain('publish-ami: promotion of /rollouts/dev/golden-ami to /rollouts/prod/golden-ami');
  });

  it('bad rollout inputs fail in one line before any AWS call', async () => {
    const both = await step({ 'promote-from': '/rollouts/dev/golden-ami', 'ami-id': amis[0] ?? '' });
    expect(both.errors).toEqual([
      "Input 'promote-from' cannot be combined with ami-id: a promote publishes the AMI that promote-from holds",
    ]);
    const malformed = await step({ 'reject-ami': 'ami-xyz' });
    expect(malformed.exitCode).toBe(1);
    expect(malformed.errors[0]).toMatch(/^Input 'reject-ami' is invalid: /);
    const absent = await step({ 'reject-ami': 'ami-0123456789abcdef0' });
    expect(absent.errors).toEqual([
      "Input 'reject-ami' cannot be tagged: ami-0123456789abcdef0 does not exist in us-east-1, " +
        'so it cannot be tagged rejected; nothing was written',
    ]);
  });
});
