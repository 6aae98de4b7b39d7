// @needs-tools moto_server
/**
 * A later wave of the reusable workflow, on moto: two regions at once, each
 * its own parameter, stack and front door (a stand-in site per region that
 * serves what that region's stack runs, shaped like the upstream app). A
 * wave that passes; a re-run that changes nothing; a wave where one region's
 * new revision loses uploads, which reverts both regions of the wave
 * (parameter, stack, smoke test) and rejects the AMI in each; and the step's
 * inputs, refused in one line before any AWS call.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { InputError, lineLogger, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import {
  createHoldFunction,
  followStack,
  heldResourceTemplate,
  makeAmi,
  releaseHeld,
  startMoto,
  startStandInSite,
  type Moto,
  type StandInSite,
} from '@img-mgr/testbed';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rolloutWave,
  WaveFailedError,
  waveRequest,
  type RegionRollout,
  type WaveInputs,
  type WaveRequest,
} from '../src/index.js';

const REGIONS = ['us-west-2', 'eu-west-1'] as const;
const OLD = 'aaaaaaa111111111111111111111111111111111';
const NEW = 'bbbbbbb222222222222222222222222222222222';
const PARAMETER = '/common/img-mgr/golden-ami';
const STACK = 'img-mgr-wave';
/** The app stack's contract with the smoke test (ImageId, ImageIdOverride; Url and BucketName outputs). */
const TEMPLATE = `
Parameters:
  ImageId: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' }
  ImageIdOverride: { Type: String, Default: '' }
  Network: { Type: String, Default: shared }
Resources:
  UploadsBucket: { Type: 'AWS::S3::Bucket' }
Outputs:
  Url: { Value: 'http://load-balancer.invalid' }
  BucketName: { Value: !Ref UploadsBucket }
  ImageId: { Value: !Ref ImageIdOverride }
  Network: { Value: !Ref Network }
`;

let moto: Moto;
let workspace: string;
const sites = new Map<string, StandInSite>();
/**
 * Per region: the AMI the stack is created on, the AMI of the old revision (live before) and of the new one
 * (this run's copy). moto compares a change set's parameters with those the stack was CREATED with (not the
 * last applied), so a revert to the AMI a stack was created on would be an empty change set there: the stacks
 * are created on `base`, which no later step returns to.
 */
const amis = new Map<string, { base: string; old: string; new: string }>();
const lines: string[] = [];

const config = (region: string) => ({ ...moto.clientConfig, region });

beforeAll(async () => {
  moto = await startMoto();
  workspace = mkdtempSync(join(tmpdir(), 'wave-'));
  writeFileSync(join(workspace, 'app.yaml'), TEMPLATE);
  writeFileSync(join(workspace, 'eu.json'), JSON.stringify({ Network: 'eu-only' }));
  writeFileSync(join(workspace, 'unknown.json'), JSON.stringify({ Network: 'eu-only', NoSuchParameter: 'x' }));
  for (const region of REGIONS) {
    const ec2 = new EC2Client(config(region));
    const base = (await makeAmi(ec2, `img-mgr-base-${region}`, { tags: { 'app-revision': OLD } })).amiId;
    const old = (await makeAmi(ec2, `img-mgr-old-${region}`, { tags: { 'app-revision': OLD } })).amiId;
    const fresh = (await makeAmi(ec2, `img-mgr-new-${region}`, { tags: { 'app-revision': NEW } })).amiId;
    amis.set(region, { base, old, new: fresh });
    const s3 = new S3Client({ ...config(region), forcePathStyle: true });
    sites.set(region, await startStandInSite({ s3, deployed: followStack(config(region), STACK) }));
  }
});
afterAll(async () => {
  for (const site of sites.values()) await site.close();
  await moto?.stop();
});

function context(): Context {
  return {
    log: lineLogger((line) => lines.push(line)),
    signal: new AbortController().signal,
    env: moto.env,
    clients: clientFactory({ caller: 'test', env: moto.env }),
  };
}

