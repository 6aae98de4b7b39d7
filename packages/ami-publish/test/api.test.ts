// @needs-tools moto_server
/**
 * The package API as a CLI would use it: plain objects in, reports out, a
 * kernel Context (built on the test's own moto env), no Actions runtime. Against moto.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { makeAmi, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@img-mgr/kernel';
import { describePointer, publishAmi, rollbackAmi, runPublishAmi } from '../src/index.js';
import { testContext } from './context.js';

describe('@img-mgr/ami-publish API against moto', () => {
  let moto: Moto;
  const amis: string[] = [];
  beforeAll(async () => {
    moto = await startMoto();
    const ec2 = new EC2Client(moto.clientConfig);
    for (const name of ['api-1', 'api-2']) amis.push((await makeAmi(ec2, name)).amiId);
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('publish, publish again, roll back, and describe the pointer', async () => {
    const lines: string[] = [];
    const context = testContext(moto.env, lines);
    const settings = {
      parameterName: '/api/golden',
      tags: {},
      dataType: 'aws:ec2:image' as const,
      waitTimeoutMs: 10_000,
    };
    const first = await publishAmi(
      { ...settings, labels: ['release-1'], targets: [{ region: 'us-east-1', amiId: amis[0] ?? '' }] },
      context,
    );
    const second = await publishAmi(
      { ...settings, labels: [], targets: [{ region: 'us-east-1', amiId: amis[1] ?? '' }] },
      context,
    );
    expect(first.results[0]).toMatchObject({ status: 'published', version: 1 });
    expect(second.results[0]).toMatchObject({
      status: 'published',
      version: 2,
      previousAmiId: amis[0],
      previousVersion: 1,
    });
    const rollback = await rollbackAmi(
      { ...settings, labels: [], regions: ['us-east-1'], to: { kind: 'label', label: 'release-1' } },
      context,
    );
    expect(rollback).toMatchObject({
      ok: true,
      results: [{ status: 'published', version: 3, amiId: amis[0], rolledBackTo: 1 }],
    });
    const status = await describePointer({ region: 'us-east-1', parameterName: '/api/golden' }, context);
    expect(status).toMatchObject({
      exists: true,
      current: { version: 3, value: amis[0], labels: ['rollback-from-v2'], dataType: 'aws:ec2:image' },
      previous: { version: 2, value: amis[1] },
      labels: { 'release-1': 1, 'rollback-from-v2': 3 },
    });
    expect(status.versions.map((entry) => entry.value)).toEqual([amis[0], amis[1], amis[0]]);
    expect(lines.some((line) => line.startsWith('[us-east-1] Confirmed: /api/golden:3'))).toBe(true);
    expect(await describePointer({ region: 'us-east-1', parameterName: '/api/absent' }, context)).toMatchObject({
      exists: false,
      versions: [],
    });
  });

  it('runPublishAmi: one entry for the step (publish then prune); an unusable value names its field', async () => {
    const lines: string[] = [];
    const context = testContext(moto.env, lines);
    const settings = {
      parameterName: '/api/run',
      labels: [],
      tags: {},
      dataType: 'aws:ec2:image' as const,
      waitTimeoutMs: 10_000,
    };
    const prune = { keep: 1, application: 'api-none', dryRun: true };
    const done = await runPublishAmi(
      { ...settings, mode: 'publish', targets: [{ region: 'us-east-1', amiId: amis[0] ?? '' }], prune },
      context,
    );
    expect(done).toMatchObject({
      mode: 'publish',
      rejected: false,
      report: { ok: true, results: [{ status: 'published', version: 1 }] },
    });
    expect(done.error).toBeUndefined();
    expect(done.prunes).toMatchObject([{ region: 'us-east-1', dryRun: true, plan: [] }]);
    const missing = await runPublishAmi(
      { ...settings, mode: 'publish', targets: [{ region: 'us-east-1', amiId: 'ami-0123456789abcdef0' }] },
      context,
    );
    expect(missing.error).toBeInstanceOf(InvalidRequestError);
    expect(missing.error).toMatchObject({
      field: 'targets',
      problem:
        'cannot be published: ami-0123456789abcdef0 does not exist in us-east-1 ' +
        '(or is not shared with this account); nothing was written',
    });
    expect(missing.report).toBeUndefined();
    const noTarget = await runPublishAmi({ ...settings, mode: 'rollback', regions: ['us-east-1'] }, context);
    expect(noTarget.error).toMatchObject({ field: 'to', problem: 'is required when the mode is rollback' });
    expect((await describePointer({ region: 'us-east-1', parameterName: '/api/run' }, context)).versions).toHaveLength(
      1,
    );
  });
});
