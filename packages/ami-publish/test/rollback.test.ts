// @needs-tools moto_server
/**
 * Rollback, promotion and the rejected tag through the package API, against
 * moto: `previous` skips AMIs tagged img-mgr:rejected, and when every earlier
 * value is rejected (or a promote has no source) nothing is written.
 */
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from '@img-mgr/kernel';
import { makeAmi, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ImageNotUsableError,
  promoteAmi,
  PromoteSourceError,
  publishAmi,
  REJECTED_TAG_KEY,
  rejectAmi,
  RejectedImageError,
  rejectionOf,
  rollbackAmi,
  RollbackTargetError,
} from '../src/index.js';
import { testContext } from './context.js';

const REGION = 'us-east-1';

describe('rollback and promote with rejected AMIs, against moto', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let ssm: SSMClient;
  const amis: string[] = [];
  const lines: string[] = [];
  let context: Context;
  const settings = { tags: {}, labels: [], dataType: 'aws:ec2:image' as const, waitTimeoutMs: 10_000 };

  beforeAll(async () => {
    moto = await startMoto();
    context = testContext(moto.env, lines);
    ec2 = new EC2Client(moto.clientConfig);
    ssm = new SSMClient(moto.clientConfig);
    for (const name of ['a', 'b', 'c']) amis.push((await makeAmi(ec2, `rollback-${name}`)).amiId);
  });
  afterAll(async () => {
    await moto.stop();
  });

  /**
   * Builds a pointer's history as it was before the rejections: an explicit publish refuses a
   * rejected AMI, so each rejected tag is lifted while publishing (the documented way out) and put back.
   */
  const publishAll = async (parameterName: string, values: string[]): Promise<void> => {
    const rejected = new Map<string, string>();
    for (const amiId of new Set(values)) {
      const by = await rejectionOf(ec2, amiId);
      if (by !== undefined) rejected.set(amiId, by);
    }
    if (rejected.size > 0)
      await ec2.send(new DeleteTagsCommand({ Resources: [...rejected.keys()], Tags: [{ Key: REJECTED_TAG_KEY }] }));
    try {
      for (const amiId of values)
        await publishAmi({ ...settings, parameterName, targets: [{ region: REGION, amiId }] }, context);
    } finally {
      for (const [amiId, by] of rejected)
        await ec2.send(new CreateTagsCommand({ Resources: [amiId], Tags: [{ Key: REJECTED_TAG_KEY, Value: by }] }));
    }
  };
  const history = async (name: string): Promise<string[]> =>
    ((await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters ?? []).map(
      (entry) => entry.Value ?? '',
    );

  it('rejectAmi writes the tag that rejectionOf reads; an AMI that does not exist cannot be tagged', async () => {
    const [a, b] = amis as [string, string];
    expect(REJECTED_TAG_KEY).toBe('img-mgr:rejected');
    expect(await rejectionOf(ec2, a)).toBeUndefined();
    await rejectAmi({ region: REGION, amiId: b, by: '4242' }, context);
    expect(await rejectionOf(ec2, b)).toBe('4242');
    expect(lines).toContain(
      `[${REGION}] Tagged ${b} img-mgr:rejected=4242: rollback-to previous, promote and pruning treat it as rejected`,
    );
    await expect(rejectAmi({ region: REGION, amiId: 'ami-0123456789abcdef0', by: '1' }, context)).rejects.toThrow(
      ImageNotUsableError,
    );
  });

  it('an explicit publish of a rejected AMI throws RejectedImageError naming the run, and writes nothing', async () => {
    const [a, b] = amis as [string, string];
    const name = '/publish/refuses-rejected';
    await publishAll(name, [a]);
    const failure = publishAmi({ ...settings, parameterName: name, targets: [{ region: REGION, amiId: b }] }, context);
    await expect(failure).rejects.toThrow(RejectedImageError);
    await expect(failure).rejects.toMatchObject({ amiId: b, region: REGION, rejectedBy: '4242' });
    expect(await history(name)).toEqual([a]);
  });

  it('rollback-to previous skips the rejected AMI and lands on the newest earlier one that is not', async () => {
    const [a, b, c] = amis as [string, string, string];
    const name = '/rollback/skips-rejected';
    await publishAll(name, [a, b, c]); // b is rejected (previous test)
    const report = await rollbackAmi(
      { ...settings, parameterName: name, regions: [REGION], to: { kind: 'previous' } },
      context,
    );
    expect(report).toMatchObject({
      ok: true,
      results: [{ status: 'published', amiId: a, version: 4, rolledBackTo: 1 }],
    });
    expect(lines).toContain(`[${REGION}] Skipping version 2 (${b}): it carries img-mgr:rejected=4242`);
    expect(await history(name)).toEqual([a, b, c, a]);
  });

  it('a version named explicitly is used even when rejected, with a note', async () => {
    const [a, b, c] = amis as [string, string, string];
    const name = '/rollback/explicit-rejected';
    await publishAll(name, [a, b, c]);
    const report = await rollbackAmi(
      { ...settings, parameterName: name, regions: [REGION], to: { kind: 'version', version: 2 } },
      context,
    );
    expect(report.results[0]).toMatchObject({ status: 'published', amiId: b, rolledBackTo: 2 });
    expect(lines).toContain(
      `[${REGION}] Note: ${b} (version 2) carries img-mgr:rejected=4242; ` +
        'rolling back to it because rollback-to names it',
    );
  });

  it('when every earlier value is rejected, rollback-to previous fails in one line and writes nothing', async () => {
    const [a, b, c] = amis as [string, string, string];
    const name = '/rollback/all-rejected';
    await publishAll(name, [b, c, b, a]); // earlier values: b (v3, v1) and c (v2)
    await rejectAmi({ region: REGION, amiId: c, by: '4343' }, context);
    const failure = rollbackAmi(
      { ...settings, parameterName: name, regions: [REGION], to: { kind: 'previous' } },
      context,
    );
    await expect(failure).rejects.toThrow(RollbackTargetError);
    await expect(failure).rejects.toThrow(
      `${name} has no earlier value than ${a} that is not rejected: ` +
        `${b} (version 3), ${c} (version 2) carry img-mgr:rejected (in ${REGION})`,
    );
    expect(await history(name)).toEqual([b, c, b, a]);
  });

  it('promote copies the source parameter current AMI; a missing or rejected source fails, no write', async () => {
    const [a, b] = amis as [string, string];
    const dev = '/promote/dev/golden-ami';
    const prod = '/promote/prod/golden-ami';
    const promote = () => promoteAmi({ ...settings, parameterName: prod, regions: [REGION], from: dev }, context);
    await expect(promote()).rejects.toThrow(
      new PromoteSourceError(REGION, `${dev} does not exist, so no AMI is live there to promote`),
    );
    await publishAll(dev, [b]);
    await expect(promote()).rejects.toThrow(
      `${dev} holds ${b}, which carries img-mgr:rejected=4242 (a failed rollout) (in ${REGION})`,
    );
    await expect(history(prod)).rejects.toThrow(/ParameterNotFound|not found/i);
    await publishAll(dev, [a]);
    const report = await promote();
    expect(report).toMatchObject({
      ok: true,
      results: [{ status: 'published', amiId: a, version: 1, parameterName: prod }],
    });
    expect(await history(prod)).toEqual([a]);
    expect(await history(dev)).toEqual([b, a]);
  });
});