function inputs(which: 'base' | 'old' | 'new', overrides: Partial<WaveInputs> = {}): WaveInputs {
  return {
    wave: '2',
    regions: JSON.stringify(REGIONS),
    amis: JSON.stringify(Object.fromEntries(REGIONS.map((region) => [region, amis.get(region)?.[which]]))),
    rollbackTo: '',
    promoteFrom: '',
    appRevision: which === 'new' ? NEW : OLD,
    parameterName: PARAMETER,
    stackName: STACK,
    template: 'app.yaml',
    parameterFile: '',
    parameterFiles: JSON.stringify({ 'eu-west-1': 'eu.json' }),
    cloudformationRoleArn: '',
    launchKmsKey: '',
    smokeTest: true,
    smokeSamples: '2',
    smokeTimeout: '30s',
    smokeUrls: JSON.stringify(Object.fromEntries(REGIONS.map((region) => [region, sites.get(region)?.url]))),
    workspace,
    runId: '4242',
    runAttempt: '1',
    ...overrides,
  };
}

async function parameterValue(region: string): Promise<{ value: string; version: number }> {
  const ssm = new SSMClient(config(region));
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: PARAMETER }));
  return { value: Parameter?.Value ?? '', version: Number(Parameter?.Version) };
}

async function rejectedTag(region: string, amiId: string): Promise<string | undefined> {
  const ec2 = new EC2Client(config(region));
  const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0];
  return image?.Tags?.find((tag) => tag.Key === 'img-mgr:rejected')?.Value;
}

