// @needs-tools moto_server
/**
 * The revert (reject with rollback) is conditional, against moto: it writes
 * only while the parameter still holds the AMI it rejects, checked when it
 * reads the pointer and again, against the version it read, immediately
 * before the PutParameter (after labels outside the label window are removed).
 * Otherwise the AMI is tagged rejected and nothing else is written, and the
 * error names the live version. A version that lands after that last check
 * (PutParameter cannot compare-and-swap) is reported, never overwritten silently.
 */
import { CreateImageCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from '@img-mgr/kernel';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishAmi, rejectionOf, RevertSupersededError, runPublishAmi, type PublishAmiRequest } from '../src/index.js';
import { testContext } from './context.js';

const REGION = 'us-east-1';

describe('the revert writes only while the parameter holds the AMI it rejects, against moto', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let ssm: SSMClient;
  const amis: string[] = [];
  const settings = { tags: {}, labels: [], dataType: 'aws:ec2:image' as const, waitTimeoutMs: 10_000 };

  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(moto.clientConfig);
    ssm = new SSMClient(moto.clientConfig);
    const base = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }),
    );
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      const run = await ec2.send(
        new RunInstancesCommand({ ImageId: base.Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1 }),
      );
      const image = await ec2.send(
        new CreateImageCommand({ InstanceId: run.Instances?.[0]?.InstanceId, Name: `revert-${name}` }),
      );
      amis.push(image.ImageId ?? '');
    }
  });
  afterAll(async () => {
    await moto.stop();
  });

  const publish = async (context: Context, parameterName: string, amiId: string): Promise<void> => {
    await publishAmi({ ...settings, parameterName, targets: [{ region: REGION, amiId }] }, context);
  };
  const history = async (name: string): Promise<string[]> =>
    ((await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters ?? []).map(
      (entry) => entry.Value ?? '',
    );
  /** The workflow's revert: reject the AMI its publish wrote, republish the version live before. */
  const revert = (parameterName: string, amiId: string, liveBefore: number): PublishAmiRequest => ({
    ...settings,
    parameterName,
    mode: 'rollback',
    regions: [REGION],
    to: { kind: 'version', version: liveBefore },
    reject: { amiId, region: REGION, by: '777' },
  });

  it('a newer version from another writer: the AMI is tagged, nothing else written, the live one named', async () => {
    const [a, b, c] = amis as [string, string, string];
    const name = '/revert/superseded';
    const lines: string[] = [];
    const context = testContext(moto.env, lines);
    await publish(context, name, a);
    await publish(context, name, b); // the run's publish: version 2, live before it: version 1
    await publish(context, name, c); // another writer, before the run's deploy failed
    const result = await runPublishAmi(revert(name, b, 1), context);
    expect(result.rejected).toBe(true);
    expect(result.report).toBeUndefined();
    expect(result.error).toBeInstanceOf(RevertSupersededError);
    expect(result.error).toMatchObject({ live: { version: 3, value: c } });
    expect(result.error?.message).toBe(
      `${name} in ${REGION} holds ${c} (version 3 is live), not ${b}, so another writer published after this run ` +
        `and the revert wrote nothing but the img-mgr:rejected tag on ${b}. Version 3 stays live; if it must go ` +
        'too, roll back to a version explicitly',
    );
    expect(await rejectionOf(ec2, b)).toBe('777');
    expect(await history(name)).toEqual([a, b, c]);
  });

  it('another writer lands between the read and the write: the check right before the write refuses', async () => {
    const [a, , c, d] = amis as [string, string, string, string];
    const name = '/revert/race';
    const context = testContext(moto.env);
    await publish(context, name, a);
    await publish(context, name, d);
    // The other writer's PutParameter lands just before the revert's own check of the live version.
    let raced = false;
    context.clients.get(SSMClient, REGION).middlewareStack.add(
      (next, handler) => async (args) => {
        // GetParameter of the plain name is the revert's check of the live version (a read-back names name:version).
        if (
          !raced &&
          handler.commandName === 'GetParameterCommand' &&
          (args.input as { Name?: string }).Name === name
        ) {
          raced = true;
          await ssm.send(
            new PutParameterCommand({
              Name: name,
              Value: c,
              Type: 'String',
              DataType: 'aws:ec2:image',
              Overwrite: true,
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'another-writer' },
    );
    const result = await runPublishAmi(revert(name, d, 1), context);
    expect(raced).toBe(true);
    expect(result.rejected).toBe(true);
    expect(result.report?.results).toMatchObject([{ status: 'failed', changed: false }]);
    expect(result.report?.results[0]?.error).toBe(
      `${name} in ${REGION} moved on from version 2: it holds ${c} (version 3 is live), not ${d}, so another ` +
        `writer published after this run and the revert wrote nothing but the img-mgr:rejected tag on ${d}. ` +
        'Version 3 stays live; if it must go too, roll back to a version explicitly',
    );
    expect(result.error?.message).toMatch(
      /^Publishing failed in 1 of 1 region\(s\): us-east-1 \(.*\(version 3 is live\)/,
    );
    expect(await history(name)).toEqual([a, d, c]);
    expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe(c);
  });

  /** Another writer's PutParameter of `value`, landing when the revert's client first sends `command` for `name`. */
  const anotherWriterAt = (context: Context, command: string, name: string, value: string): (() => boolean) => {
    let raced = false;
    context.clients.get(SSMClient, REGION).middlewareStack.add(
      (next, handler) => async (args) => {
        if (!raced && handler.commandName === command && (args.input as { Name?: string }).Name === name) {
          raced = true;
          const put = { Name: name, Value: value, Type: 'String' as const, DataType: 'aws:ec2:image', Overwrite: true };
          await ssm.send(new PutParameterCommand(put));
        }
        return next(args);
      },
      { step: 'initialize', name: `another-writer-at-${command}` },
    );
    return () => raced;
  };

  it('another writer lands while old labels are removed: the check after the removal refuses', async () => {
    const [a, , c, , , f] = amis as [string, string, string, string, string, string];
    const name = '/revert/race-while-unlabelling';
    const context = testContext(moto.env);
    await publishAmi(
      { ...settings, labels: ['old'], parameterName: name, targets: [{ region: REGION, amiId: a }] },
      context,
    );
    await publish(context, name, f);
    const raced = anotherWriterAt(context, 'UnlabelParameterVersionCommand', name, c);
    // A label window of 1 makes the revert unlabel version 1 before it writes.
    const result = await runPublishAmi({ ...revert(name, f, 1), labelWindow: 1 }, context);
    expect(raced()).toBe(true);
    expect(result.rejected).toBe(true);
    expect(result.report?.results).toMatchObject([{ status: 'failed', changed: false }]);
    expect(result.report?.results[0]?.error).toMatch(
      new RegExp(`^${name} in ${REGION} moved on from version 2: it holds ${c} \\(version 3 is live\\), not ${f}`),
    );
    expect(await history(name)).toEqual([a, f, c]);
  });

  it('another writer lands between the last check and the PutParameter: the revert reports both versions', async () => {
    const [a, , c, , , , g] = amis as [string, string, string, string, string, string, string];
    const name = '/revert/race-at-put';
    const context = testContext(moto.env);
    await publish(context, name, a);
    await publish(context, name, g);
    const raced = anotherWriterAt(context, 'PutParameterCommand', name, c);
    const result = await runPublishAmi(revert(name, g, 1), context);
    expect(raced()).toBe(true);
    expect(result.rejected).toBe(true);
    expect(result.report?.results).toMatchObject([{ status: 'failed' }]);
    expect(result.report?.results[0]?.error).toBe(
      `${name} in ${REGION} moved on from version 2 while the revert wrote: another version landed concurrently ` +
        `(version 3, ${c}, put by another writer between the revert's last check and its PutParameter), so the ` +
        `revert's republish became version 4 on top of it. Version 4 (the revert's) is live; if ${c} must be live ` +
        'instead, roll back to version 3 explicitly',
    );
    expect(result.error?.message).toMatch(
      /^Publishing failed in 1 of 1 region\(s\): us-east-1 \(.*landed concurrently/,
    );
    expect(await history(name)).toEqual([a, g, c, a]);
  });

  it('with nobody else writing, the revert republishes the version live before; a re-run writes nothing', async () => {
    const [a, , , , e] = amis as [string, string, string, string, string];
    const name = '/revert/clean';
    const context = testContext(moto.env);
    await publish(context, name, a);
    await publish(context, name, e);
    const first = await runPublishAmi(revert(name, e, 1), context);
    expect(first.error).toBeUndefined();
    expect(first.report?.results).toMatchObject([{ status: 'published', amiId: a, version: 3, rolledBackTo: 1 }]);
    const again = await runPublishAmi(revert(name, e, 1), context);
    expect(again.error).toBeUndefined();
    expect(again.report?.results).toMatchObject([{ status: 'unchanged', amiId: a, version: 3 }]);
    expect(await history(name)).toEqual([a, e, a]);
  });
});
