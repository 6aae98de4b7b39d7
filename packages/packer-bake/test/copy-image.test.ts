// @needs-tools moto_server
/**
 * Bake once, copy: the baked AMI copied to other regions by CopyImage, the copy and its snapshot carrying the
 * source's tags, found again by its fingerprint on a re-run. moto ignores TagSpecifications on CopyImage (the
 * copy tags itself afterwards there, with a warning line); the tags read back are moto's state either way.
 */
import {
  CopyImageCommand,
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { ClientFactory } from '@img-mgr/kernel';
import { makeAmi, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBakedAmi } from '../src/index.js';
import { testContext } from './context.js';

const HOME = 'us-east-1';
const TAGS = {
  Name: 'img-mgr-20261207-010101',
  application: 'img-mgr',
  'created-by': 'packer',
  'app-revision': 'a'.repeat(40),
  fingerprint: 'f'.repeat(64),
  'run-id': '42-1',
  'bake-ami-regions': HOME,
};

let moto: Moto;
const clients = new Map<string, EC2Client>();
const ec2 = (region: string): EC2Client => {
  const client = clients.get(region) ?? new EC2Client({ ...moto.clientConfig, region });
  clients.set(region, client);
  return client;
};

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  for (const client of clients.values()) client.destroy();
  await moto.stop();
});

async function tagsOf(region: string, amiId: string) {
  const image = (await ec2(region).send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0];
  const snapshotIds = (image?.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
  const snapshots = await ec2(region).send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
  const asRecord = (tags: { Key?: string; Value?: string }[] | undefined) =>
    Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  return {
    image: asRecord(image?.Tags),
    snapshots: (snapshots.Snapshots ?? []).map((snapshot) => asRecord(snapshot.Tags)),
  };
}

describe('copyBakedAmi on moto', () => {
  it('copies to the other regions, copy and snapshots tagged; a re-run copies the missing or rejected', async () => {
    const source = await makeAmi(ec2(HOME), TAGS.Name, { tags: TAGS });
    const request = {
      source: { amiId: source.amiId, region: HOME },
      fingerprint: TAGS.fingerprint,
      regions: [HOME, 'us-west-2', 'eu-west-1'],
      timeoutMs: 30_000,
    };
    const context = testContext(moto.env);
    const first = await copyBakedAmi(request, context, { minIntervalMs: 10 });
    expect(Object.keys(first).sort()).toEqual(['eu-west-1', 'us-west-2']);
    const expected = Object.fromEntries(Object.entries(TAGS).filter(([key]) => key !== 'bake-ami-regions'));
    for (const copy of Object.values(first)) {
      expect(copy.copied).toBe(true);
      const tags = await tagsOf(copy.region, copy.amiId);
      expect(tags.image).toEqual(expected);
      expect(tags.snapshots.length).toBeGreaterThan(0);
      for (const snapshot of tags.snapshots) expect(snapshot).toEqual(expected);
    }

    // Nothing missing: nothing copied, the same AMIs.
    const second = await copyBakedAmi(request, testContext(moto.env), { minIntervalMs: 10 });
    expect(Object.values(second).map((copy) => [copy.region, copy.amiId, copy.copied])).toEqual(
      Object.values(first).map((copy) => [copy.region, copy.amiId, false]),
    );

    // One copy gone: only that region gets a new one.
    await ec2('eu-west-1').send(new DeregisterImageCommand({ ImageId: first['eu-west-1']?.amiId ?? '' }));
    const third = await copyBakedAmi(request, testContext(moto.env), { minIntervalMs: 10 });
    expect(third['us-west-2']).toMatchObject({ amiId: first['us-west-2']?.amiId, copied: false });
    expect(third['eu-west-1']?.copied).toBe(true);
    expect(third['eu-west-1']?.amiId).not.toBe(first['eu-west-1']?.amiId);

    // A copy a failed wave rejected is never reused: a re-run, its cause fixed, gets a fresh copy there.
    await ec2('us-west-2').send(
      new CreateTagsCommand({
        Resources: [third['us-west-2']?.amiId ?? ''],
        Tags: [{ Key: 'img-mgr:rejected', Value: '4242' }],
      }),
    );
    const fourth = await copyBakedAmi(request, testContext(moto.env), { minIntervalMs: 10 });
    expect(fourth['eu-west-1']).toMatchObject({ amiId: third['eu-west-1']?.amiId, copied: false });
    expect(fourth['us-west-2']?.copied).toBe(true);
    expect(fourth['us-west-2']?.amiId).not.toBe(third['us-west-2']?.amiId);
  });

  it('refuses to copy a source AMI that is gone, in one line naming it and its region', async () => {
    const context = testContext(moto.env);
    const request = {
      source: { amiId: 'ami-0123456789abcdef0', region: HOME },
      fingerprint: 'e'.repeat(64),
      regions: ['us-west-2'],
      timeoutMs: 5_000,
    };
    await expect(copyBakedAmi(request, context)).rejects.toThrow(
      /^cannot copy ami-0123456789abcdef0: it is not found in us-east-1/,
    );
  });
});

describe('copyBakedAmi when one region fails', () => {
  it(
    'SDK mock (moto never fails a CopyImage nor keeps a copy pending): the first failed region ends the call ' +
      'at once and stops the other regions polling their pending copies',
    async () => {
      const polls: Record<string, number> = {};
      const factory: ClientFactory = {
        get(_Client, region) {
          const client = new EC2Client({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
          client.send = ((command: unknown) => {
            if (command instanceof CopyImageCommand) {
              if (region === 'eu-west-1') return Promise.reject(new Error('CopyImage refused in eu-west-1'));
              return Promise.resolve({ ImageId: `ami-copy-${region}` });
            }
            const input = (command as DescribeImagesCommand).input;
            if (input.ImageIds?.[0] === 'ami-source')
              return Promise.resolve({ Images: [{ ImageId: 'ami-source', State: 'available', Name: 'n', Tags: [] }] });
            if (input.ImageIds) {
              polls[region] = (polls[region] ?? 0) + 1;
              return Promise.resolve({ Images: [{ ImageId: input.ImageIds[0], State: 'pending' }] });
            }
            return Promise.resolve({ Images: [] });
          }) as never;
          return client as never;
        },
      };
      const request = {
        source: { amiId: 'ami-source', region: HOME },
        fingerprint: 'd'.repeat(64),
        regions: ['us-west-2', 'eu-west-1'],
        timeoutMs: 60_000,
      };
      const started = Date.now();
      await expect(
        copyBakedAmi(request, testContext({}, { clients: factory }), { minIntervalMs: 20, maxIntervalMs: 20 }),
      ).rejects.toThrow(/^CopyImage refused in eu-west-1$/);
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = polls['us-west-2'] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(polls['us-west-2'] ?? 0).toBe(after);
    },
  );
});