describe('a later wave on moto, two regions at once', () => {
  it('publishes each region its AMI, deploys its stack (with its own parameter file), smoke-tests it', async () => {
    const created = await rolloutWave(await waveRequest(inputs('base'), moto.env), context());
    expect(created.map((result) => result.outcome)).toEqual(['deployed', 'deployed']);
    for (const region of REGIONS) {
      const cfn = new CloudFormationClient(config(region));
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks?.[0];
      const network = stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'Network')?.ParameterValue;
      expect(network).toBe(region === 'eu-west-1' ? 'eu-only' : 'shared');
    }
    const results = await rolloutWave(await waveRequest(inputs('old'), moto.env), context());
    expect(results.map((result) => [result.region, result.outcome, result.smoke, result.changed])).toEqual(
      REGIONS.map((region) => [region, 'deployed', 'passed', true]),
    );
    for (const region of REGIONS) {
      expect((await parameterValue(region)).value).toBe(amis.get(region)?.old);
      expect(sites.get(region)?.requests.some((request) => request.startsWith('POST /upload'))).toBe(true);
    }
    // Each region's lines say which region they are about.
    expect(lines.some((line) => line.startsWith('[eu-west-1] '))).toBe(true);
  });

  it('changes nothing on a re-run with the same AMIs', async () => {
    const before = await Promise.all(REGIONS.map(parameterValue));
    const results = await rolloutWave(await waveRequest(inputs('old'), moto.env), context());
    expect(results.every((result) => result.outcome === 'deployed' && !result.changed)).toBe(true);
    expect(await Promise.all(REGIONS.map(parameterValue))).toEqual(before);
  });

  it('reverts every region of the wave when one region fails its smoke test, and rejects the AMI in each', async () => {
    const before = await Promise.all(REGIONS.map(parameterValue));
    // The new revision loses uploads behind eu-west-1's front door only.
    sites.get('eu-west-1')?.breakRevision(NEW, 'upload');
    let failure: unknown;
    try {
      await rolloutWave(await waveRequest(inputs('new'), moto.env), context());
    } catch (error: unknown) {
      failure = error;
    } finally {
      sites.get('eu-west-1')?.breakRevision(NEW, undefined);
    }
    expect(failure).toBeInstanceOf(WaveFailedError);
    const { message, regions } = failure as WaveFailedError;
    expect(message).toMatch(/^Wave 2 failed \(eu-west-1: .*upload.*\); reverted: us-west-2, eu-west-1$/);
    const byRegion = new Map<string, RegionRollout>(regions.map((region) => [region.region, region]));
    expect(byRegion.get('us-west-2')).toMatchObject({ outcome: 'reverted', smoke: 'passed' });
    expect(byRegion.get('eu-west-1')).toMatchObject({ outcome: 'reverted', smoke: 'failed' });
    for (const [index, region] of REGIONS.entries()) {
      const now = await parameterValue(region);
      // Back on the old AMI, as a new version (the new AMI's version stays in the history).
      expect(now.value).toBe(amis.get(region)?.old);
      expect(now.version).toBe((before[index]?.version ?? 0) + 2);
      expect(await rejectedTag(region, amis.get(region)?.new ?? '')).toBe('4242');
      expect(byRegion.get(region)?.revert).toMatch(/redeploying it on/);
    }
  });

  it('leaves a region whose parameter it did not change alone when the wave fails', async () => {
    // us-west-2 already holds a third AMI, published by someone else, that this run publishes too.
    const ec2 = new EC2Client(config('us-west-2'));
    const third = (await makeAmi(ec2, 'img-mgr-third', { tags: { 'app-revision': NEW } })).amiId;
    const ssm = new SSMClient(config('us-west-2'));
    await ssm.send(
      new PutParameterCommand({ Name: PARAMETER, Value: third, Overwrite: true, DataType: 'aws:ec2:image' }),
    );
    const before = await parameterValue('us-west-2');
    // eu-west-1 gets a new AMI of its own (the last one is rejected there now), whose page fails.
    const euWest = new EC2Client(config('eu-west-1'));
    const fourth = (await makeAmi(euWest, 'img-mgr-fourth', { tags: { 'app-revision': NEW } })).amiId;
    sites.get('eu-west-1')?.breakRevision(NEW, 'home');
    const amisNow = JSON.stringify({ 'us-west-2': third, 'eu-west-1': fourth });
    const failure = await rolloutWave(await waveRequest(inputs('new', { amis: amisNow }), moto.env), context()).then(
      () => undefined,
      (error: unknown) => error,
    );
    sites.get('eu-west-1')?.breakRevision(NEW, undefined);
    expect(failure).toBeInstanceOf(WaveFailedError);
    const usWest = (failure as WaveFailedError).regions.find((region) => region.region === 'us-west-2');
    expect(usWest).toMatchObject({ outcome: 'unchanged', changed: false });
    expect(await parameterValue('us-west-2')).toEqual(before);
    expect(await rejectedTag('us-west-2', third)).toBeUndefined();
    expect((failure as WaveFailedError).regions.find((region) => region.region === 'eu-west-1')).toMatchObject({
      outcome: 'reverted',
    });
    expect((await parameterValue('eu-west-1')).value).toBe(amis.get('eu-west-1')?.old);
  });
});

