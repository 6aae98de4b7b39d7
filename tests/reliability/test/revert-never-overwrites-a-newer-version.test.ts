// @needs-tools moto_server
/**
 * The revert (reject-ami with rollback-to, the reusable workflow's failure
 * path) writes only while the parameter still holds the AMI it rejects.
 * When another writer put a newer version between the run's publish and its
 * revert, the AMI is tagged rejected, nothing else is written, the step
 * exits non-zero and its one error line names the live version.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { makeAmi, runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, parameterHistory, type Clients } from './helpers.js';

describe('a revert never overwrites a newer version (publish-ami bundle, moto)', () => {
  let moto: Moto;
  let aws: Clients;
  beforeAll(async () => {
    moto = await startMoto();
    aws = clientsFor(moto);
  });
  afterAll(async () => {
    await moto.stop();
  });

  const step = (inputs: Record<string, string>) =>
    runBundledAction('publish-ami', { env: { ...moto.env, GITHUB_RUN_ID: '777' }, inputs });
  const rejectedBy = async (amiId: string): Promise<string | undefined> =>
    (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0]?.Tags?.find(
      (tag) => tag.Key === 'img-mgr:rejected',
    )?.Value;

  it('another writer published between the run and its revert: tag only, exit 1, the live version named', async () => {
    const name = '/reliability/revert/newer/golden-ami';
    const [a, b, c] = [
      (await makeAmi(aws.ec2, 'revert-a')).amiId,
      (await makeAmi(aws.ec2, 'revert-b')).amiId,
      (await makeAmi(aws.ec2, 'revert-c')).amiId,
    ];
    expect((await step({ 'ami-id': a, 'parameter-name': name })).exitCode).toBe(0);
    const publish = await step({ 'ami-id': b, 'parameter-name': name });
    expect(publish.outputs).toMatchObject({ 'ami-id': b, version: '2', 'previous-version': '1', changed: 'true' });
    // Another run publishes C while this run's deploy of B is failing.
    expect((await step({ 'ami-id': c, 'parameter-name': name })).exitCode).toBe(0);

    const before = await snapshotAws(moto.clientConfig);
    const revert = await step({
      'reject-ami': b,
      'rollback-to': publish.outputs['previous-version'] ?? '',
      'parameter-name': name,
    });
    expect(revert.exitCode, revert.log).toBe(1);
    expect(revert.errors).toEqual([
      `${name} in us-east-1 holds ${c} (version 3 is live), not ${b}, so another writer published after this run ` +
        `and the revert wrote nothing but the img-mgr:rejected tag on ${b}. Version 3 stays live; if it must go ` +
        'too, roll back to a version explicitly',
    ]);
    expect(revert.log).not.toMatch(/^\s+at /m);
    expect(revert.summary).toContain(`${b} is tagged img-mgr:rejected=777`);
    expect(revert.summary).toContain('Not reverted: ');
    expect(await rejectedBy(b)).toBe('777');
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    expect((await parameterHistory(aws.ssm, name)).map((entry) => entry.value)).toEqual([a, b, c]);
  });

  it('with nobody else writing, the revert republishes the version live before; a re-run converges', async () => {
    const name = '/reliability/revert/alone/golden-ami';
    const [a, b] = [(await makeAmi(aws.ec2, 'alone-a')).amiId, (await makeAmi(aws.ec2, 'alone-b')).amiId];
    expect((await step({ 'ami-id': a, 'parameter-name': name })).exitCode).toBe(0);
    const publish = await step({ 'ami-id': b, 'parameter-name': name });
    const inputs = {
      'reject-ami': b,
      'rollback-to': publish.outputs['previous-version'] ?? '',
      'parameter-name': name,
    };
    const revert = await step(inputs);
    expect(revert.exitCode, revert.log).toBe(0);
    expect(revert.outputs).toMatchObject({ 'ami-id': a, version: '3', changed: 'true' });
    const again = await step(inputs);
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs).toMatchObject({ 'ami-id': a, version: '3', changed: 'false' });
    expect((await parameterHistory(aws.ssm, name)).map((entry) => entry.value)).toEqual([a, b, a]);
  });
});
