// @needs-tools moto_server packer
/**
 * Every region from one run, on one moto: bake once in the home region, copy the AMI (tagged) to the other
 * regions, publish each region's parameter and deploy its stacks wave by wave, with real Packer. Each result is
 * read back from moto with the SDK, region by region. The failed wave uses the test bed's fault proxy: moto never
 * fails a stack update, so CloudFormation's refusal of one region's change set is injected there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  commitStandInBreak,
  initStandInAppRepository,
  startFaultProxy,
  startMoto,
  type FaultProxy,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/index.js';
import { runMain } from './helpers.js';

const PARAMETER = '/common/img-mgr/golden-ami';
const APP_STACK = 'img-mgr-dev';
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

let moto: Moto;
let proxy: FaultProxy;
let stateDir: string;
let fork: string;

beforeAll(async () => {
  moto = await startMoto();
  // One region's app-stack change set refused once in each test that turns the rate up.
  proxy = await startFaultProxy({
    target: moto.endpoint,
    rate: 0,
    kinds: ['refuse'],
    operation: 'CreateChangeSet',
    region: 'eu-west-1',
    bodyIncludes: `StackName=${APP_STACK}&`,
    maxFaults: 2,
  });
  stateDir = mkdtempSync(join(tmpdir(), 'img-mgr-waves-'));
  fork = join(stateDir, 'fork');
  initStandInAppRepository(fork);
});

afterAll(async () => {
  await proxy.stop();
  await moto.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ code: number; report: RunReport; stderr: string }> {
  const result = await runMain([
    'run',
    '--endpoint',
    proxy.endpoint,
    '--regions',
    REGIONS.join(','),
    '--flask-repo',
    fork,
    '--no-preview',
    '--json',
    '--state-dir',
    stateDir,
    ...args,
  ]);
  return { code: result.code, report: JSON.parse(result.stdout) as RunReport, stderr: result.stderr };
}

/** What moto holds in `region`: the parameter, the app stack's launch template AMI, this account's images. */
async function regionState(region: string) {
  const config = { ...moto.clientConfig, region };
  const ssm = new SSMClient(config);
  const cfn = new CloudFormationClient(config);
  const ec2 = new EC2Client(config);
  try {
    const parameter = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter;
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: APP_STACK }))).Stacks?.[0];
    const template = stack?.Outputs?.find((output) => output.OutputKey === 'LaunchTemplateId')?.OutputValue ?? '';
    const versions = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template, Versions: ['$Latest'] }),
    );
    const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
    return {
      parameter: parameter?.Value ?? '',
      version: parameter?.Version ?? 0,
      runs: versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId ?? '',
      images: images.map((image) => ({
        id: image.ImageId ?? '',
        tags: Object.fromEntries((image.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      })),
    };
  } finally {
    ssm.destroy();
    cfn.destroy();
    ec2.destroy();
  }
}