describe('a wave that fails without a verdict on the AMI', () => {
  it('reverts nothing when a region fails the deploy checks before its stack changed', async () => {
    const ec2 = new EC2Client(config('eu-west-1'));
    const fresh = (await makeAmi(ec2, 'img-mgr-unchecked', { tags: { 'app-revision': OLD } })).amiId;
    const amisNow = JSON.stringify({ 'us-west-2': amis.get('us-west-2')?.base, 'eu-west-1': fresh });
    const failure = await rolloutWave(
      await waveRequest(
        inputs('old', { amis: amisNow, parameterFiles: JSON.stringify({ 'eu-west-1': 'unknown.json' }) }),
        moto.env,
      ),
      context(),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WaveFailedError);
    expect((failure as WaveFailedError).message).toMatch(
      /nothing was reverted: no region's deploy or smoke test failed$/,
    );
    const euWest = (failure as WaveFailedError).regions.find((region) => region.region === 'eu-west-1');
    expect(euWest).toMatchObject({ outcome: 'failed', failedStep: 'deploy-checks', changed: true });
    expect(await rejectedTag('eu-west-1', fresh)).toBeUndefined();
  });

  it('reverts nothing when a region fails its publish (a rejected AMI): what deployed stays', async () => {
    // eu-west-1's new AMI is tagged rejected since the failed wave above: its publish refuses it.
    const amisNow = JSON.stringify({
      'us-west-2': amis.get('us-west-2')?.old,
      'eu-west-1': amis.get('eu-west-1')?.new,
    });
    const failure = await rolloutWave(await waveRequest(inputs('old', { amis: amisNow }), moto.env), context()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WaveFailedError);
    expect((failure as WaveFailedError).message).toMatch(
      /^Wave 2 failed \(eu-west-1: .*rejected.*\); nothing was reverted: no region's deploy or smoke test failed$/,
    );
    const [usWest, euWest] = (failure as WaveFailedError).regions;
    expect(usWest).toMatchObject({ outcome: 'deployed', changed: true });
    expect(euWest).toMatchObject({ outcome: 'failed', failedStep: 'publish', changed: false });
    expect((await parameterValue('us-west-2')).value).toBe(amis.get('us-west-2')?.old);
  });
});

describe('a promote in a later wave', () => {
  it("publishes to each region the AMI its source parameter holds there: that region's copy, no rebake", async () => {
    const dev = await Promise.all(REGIONS.map(parameterValue));
    const prod = '/common/img-mgr/prod/golden-ami';
    const results = await rolloutWave(
      await waveRequest(
        inputs('old', {
          amis: '',
          promoteFrom: PARAMETER,
          parameterName: prod,
          stackName: `${STACK}-prod`,
          smokeTest: false,
        }),
        moto.env,
      ),
      context(),
    );
    expect(results.map((result) => [result.region, result.amiId, result.outcome])).toEqual(
      REGIONS.map((region, index) => [region, dev[index]?.value, 'deployed']),
    );
    for (const [index, region] of REGIONS.entries()) {
      const ssm = new SSMClient(config(region));
      expect((await ssm.send(new GetParameterCommand({ Name: prod }))).Parameter?.Value).toBe(dev[index]?.value);
    }
  });
});

/** A template whose creation moto holds in CREATE_IN_PROGRESS until released (in moto's default region). */
async function writeHeldTemplate(): Promise<void> {
  const hold = JSON.parse(heldResourceTemplate(await createHoldFunction(moto))) as Record<string, unknown>;
  const template = {
    ...hold,
    Parameters: {
      ImageId: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' },
      ImageIdOverride: { Type: 'String', Default: '' },
    },
  };
  writeFileSync(join(workspace, 'held.json'), JSON.stringify(template));
}

/** A wave of moto's default region alone, on a new AMI, deploying `stackName` from the held template. */
async function heldWave(stackName: string): Promise<{ region: string; amiId: string; request: WaveRequest }> {
  const region = moto.clientConfig.region;
  const amiId = (await makeAmi(new EC2Client(config(region)), stackName, { tags: { 'app-revision': NEW } })).amiId;
  const request = await waveRequest(
    inputs('new', {
      regions: JSON.stringify([region]),
      amis: JSON.stringify({ [region]: amiId }),
      template: 'held.json',
      stackName,
      parameterFiles: '',
      smokeUrls: '',
    }),
    moto.env,
  );
  return { region, amiId, request };
}

describe('a wave whose deploy does not end in time', () => {
  it('is a verdict on the AMI, as in wave 1: the region is reverted and its AMI rejected', async () => {
    await writeHeldTemplate();
    const { region, amiId, request } = await heldWave('img-mgr-slow');
    // Instances of a broken AMI that never signal keep an update running: here, a held creation and a 2 s bound.
    const failure = await rolloutWave({ ...request, stack: { ...request.stack, deployWaitMs: 2_000 } }, context()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WaveFailedError);
    expect((failure as WaveFailedError).regions).toMatchObject([
      { region, failedStep: 'deploy', outcome: 'reverted', changed: true },
    ]);
    expect(await rejectedTag(region, amiId)).toBe('4242');
    const cfn = new CloudFormationClient(config(region));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'img-mgr-slow' }))).Stacks?.[0];
    await releaseHeld(moto, stack?.StackId ?? '');
  });
});

