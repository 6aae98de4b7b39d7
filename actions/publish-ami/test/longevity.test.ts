// @needs-tools moto_server
/**
 * A year of pushes: 250 publishes with the reusable workflow's labelling
 * (`labels: app-<sha>`, a new sha each time, some shas published again) must
 * never fail. moto enforces ParameterMaxVersionLimitExceeded when the oldest
 * of 100 versions is labelled, so a wedge would fail a publish here; the
 * invariant "the oldest kept version carries no label" is checked after
 * every publish as well.
 *
 * One publish in twenty, and every publish around the 100-version mark, goes
 * through the bundled action as the workflow runs it; the rest go through the
 * package the bundle wraps, which makes the same calls in the same order. All
 * 250 through the bundle cost two minutes of a loaded CI runner (about 0.5 s
 * each) and prove nothing more about the labelling: IMG_MGR_LONGEVITY_ALL=1
 * sends them all that way.
 */
import { CreateImageCommand, DescribeImagesCommand, RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { publishAmi } from '@img-mgr/ami-publish';
import { silentLogger, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, readParameter } from './aws.js';

const PUBLISHES = 250;
const WINDOW = 50;
const ALL_BUNDLED = process.env.IMG_MGR_LONGEVITY_ALL === '1';

/** Publish i (1-based) goes through the bundle: every twentieth, and the ones crossing the 100-version limit. */
function bundled(index: number): boolean {
  return ALL_BUNDLED || index % 20 === 0 || (index >= 99 && index <= 103);
}

/** Publish i republishes an earlier revision (a revert, a re-run) every seventh time. */
function revisionOf(index: number): number {
  return index > 20 && index % 7 === 3 ? index - 20 : index;
}

describe('publish-ami bundle against moto: 250 publishes with the workflow labelling never wedge', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ec2: EC2Client;
  const amiOf = new Map<number, string>();
  beforeAll(async () => {
    moto = await startMoto();
    ({ ssm, ec2 } = clients(moto));
    // One AMI per revision, made from one instance (CreateImage is instant in moto).
    const base = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }),
    );
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: base.Images?.[0]?.ImageId,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
      }),
    );
    const instance = run.Instances?.[0]?.InstanceId;
    for (let index = 1; index <= PUBLISHES; index++) {
      if (revisionOf(index) !== index) continue;
      const image = await ec2.send(new CreateImageCommand({ InstanceId: instance, Name: `img-mgr-${index}` }));
      amiOf.set(index, image.ImageId ?? '');
    }
  }, 300_000);
  afterAll(async () => {
    await moto.stop();
  });

  const through = ALL_BUNDLED ? 'all' : 'one in twenty and those around version 100';
  it(`${PUBLISHES} publishes (${through} bundled) succeed; labels stay in the newest ${WINDOW} versions`, async () => {
    const name = '/common/img-mgr/golden-ami';
    const sha = (revision: number): string => `app-${revision.toString(16).padStart(7, '0')}`;
    let bundledRuns = 0;
    let bundledMs = 0;
    const packageContext: Context = {
      log: silentLogger,
      signal: new AbortController().signal,
      env: moto.env,
      clients: clientFactory({ caller: 'longevity-test', env: moto.env }),
    };
    for (let index = 1; index <= PUBLISHES; index++) {
      const revision = revisionOf(index);
      const amiId = amiOf.get(revision) ?? '';
      const labels = sha(revision);
      if (bundled(index)) {
        const run = await runBundledAction('publish-ami', { env: moto.env, inputs: { 'ami-id': amiId, labels } });
        expect(run.exitCode, `publish ${index}: ${run.log}`).toBe(0);
        bundledRuns++;
        bundledMs += run.durationMs;
      } else {
        const report = await publishAmi(
          {
            targets: [{ region: 'us-east-1', amiId }],
            parameterName: name,
            labels: [labels],
            tags: {},
            dataType: 'aws:ec2:image',
            waitTimeoutMs: 10_000,
          },
          packageContext,
        );
        expect(report.ok, `publish ${index}: ${JSON.stringify(report.results)}`).toBe(true);
      }
      const stored = await readParameter(ssm, name);
      const history = stored?.history ?? [];
      expect(stored?.value, `publish ${index}`).toBe(amiId);
      // The invariant that keeps PutParameter from failing: the oldest kept version is never labelled.
      if (history.length === 100) expect(history[0]?.labels, `publish ${index}: oldest of 100 is labelled`).toEqual([]);
      const newest = stored?.version ?? 0;
      const labelled = history.filter((entry) => entry.labels.length > 0);
      expect(
        labelled.every((entry) => entry.version > newest - WINDOW),
        `publish ${index}: a label outside the window`,
      ).toBe(true);
      // The label moved with the latest publish of its revision.
      expect(history.at(-1)?.labels, `publish ${index}`).toContain(labels);
    }
    const stored = await readParameter(ssm, name);
    // Republishing the current value writes no version, so a few publishes made none.
    expect(stored?.version).toBeGreaterThan(200);
    expect(stored?.history).toHaveLength(100);
    console.log(
      `longevity: ${PUBLISHES} publishes, ${bundledRuns} through the bundle ` +
        `(mean ${Math.round(bundledMs / Math.max(bundledRuns, 1))} ms), final version ${stored?.version}`,
    );
  }, 1_200_000);
});
