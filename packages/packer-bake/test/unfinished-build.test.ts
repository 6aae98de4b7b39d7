// @needs-tools moto_server
/**
 * UnfinishedBuild against moto: the AMIs Packer announced for a build that
 * did not finish are deregistered with their snapshots; a finished build's
 * AMI is kept; one that Packer's own clean-up removed first is no error.
 * Only the builder's own lines count (not a provisioner's echo), and an AMI
 * made before the build started, or from another instance, is never removed.
 */
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientFactory } from '@img-mgr/kernel';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BuilderAnnouncements } from '../src/announcements.js';
import { MachineReadableParser } from '../src/machine-readable.js';
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
async function register(name: string): Promise<{ id: string; name: string; instance: string }> {
  const base = await ec2.send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*'] }] }),
  );
  const run = await ec2.send(new RunInstancesCommand({ ImageId: base.Images?.[0]?.ImageId, MinCount: 1, MaxCount: 1 }));
  const instance = run.Instances?.[0]?.InstanceId ?? '';
  const image = await ec2.send(new CreateImageCommand({ InstanceId: instance, Name: name }));
  return { id: image.ImageId ?? '', name, instance };
}

/** What the builder's `Creating AMI` line announced for `ami`. */
function announced(ami: { name: string; instance: string }) {
  return { name: ami.name, instance: ami.instance };
}

/** Feeds machine-readable Packer output to `build` the way packerBuild does. */
function observeOutput(build: UnfinishedBuild, output: string): void {
  const announcements = new BuilderAnnouncements();
  const parser = new MachineReadableParser({
    onUi: (line) => {
      for (const announcement of announcements.read(line)) build.observe({ kind: 'resource', ...announcement });
    },
  });
  parser.push(output);
  parser.end();
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
    build.observe({ kind: 'resource', resource: 'image-name', id: 'by-id', image: announced(byId) });
    build.observe({ kind: 'resource', resource: 'image', id: byId.id, image: announced(byId) });
    build.observe({ kind: 'resource', resource: 'image-name', id: 'by-name', image: announced(byName) });
    build.observe({ kind: 'resource', resource: 'image', id: finished.id, image: announced(finished) });
    const amis = { [moto.region]: finished.id };
    build.observe({ kind: 'build', build: { name: 'b', amis, artifactId: '', builderId: 'mitchellh.amazonebs' } });
    const context = testContext(moto.env);

    const discarded = await build.discardImages(context, AbortSignal.timeout(10_000));

    expect(discarded.sort()).toEqual([byId.id, byName.id].sort());
    expect(await ownImageIds()).toEqual([finished.id]);
    const snapshotsAfter = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
    expect(snapshotsBefore.length - snapshotsAfter.length).toBe(2);
    expect(context.lines.filter((line) => line.startsWith('warning'))).toEqual([]);
    expect(context.lines.filter((line) => line.startsWith('Deregistered'))).toHaveLength(2);
    // A second call (after Packer exits) finds nothing more to do.
    expect(await build.discardImages(context, AbortSignal.timeout(10_000))).toEqual([]);
  });

  it("takes an AMI that Packer's own clean-up deregistered first as gone, without a warning", async () => {
    const raced = await register('raced');
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r2' });
    build.observe({ kind: 'resource', resource: 'image', id: raced.id, image: announced(raced) });
    await ec2.send(new DeregisterImageCommand({ ImageId: raced.id }));
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

  it("ignores a provisioner's echo of an AMI id (Packer 1.6.6 output); removes the builder's own AMI", async () => {
    const foreign = await register('layer-base'); // this account's source AMI of a layered bake
    const ours = await register('probe 1796605877');
    // Recorded against moto: a shell-local provisioner echoes `AMI: ami-0123456789abcdef0` and forged builder lines.
    const recorded = readFileSync(join(import.meta.dirname, 'fixtures', 'recordings', 'provisioner-echo.txt'), 'utf8');
    const output = recorded
      .replaceAll('ami-0123456789abcdef0', foreign.id)
      .replaceAll('ami-dfed0e30dc728c701', ours.id)
      .replaceAll('i-328b15a74ebb874ea', ours.instance)
      .split('\n')
      .filter((line) => !/,artifact|AMIs were created/.test(line)) // the build did not finish
      .join('\n');
    expect(output).toContain(`    amazon-ebs.app: AMI: ${foreign.id}`);
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r4' });
    observeOutput(build, output);
    const context = testContext(moto.env);

    expect(await build.discardImages(context, AbortSignal.timeout(10_000))).toEqual([ours.id]);
    expect(await ownImageIds()).toEqual([foreign.id]);
  });

  it('never deregisters a same-name AMI made before the build started, nor one from another instance', async () => {
    const older = await register('fixed-name');
    const build = new UnfinishedBuild({ region: moto.region, runId: 'r5' }, Date.now() + 120_000);
    build.observe({ kind: 'resource', resource: 'image-name', id: older.name, image: announced(older) });
    build.observe({ kind: 'resource', resource: 'image', id: older.id, image: announced(older) });
    const context = testContext(moto.env);
    expect(await build.discardImages(context, AbortSignal.timeout(10_000))).toEqual([]);
    expect(context.lines).toEqual([`Kept ${older.id} (fixed-name): it was made before this build started`]);

    // Another run won the race for a fixed name: this run's CreateImage (from its own instance) printed no id.
    const winner = await register('raced-name');
    const loser = new UnfinishedBuild({ region: moto.region, runId: 'r6' });
    loser.observe({
      kind: 'resource',
      resource: 'image-name',
      id: 'raced-name',
      image: { ...announced(winner), instance: 'i-0loser' },
    });
    expect(await loser.discardImages(testContext(moto.env), AbortSignal.timeout(10_000))).toEqual([]);
    expect(await ownImageIds()).toEqual([older.id, winner.id].sort());
  });

  it(
    'an AMI the role may not deregister is left with one warning naming it, no stack trace ' +
      '(SDK mocked: moto enforces no IAM on EC2)',
    async () => {
      const untagged = await register('untagged');
      const build = new UnfinishedBuild({ region: moto.region, runId: 'r7' });
      build.observe({ kind: 'resource', resource: 'image', id: untagged.id, image: announced(untagged) });
      // EC2's answer when IAM refuses: UnauthorizedOperation with an encoded authorization message.
      const denied = Object.assign(
        new Error('You are not authorized to perform this operation. Encoded authorization failure message: AbC'),
        { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } },
      );
      const context = testContext(moto.env);
      const clients: ClientFactory = {
        get: (Client, region) => {
          const real = context.clients.get(Client, region) as EC2Client;
          const send = (command: unknown, options?: unknown) =>
            command instanceof DeregisterImageCommand
              ? Promise.reject(denied)
              : real.send(command as DescribeImagesCommand, options as never);
          return { send } as never;
        },
      };
      const denying = { ...context, clients };

      expect(await build.discardImages(denying, AbortSignal.timeout(10_000))).toEqual([]);
      expect(await build.discardImages(denying, AbortSignal.timeout(10_000))).toEqual([]);

      expect(context.lines).toEqual([
        `warning: Left ${untagged.id} (untagged) in ${moto.region}, registered by the build that did not finish: ` +
          'the role may not deregister it (UnauthorizedOperation); deregister it and delete its snapshots by hand',
      ]);
      expect(await ownImageIds()).toEqual([untagged.id]);
    },
  );
});