describe('a cancelled wave', () => {
  it('stops at once while a stack is in progress, and reverts nothing', async () => {
    // moto's default region, where the hold function lives: a CreateStack held in CREATE_IN_PROGRESS.
    const { region, amiId, request } = await heldWave('img-mgr-held');
    const controller = new AbortController();
    const cfn = new CloudFormationClient(config(region));
    const waving = rolloutWave(request, { ...context(), signal: controller.signal }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    let stackId = '';
    for (let i = 0; i < 100 && !stackId; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'img-mgr-held' })).catch(() => undefined);
      stackId = stacks?.Stacks?.[0]?.StackStatus === 'CREATE_IN_PROGRESS' ? (stacks.Stacks[0].StackId ?? '') : '';
    }
    expect(stackId).not.toBe('');
    const aborted = performance.now();
    controller.abort(new Error('The job was cancelled'));
    const outcome = await waving;
    expect(performance.now() - aborted).toBeLessThan(5_000);
    // The cancel ends the step, with what each region got so far for the summary, and no revert.
    expect(outcome).toBeInstanceOf(WaveFailedError);
    expect((outcome as WaveFailedError).cancelled).toBe(true);
    expect((outcome as WaveFailedError).message).toBe(
      'Wave 2 was cancelled (The job was cancelled); nothing was reverted',
    );
    expect((outcome as WaveFailedError).regions).toMatchObject([{ region, amiId, changed: true, outcome: 'failed' }]);
    // No revert: the AMI is not rejected, and the parameter still holds it (a cancel is no verdict on the AMI).
    expect(await rejectedTag(region, amiId)).toBeUndefined();
    expect((await parameterValue(region)).value).toBe(amiId);
    await releaseHeld(moto, stackId);
  });
});

describe("the rollout-wave step's inputs", () => {
  it.each<[string, Partial<WaveInputs>, RegExp]>([
    ['wave-regions', { regions: '["us-west-2",' }, /non-empty JSON array/],
    ['wave-regions', { regions: '["us-west-2","us-west-2"]' }, /twice/],
    ['wave-regions', { regions: '["mars-north-1"]' }, /mars-north-1/],
    ['amis', { amis: '{"us-west-2":"ami-0123456789abcdef0","us-west-2":"ami-0123456789abcdef1"}' }, /more than once/],
    ['amis', { amis: '{"us-west-2":"ami-0123456789abcdef0"}' }, /no AMI for eu-west-1/],
    ['amis', { amis: '{"us-west-2":"not-an-ami","eu-west-1":"ami-0123456789abcdef0"}' }, /not an AMI id/],
    ['smoke-urls', { smokeUrls: '{"us-west-2":"https://user:pw@example.com/"}' }, /us-west-2/],
    ['stack-name', { stackName: 'bad name' }, /stack/],
    ['parameter-files', { parameterFiles: '{"eu-west-1":"../secrets.json"}' }, /eu-west-1/],
    ['parameter-files', { parameterFiles: '{"eu-west-1":"missing.json"}' }, /missing\.json/],
    ['template', { template: 'nowhere.yaml' }, /nowhere\.yaml/],
  ])('refuses a bad %s in one line that names it', async (input, overrides, problem) => {
    const request = waveRequest(inputs('old', overrides), moto.env);
    const error = await request.then(
      async (built) =>
        rolloutWave(built, context()).then(
          () => undefined,
          (thrown: unknown) => thrown,
        ),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(input);
    expect((error as InputError).message).toMatch(problem);
    expect((error as InputError).message).not.toContain('\n');
    expect((error as InputError).message).not.toContain('pw@');
  });
});
