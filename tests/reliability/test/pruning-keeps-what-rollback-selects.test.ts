// @needs-tools moto_server
/**
 * Pruning keeps every AMI that rollback-to previous would still select, by
 * the rule rollback chooses with: after a rollout of C failed and was
 * reverted (history A, B, C rejected, B), `rollback-to: previous` skips the
 * rejected C and selects A, so keep-amis 1 with a small rollback-window
 * keeps A (it used to keep the rejected C as "previous" and deregister A,
 * and the next rollback failed on an AMI that no longer existed).
 */
import { CreateTagsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { makeAmi, runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, parameterHistory, type Clients } from './helpers.js';

describe('publish-ami pruning keeps what rollback-to previous selects past a rejected AMI (bundle, moto)', () => {
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
    runBundledAction('publish-ami', { env: { ...moto.env, GITHUB_RUN_ID: '4242' }, inputs });
  /** An AMI tagged as this application's (so pruning considers it). */
  const applicationAmi = async (application: string, name: string): Promise<string> => {
    const amiId = (await makeAmi(aws.ec2, name)).amiId;
    await aws.ec2.send(
      new CreateTagsCommand({ Resources: [amiId], Tags: [{ Key: 'application', Value: application }] }),
    );
    return amiId;
  };
  const exists = async (amiId: string): Promise<boolean> =>
    ((await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? []).some(
      (image) => image.ImageId === amiId,
    );

  const creationDate = async (amiId: string): Promise<string> =>
    (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0]?.CreationDate ?? '';
  /** Resolves once the wall clock has left the second of `isoDate` (moto's clock is this machine's). */
  const nextSecond = async (isoDate: string): Promise<void> => {
    const second = new Date(isoDate).getTime();
    const wait = second + 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
  };

  // The small windows are the ones that lost the older good AMI; 5 is the default.
  it.each([1, 2, 3, 5])('rollback-window %i: the good AMI before the rejected one survives pruning', async (window) => {
    const application = `prune-w${window}`;
    const name = `/reliability/${application}/golden-ami`;
    const unused = await applicationAmi(application, `${application}-unused`);
    // moto dates an image to the second: A, B and C must be strictly newer than the unused AMI, or
    // "the newest 1" that pruning keeps is a tie it may break in the unused AMI's favour.
    await nextSecond(await creationDate(unused));
    const [a, b, c] = [
      await applicationAmi(application, `${application}-a`),
      await applicationAmi(application, `${application}-b`),
      await applicationAmi(application, `${application}-c`),
    ];
    for (const amiId of [a, b, c]) expect((await step({ 'ami-id': amiId, 'parameter-name': name })).exitCode).toBe(0);
    // C's deploy failed: the revert tags it and republishes version 2 (B) as version 4.
    const revert = await step({ 'reject-ami': c, 'rollback-to': '2', 'parameter-name': name });
    expect(revert.exitCode, revert.log).toBe(0);

    const prune = await step({
      'keep-amis': '1',
      'rollback-window': String(window),
      application,
      'parameter-name': name,
      'reference-path': `/reliability/${application}`,
    });
    expect(prune.exitCode, prune.log).toBe(0);
    expect(JSON.parse(prune.outputs['pruned-amis'] ?? '[]'), prune.log).toEqual([unused]);
    expect(prune.log).toContain(`previous value of ${name} (version 1); rollback-to previous skips rejected version 3`);
    expect(await exists(a)).toBe(true);

    const rollback = await step({ 'rollback-to': 'previous', 'parameter-name': name });
    expect(rollback.exitCode, rollback.log).toBe(0);
    expect(rollback.outputs).toMatchObject({ 'ami-id': a, version: '5', changed: 'true' });
    expect((await parameterHistory(aws.ssm, name)).map((entry) => entry.value)).toEqual([a, b, c, b, a]);
  });
});