describe('img-mgr-pipeline run --regions on moto, with real Packer', () => {
  /** Region → the AMI the first run rolled out there. */
  const first: Record<string, string> = {};

  it('three regions from one run: baked once at home, copied with its tags, each region on its copy', async () => {
    const { code, report, stderr } = await run();
    expect(code, stderr).toBe(0);
    expect(report.ami?.skipped).toBe(false);
    expect(report.regions?.map((region) => [region.region, region.wave, region.outcome])).toEqual([
      ['us-east-1', 1, 'deployed'],
      ['us-west-2', 2, 'deployed'],
      ['eu-west-1', 2, 'deployed'],
    ]);
    const fingerprint = report.ami?.fingerprint ?? '';
    for (const region of REGIONS) {
      const state = await regionState(region);
      // One AMI per region, carrying the bake's fingerprint and app revision.
      expect(state.images, region).toHaveLength(1);
      const image = state.images[0];
      expect(image?.tags).toMatchObject({ fingerprint, 'created-by': 'packer', application: 'img-mgr' });
      expect(state).toMatchObject({ parameter: image?.id, version: 1, runs: image?.id });
      first[region] = image?.id ?? '';
    }
    expect(first['us-east-1']).toBe(report.ami?.id);
    // The wave order shows in the progress: wave 2 is deployed after the home region's app stack.
    expect(stderr.indexOf('deploy app us-west-2')).toBeGreaterThan(stderr.indexOf('deploy app '));
  });

  it('a second run that changes nothing: no bake, no copy, no new parameter version in any region', async () => {
    const { code, report, stderr } = await run();
    expect(code, stderr).toBe(0);
    expect(report.ami?.skipped).toBe(true);
    expect(report.regions?.map((region) => [region.region, region.outcome, region.copied])).toEqual([
      ['us-east-1', 'deployed', undefined],
      ['us-west-2', 'deployed', false],
      ['eu-west-1', 'deployed', false],
    ]);
    for (const region of REGIONS) {
      const state = await regionState(region);
      expect(state.images.map((image) => image.id)).toEqual([first[region]]);
      expect(state).toMatchObject({ parameter: first[region], version: 1, runs: first[region] });
    }
  });

  it(
    'a failed re-run that changes no parameter (fault proxy: CloudFormation refuses eu-west-1 its change set) ' +
      'reverts nothing: no healthy AMI rejected, no region moved back',
    async () => {
      proxy.setRate(1);
      const { code, report, stderr } = await run().finally(() => proxy.setRate(0));
      expect(code, stderr).toBe(6);
      expect(proxy.stats.faults.refuse).toBe(1);
      expect(report.ami?.skipped).toBe(true);
      expect(report.error?.message).toMatch(/^wave 2 failed: eu-west-1: deploy img-mgr-dev: .*refused/);
      expect(report.error?.hint).toBe('nothing to revert');
      expect(report.regions?.map((region) => [region.region, region.outcome, region.revert])).toEqual([
        ['us-east-1', 'deployed', undefined],
        ['us-west-2', 'deployed', undefined],
        ['eu-west-1', 'failed', undefined],
      ]);
      for (const region of REGIONS) {
        const state = await regionState(region);
        expect(state, region).toMatchObject({ parameter: first[region], version: 1, runs: first[region] });
        expect(Object.keys(state.images[0]?.tags ?? {}), region).not.toContain('img-mgr:rejected');
      }
    },
  );

  it(
    'a failed second wave (fault proxy: CloudFormation refuses eu-west-1 its change set, which moto cannot) ' +
      'reverts wave 2 and leaves wave 1 on the new AMI',
    async () => {
      // A new app revision: a new fingerprint, so a new bake and new copies.
      const ref = 'second-revision';
      commitStandInBreak(fork, ref, 'upload-lost');
      proxy.setRate(1);
      const { code, report, stderr } = await run('--flask-ref', ref);
      expect(code, stderr).toBe(6);
      expect(proxy.stats.faults.refuse).toBe(2);
      expect(report.error?.message).toMatch(/^wave 2 failed: eu-west-1: deploy img-mgr-dev: .*refused/);
      expect(report.error?.hint).toBe('reverted wave 2 (us-west-2, eu-west-1)');
      const newAmi = report.ami?.id ?? '';
      expect(newAmi).not.toBe(first['us-east-1']);

      // Wave 1 keeps the new AMI: its parameter's version 2 and its stack.
      expect(await regionState('us-east-1')).toMatchObject({ parameter: newAmi, version: 2, runs: newAmi });
      // Wave 2: each region's parameter holds its previous copy again (publish, then the revert) and its stack
      // runs it; the new copy there is rejected.
      for (const region of ['us-west-2', 'eu-west-1']) {
        const state = await regionState(region);
        expect(state, region).toMatchObject({ parameter: first[region], version: 3, runs: first[region] });
        const copy = state.images.find((image) => image.id !== first[region]);
        expect(copy?.tags, region).toMatchObject({ fingerprint: report.ami?.fingerprint });
        expect(Object.keys(copy?.tags ?? {}), region).toContain('img-mgr:rejected');
      }
      expect(
        report.regions?.map((region) => [region.region, region.outcome, region.runs === first[region.region]]),
      ).toEqual([
        ['us-east-1', 'deployed', false],
        ['us-west-2', 'reverted', true],
        ['eu-west-1', 'reverted', true],
      ]);
    },
  );
});
