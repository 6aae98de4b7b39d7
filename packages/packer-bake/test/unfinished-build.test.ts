// @needs-tools moto_server
/**
 * UnfinishedBuild against moto: the AMIs Packer announced for a build that
 * did not finish are deregistered with their snapshots; a finished build's
 * AMI is kept; one that Packer's own clean-up removed first is no error.
 */
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnfinishedBuild } from '../src/unfinished-build.js';
import { testContext } from './context.js';

let moto: Moto;
let ec2: EC2Client;

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client(moto.clientConfig);
});
afterAll(async () => {
  ec2.destroy();
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
});

/** An AMI registered the way Packer registers one (CreateImage of a running instance), untagged. */
async function register(name: string): Promise<string> {
  const base = await ec2.send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*'] }] }),
  );
  const run = await ec2.send(new RunInstancesCommand({ ImageId: base.Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1 }));
  const image = await ec2.send(new CreateImageCommand({ InstanceId: run.Instances?.[0]?.InstanceId, Name: name }));
  return image.ImageId ?? '';
}

async function ownImageIds(): Promise<string[]> {
  return ((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [])
    .map((image) => image.ImageId ?? '')
    .sort();
}

describe('UnfinishedBuild', () => {
  it('deregisters the AMIs announced by id or only by name, with their snapshots; keeps a finished one', async () => {
    const byId = await register('by-id');
    const byName = await register('by-name'); // CreateImage in flight when interrupted: only its name was printed
    const finished = await register('finished');
    const snapshotsBefore = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r1' });
    build.observe({ kind: 'resource', resource: 'image-name', id: 'by-id' });
    build.observe({ kind: 'resource', resource: 'image', id: byId });
    build.observe({ kind: 'resource', resource: 'image-name', id: 'by-name' });
    build.observe({ kind: 'resource', resource: 'image', id: finished });
    const amis = { [moto.region]: finished };
    build.observe({ kind: 'build', build: { name: 'b', amis, artifactId: '', builderId: 'mitchellh.amazonebs' } });
    const context = testContext(moto.env);

    const discarded = await build.discardImages(context, AbortSignal.timeout(10_000));

    expect(discarded.sort()).toEqual([byId, byName].sort());
    expect(await ownImageIds()).toEqual([finished]);
    const snapshotsAfter = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
    expect(snapshotsBefore.length - snapshotsAfter.length).toBe(2);
    expect(context.lines.filter((line) => line.startsWith('warning'))).toEqual([]);
    expect(context.lines.filter((line) => line.startsWith('Deregistered'))).toHaveLength(2);
    // A second call (after Packer exits) finds nothing more to do.
    expect(await build.discardImages(context, AbortSignal.timeout(10_000))).toEqual([]);
  });

  it("takes an AMI that Packer's own clean-up deregistered first as gone, without a warning", async () => {
    const id = await register('raced');
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r2' });
    build.observe({ kind: 'resource', resource: 'image', id });
    await ec2.send(new DeregisterImageCommand({ ImageId: id }));
    const context = testContext(moto.env);
    expect(await build.discardImages(context, AbortSignal.timeout(10_000))).toEqual([]);
    expect(context.lines).toEqual([]);
  });

  it('does nothing, and calls nothing, when Packer announced no AMI', async () => {
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r3' });
    build.observe({ kind: 'resource', resource: 'key-pair', id: 'packer_1' });
    const context = testContext(moto.env, {
      clients: {
        get: () => {
          throw new Error('no client expected');
        },
      },
    });
    expect(await build.discardImages(context, AbortSignal.timeout(1_000))).toEqual([]);
  });
});
