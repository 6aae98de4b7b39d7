// @needs-tools moto_server packer
/**
 * The bundled action with a REAL Packer against moto: a skipped bake
 * returns every region of the bake it reuses, and the source AMI in the
 * fingerprint is the one Packer itself picks from moto's Amazon-owned
 * al2023 images.
 */
import { join } from 'node:path';
import { DeregisterImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runBundledAction, snapshotAws, startMoto, type ActionRun, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TEMPLATE = join(import.meta.dirname, 'fixtures', 'packer');

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto.stop();
});

function bake(extra: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> {
  return runBundledAction('bake-ami', {
    env: { ...moto.env, ...env },
    inputs: {
      template: TEMPLATE,
      'var-files': join(TEMPLATE, 'test.pkrvars.hcl'),
      'app-revision': 'regions-1',
      variables: [`ec2_endpoint=${moto.endpoint}`, 'copy_regions=["us-west-2","eu-west-1"]'].join('\n'),
      ...extra,
    },
  });
}

describe('bake-ami skip with real Packer against moto', { timeout: 120_000 }, () => {
  it('a skipped multi-region bake returns the amis of the bake it reuses; a missing copy bakes again', async () => {
    const first = await bake();
    expect(first.exitCode, first.log).toBe(0);
    const amis = JSON.parse(first.outputs.amis ?? '{}') as Record<string, string>;
    expect(Object.keys(amis).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);

    // The fingerprint's source AMI is the image Packer's source_ami_filter picked.
    const packerPick = /Found Image ID: (ami-[0-9a-f]+)/.exec(first.log)?.[1];
    expect(packerPick).toMatch(/^ami-/);
    expect(first.log).toContain(`Source AMI ${packerPick}: the newest match of source_ami_filter`);

    const second = await bake();
    expect(second.exitCode, second.log).toBe(0);
    expect(second.outputs).toMatchObject({
      skipped: 'true',
      'ami-id': amis['us-east-1'],
      fingerprint: first.outputs.fingerprint,
    });
    expect(JSON.parse(second.outputs.amis ?? '{}')).toEqual(amis);
    expect(second.log).not.toContain('::group::Packer build');
    expect(second.log).toContain(`Skipped: already baked as us-east-1: ${amis['us-east-1']}, `);
    expect(second.summary).toContain(`<code>${amis['eu-west-1']}</code>`);

    // The eu-west-1 copy is gone: skipping would leave that region's pointer stale, so it bakes again.
    const eu = new EC2Client({ ...moto.clientConfig, region: 'eu-west-1' });
    await eu.send(new DeregisterImageCommand({ ImageId: amis['eu-west-1'] }));
    const third = await bake();
    expect(third.exitCode, third.log).toBe(0);
    expect(third.outputs.skipped).toBe('false');
    expect(third.log).toContain(
      `but eu-west-1 has no available AMI with fingerprint ${first.outputs.fingerprint}; baking again`,
    );
    const rebaked = JSON.parse(third.outputs.amis ?? '{}') as Record<string, string>;
    expect(Object.keys(rebaked).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    const copy = await eu.send(new DescribeImagesCommand({ ImageIds: [rebaked['eu-west-1'] ?? ''] }));
    expect(copy.Images?.[0]?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'fingerprint', Value: first.outputs.fingerprint }]),
    );
    eu.destroy();
  });

  it('a region typo is one line naming the input, before Packer or AWS; IMG_MGR_ANY_REGION=1 lifts it', async () => {
    const before = await snapshotAws(moto.clientConfig);
    const typo = await bake({ region: 'us-est-1' });
    expect(typo.exitCode).toBe(1);
    expect(typo.errors).toEqual([
      "Input 'region' has 'us-est-1', which is not a known AWS region (set IMG_MGR_ANY_REGION=1 if it is new)",
    ]);
    expect(typo.log).not.toMatch(/Retrying|getaddrinfo|^\s+at /m);
    const fromEnv = await bake({}, { AWS_REGION: 'eu-wset-1' });
    expect(fromEnv.errors).toEqual([
      "Input 'region' is not set and AWS_REGION has 'eu-wset-1', which is not a known AWS region " +
        '(set IMG_MGR_ANY_REGION=1 if it is new)',
    ]);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    // With the override the region is accepted and the bake goes as far as AWS (moto answers any region name).
    const override = await bake({ region: 'us-east-9' }, { IMG_MGR_ANY_REGION: '1' });
    expect(override.log).not.toContain('not a known AWS region');
    expect(override.log).toContain('Fingerprint ');
  });
});
