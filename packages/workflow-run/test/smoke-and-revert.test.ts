// @needs-tools moto_server
/**
 * The smoke step of a run: its settings are checked like the caller's
 * inputs, its URL is smoke-url or the stack's Url output (no Url and no
 * override: one line naming the output), off is off, and the revision that
 * must answer is the deployed AMI's app-revision tag. Against a stand-in
 * front door on 127.0.0.1 (testbed's, shaped like the upstream app) and a
 * moto S3 and EC2, one moto for the file. Then the revert's decision: a
 * stack that runs the rejected AMI is redeployed, one that CloudFormation
 * already rolled back is not, read from a real (moto) stack record.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { EC2Client } from '@aws-sdk/client-ec2';
import { InputError, lineLogger, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { makeAmi, startMoto, startStandInSite, type Moto, type StandInSite } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SMOKE_SAMPLES,
  planRedeploy,
  redeployDecision,
  runSmokeStep,
  siteUrl,
  smokeSettings,
  type SmokeStepRequest,
  type StackImage,
} from '../src/index.js';

const REVISION = 'c0ffee0123456789abcdef0123456789abcdef01';

/** One moto for the file. */
let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
const BUCKET = 'img-mgr-dev-uploadsbucket-abc123';

describe('the smoke step settings', () => {
  it('reads smoke-samples and smoke-timeout in the caller-input rules', () => {
    expect(smokeSettings('5', '5m')).toEqual({ samples: 5, timeoutMs: 300_000 });
    expect(smokeSettings('1', '1m30s')).toEqual({ samples: 1, timeoutMs: 90_000 });
  });

  it.each([
    ['smoke-samples', '0', '5m'],
    ['smoke-samples', '5,x=y', '5m'],
    ['smoke-timeout', '5', '${{ secrets.X }}'],
    ['smoke-timeout', '5', '45m'],
  ])('refuses %s in one line naming it', (input, samples, timeout) => {
    let error: unknown;
    try {
      smokeSettings(samples, timeout);
    } catch (thrown: unknown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^Input '${input}' `));
    expect((error as Error).message).not.toContain('\n');
  });

  it('the URL is smoke-url, else the Url output', () => {
    expect(siteUrl({ Url: 'http://alb.example/' }, '')).toBe('http://alb.example/');
    expect(siteUrl({ Url: 'http://alb.example/' }, 'https://cdn.example/')).toBe('https://cdn.example/');
    expect(siteUrl({}, '')).toBe('');
  });
});

describe('the smoke step against a stand-in front door and moto', () => {
  let site: StandInSite;
  let amiId = '';
  let untaggedAmi = '';
  let context: Context;
  const lines: string[] = [];
  let deployed = { bucket: BUCKET, appRevision: REVISION, amiId: '' };

  const request = (overrides: Partial<SmokeStepRequest> = {}): SmokeStepRequest => ({
    enabled: true,
    stackOutputsJson: JSON.stringify({ Url: site.url, BucketName: BUCKET, ImageId: amiId }),
    urlOverride: '',
    samples: '3',
    timeout: '20s',
    amiId,
    stackName: 'img-mgr-dev',
    region: moto.clientConfig.region,
    ...overrides,
  });
  const fast = { sleep: () => Promise.resolve() };

  beforeAll(async () => {
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const ec2 = new EC2Client(moto.clientConfig);
    amiId = (await makeAmi(ec2, 'img-mgr-smoke', { tags: { 'app-revision': REVISION } })).amiId;
    untaggedAmi = (await makeAmi(ec2, 'img-mgr-elsewhere')).amiId;
    deployed = { ...deployed, amiId };
    site = await startStandInSite({ s3, deployed: () => Promise.resolve(deployed) });
    context = {
      log: lineLogger((line) => lines.push(line)),
      signal: new AbortController().signal,
      env: moto.env,
      clients: clientFactory({ caller: 'test', env: moto.env }),
    };
  });
  afterAll(async () => {
    await site?.close();
  });

  it("passes when the AMI's app revision answers, and reports what it saw", async () => {
    const seen = await runSmokeStep(request(), { ...context, ...fast });
    expect(seen.result).toBe('passed');
    expect(seen.url).toBe(site.url);
    expect(seen.observation).toMatchObject({
      url: site.url,
      passed: true,
      samples: 3,
      expectedRevision: REVISION,
      revisionsSeen: { [REVISION]: 3 },
      amiIds: [amiId],
    });
    expect(site.requests).toContain('POST /upload 302');
  });

  it('off: no request, the URL still set (the link), the summary says off', async () => {
    const before = site.requests.length;
    const seen = await runSmokeStep(request({ enabled: false, samples: 'not checked when off' }), context);
    expect(seen).toMatchObject({ result: 'off', url: site.url, observation: { off: 'smoke-test: false' } });
    expect(site.requests.length).toBe(before);
  });

  it('no Url output and no smoke-url: no-url, one line naming the output; off needs none', async () => {
    const outputs = JSON.stringify({ BucketName: BUCKET });
    const seen = await runSmokeStep(request({ stackOutputsJson: outputs }), context);
    expect(seen.result).toBe('no-url');
    expect(seen.url).toBe('');
    expect(seen.error).toBe(
      "The smoke test needs the site's URL: stack img-mgr-dev has no 'Url' output; " +
        "add one (cloudformation/img-mgr.yaml's), pass smoke-url, or set smoke-test: false.",
    );
    expect((await runSmokeStep(request({ stackOutputsJson: outputs, enabled: false }), context)).result).toBe('off');
  });

  it('smoke-url stands in front of the stack: it is tested and linked instead of the Url output', async () => {
    const outputs = JSON.stringify({ Url: 'http://never-asked.invalid/', BucketName: BUCKET });
    const seen = await runSmokeStep(request({ stackOutputsJson: outputs, urlOverride: site.url }), {
      ...context,
      ...fast,
    });
    expect(seen).toMatchObject({ result: 'passed', url: site.url });
  });

  it('a revision whose uploads fail: failed, with the one line of the smoke test', async () => {
    site.breakRevision(REVISION, 'upload');
    try {
      const seen = await runSmokeStep(request(), { ...context, ...fast });
      expect(seen.result).toBe('failed');
      expect(seen.error).toBe(`smoke test of ${site.url}: POST /upload answered 500`);
      expect(seen.observation).toMatchObject({ passed: false, expectedRevision: REVISION });
    } finally {
      site.breakRevision(REVISION, undefined);
    }
  });

  it('an AMI without an app-revision tag: blocked (a setup fault: nothing reverted), naming AMI and tag', async () => {
    const seen = await runSmokeStep(request({ amiId: untaggedAmi }), context);
    expect(seen.result).toBe('blocked');
    expect(seen.error).toContain(`AMI ${untaggedAmi} has no app-revision tag`);
    expect(seen.error).not.toContain('\n');
  });
});

describe('the smoke step when AWS refuses what it reads (S3 refusal injected: moto enforces no IAM)', () => {
  it("a deploy role that may not read the test's own upload back: blocked, not failed (no revert)", async () => {
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
    const ec2 = new EC2Client(moto.clientConfig);
    const amiId = (await makeAmi(ec2, 'img-mgr-refused', { tags: { 'app-revision': REVISION } })).amiId;
    const site = await startStandInSite({
      s3,
      deployed: () => Promise.resolve({ bucket: BUCKET, appRevision: REVISION, amiId }),
    });
    const refusing = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    refusing.middlewareStack.add(
      (next, handlerContext) => (args) => {
        if (handlerContext.commandName === 'GetObjectCommand') {
          const refusal = Object.assign(new Error('Access Denied'), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
          return Promise.reject(refusal);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const factory = clientFactory({ caller: 'test', env: moto.env });
    const context: Context = {
      log: lineLogger(() => undefined),
      signal: new AbortController().signal,
      env: moto.env,
      clients: {
        ...factory,
        get: ((constructor: unknown, region: string) =>
          constructor === S3Client ? refusing : factory.get(constructor as never, region)) as typeof factory.get,
      },
    };
    try {
      const seen = await runSmokeStep(
        {
          enabled: true,
          stackOutputsJson: JSON.stringify({ Url: site.url, BucketName: BUCKET }),
          urlOverride: '',
          samples: '1',
          timeout: '20s',
          amiId,
          stackName: 'img-mgr-dev',
          region: moto.clientConfig.region,
        },
        { ...context, sleep: () => Promise.resolve() },
      );
      expect(seen.result).toBe('blocked');
      expect(seen.error).toMatch(/may not read s3:\/\/.+ back \(AccessDenied\)/);
      expect(seen.error).not.toContain('\n');
    } finally {
      await site.close();
    }
  });

  it("DEFAULT_SMOKE_SAMPLES, written out (reading it loads no S3 client), is the smoke test's default", async () => {
    const { DEFAULT_SAMPLES } = await import('@img-mgr/rollout');
    expect(DEFAULT_SMOKE_SAMPLES).toBe(String(DEFAULT_SAMPLES));
  });
});

const REJECTED = 'ami-0bad0bad0bad0bad0';
const RESTORED = 'ami-0600d600d600d600d';

describe("the revert's decision: redeploy only a stack that runs the rejected AMI", () => {
  const running = (imageId: string | undefined, status = 'UPDATE_COMPLETE'): StackImage => ({
    exists: true,
    status,
    ...(imageId ? { imageId } : {}),
    outputs: {},
  });

  it('the stack runs the rejected AMI (the deploy completed, its smoke test failed): redeploy, then smoke', () => {
    expect(redeployDecision('img-mgr-dev', running(REJECTED), REJECTED, RESTORED)).toEqual({
      redeploy: true,
      smoke: true,
      runs: 'rejected',
      reason: `stack img-mgr-dev (UPDATE_COMPLETE) runs the rejected ${REJECTED}: redeploying it on ${RESTORED}`,
    });
  });

  it('CloudFormation already rolled the stack back to the restored AMI: no redeploy, smoke what runs', () => {
    expect(redeployDecision('img-mgr-dev', running(RESTORED, 'UPDATE_ROLLBACK_COMPLETE'), REJECTED, RESTORED)).toEqual({
      redeploy: false,
      smoke: true,
      runs: 'restored',
      reason:
        `stack img-mgr-dev (UPDATE_ROLLBACK_COMPLETE) already runs ${RESTORED} ` +
        '(CloudFormation rolled the update back): no redeploy',
    });
  });

  it.each([REJECTED, RESTORED])(
    'a stack still mid-operation on %s (the deploy job died before it ended): redeploy once it ends, then smoke',
    (imageId) => {
      const decision = redeployDecision(
        'img-mgr-dev',
        running(imageId, 'UPDATE_ROLLBACK_IN_PROGRESS'),
        REJECTED,
        RESTORED,
      );
      expect(decision).toMatchObject({ redeploy: true, smoke: true });
      expect(decision.reason).toBe(
        `stack img-mgr-dev is still UPDATE_ROLLBACK_IN_PROGRESS: redeploying it on ${RESTORED} once the operation ` +
          'ends (deploy-stack waits for it)',
      );
    },
  );

  it.each([
    ['nothing ran before the run', running(REJECTED), ''],
    ['the stack is gone', { exists: false, outputs: {} }, RESTORED],
    ['its creation was rolled back', running(undefined, 'ROLLBACK_COMPLETE'), RESTORED],
    ['it names no AMI', running(undefined), RESTORED],
    ['another deploy put another AMI on it', running('ami-0123456789abcdef0'), RESTORED],
  ] as const)('%s: neither redeployed nor smoke-tested', (_case, stack, restored) => {
    const decision = redeployDecision('img-mgr-dev', stack, REJECTED, restored);
    expect(decision).toMatchObject({ redeploy: false, smoke: false });
    expect(decision.reason).toMatch(/^(stack img-mgr-dev|nothing ran before)/);
    expect(decision.reason).not.toContain('\n');
  });
});

describe('planRedeploy reads the stack record (moto)', () => {
  let cfn: CloudFormationClient;
  let context: Context;
  const template = JSON.stringify({
    Parameters: { ImageIdOverride: { Type: 'String', Default: '' } },
    Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: { Url: { Value: 'http://alb.example/' }, ImageId: { Value: { Ref: 'ImageIdOverride' } } },
  });

  beforeAll(() => {
    cfn = new CloudFormationClient(moto.clientConfig);
    context = {
      log: lineLogger(() => undefined),
      signal: new AbortController().signal,
      env: moto.env,
      clients: clientFactory({ caller: 'test', env: moto.env }),
    };
  });
  const deploy = (name: string, ami: string) =>
    cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: template,
        Parameters: [{ ParameterKey: 'ImageIdOverride', ParameterValue: ami }],
      }),
    );
  const plan = (stackName: string) =>
    planRedeploy(
      { stackName, rejectedAmiId: REJECTED, restoredAmiId: RESTORED, region: moto.clientConfig.region },
      context,
    );

  it('a stack on the rejected AMI is redeployed; its outputs come back for the smoke test', async () => {
    await deploy('img-mgr-smoke-failed', REJECTED);
    const { decision, stack } = await plan('img-mgr-smoke-failed');
    expect(decision).toMatchObject({ redeploy: true, runs: 'rejected' });
    expect(stack.outputs.Url).toBe('http://alb.example/');
  });

  it('a stack back on the restored AMI is not; a stack that does not exist is not either', async () => {
    await deploy('img-mgr-rolled-back', RESTORED);
    expect((await plan('img-mgr-rolled-back')).decision).toMatchObject({ redeploy: false, smoke: true });
    expect((await plan('img-mgr-never-made')).decision).toMatchObject({ redeploy: false, runs: 'none' });
  });
});
