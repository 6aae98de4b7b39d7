// @needs-tools moto_server python
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@img-mgr/kernel';
import { runSmokeTest } from '@img-mgr/rollout';
import { initStandInAppRepository, startMoto, toolsPython, UPSTREAM_BUCKET, type Moto } from '@img-mgr/testbed';
import { cfnDir, packerDir, runTool } from './helpers.js';
import { parseEnvFile, startApp, userDataFiles, type RunningApp } from './instance-env.js';

const stackName = 'img-mgr-dev';
const heading = 'Upload your files to the AWS S3 Bucket';

/**
 * The upstream-shaped stand-in fork, configured by packer/configure_app.sh and
 * run with the tools' Python (Flask, boto3) against moto's S3, with what the
 * instance gets from img-mgr.yaml's user data (app.env, the AWS config file).
 * The only changes to that environment: the AWS endpoint and dummy
 * credentials point at moto, and /etc/img-mgr/ is a test directory.
 */
describe('the app as an instance of img-mgr.yaml runs it (stand-in fork, configure_app.sh, moto S3)', () => {
  let moto: Moto;
  let s3: S3Client;
  let work: string;
  let bucket: string;
  let instanceEnv: Record<string, string>;
  let awsConfig: string;
  let envFile: string;
  let configured: RunningApp;
  let commit: string;
  let configureLog: string;
  /** The environment the app process gets: the instance's app.env, with AWS pointed at moto. */
  let appEnv: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    work = mkdtempSync(join(tmpdir(), 'img-mgr-app-'));

    // The stack, on moto's default VPC, with a golden AMI published.
    const ec2 = new EC2Client(moto.clientConfig);
    const [base] =
      (
        await ec2.send(
          new DescribeImagesCommand({
            Owners: ['amazon'],
            Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-kernel-*-x86_64'] }],
          }),
        )
      ).Images ?? [];
    await new SSMClient(moto.clientConfig).send(
      new PutParameterCommand({
        Name: '/common/img-mgr/golden-ami',
        Value: base?.ImageId,
        Type: 'String',
        DataType: 'aws:ec2:image',
        Overwrite: true,
      }),
    );
    const [vpc] =
      (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs ?? [];
    const subnets = (
      (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc?.VpcId ?? ''] }] })))
        .Subnets ?? []
    )
      .slice(0, 2)
      .map((subnet) => subnet.SubnetId)
      .join(',');
    const parameters = {
      ...(JSON.parse(readFileSync(join(cfnDir, 'parameters', 'dev-us-west-2.json'), 'utf8')) as Record<string, string>),
      VpcId: vpc?.VpcId ?? '',
      PublicSubnetIds: subnets,
      PrivateSubnetIds: subnets,
    };
    const cfn = new CloudFormationClient(moto.clientConfig);
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: readFileSync(join(cfnDir, 'img-mgr.yaml'), 'utf8'),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    for (let attempt = 0; ; attempt++) {
      const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
      if (stack?.StackStatus === 'CREATE_COMPLETE') break;
      if (attempt > 150 || !stack?.StackStatus?.endsWith('_IN_PROGRESS'))
        throw new Error(`stack ${stackName}: ${stack?.StackStatus}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const resources =
      (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    const physical = (id: string) =>
      resources.find((resource) => resource.LogicalResourceId === id)?.PhysicalResourceId ?? '';
    bucket = physical('UploadsBucket');

    // What the instance's user data writes, from the deployed launch template.
    const [version] =
      (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: physical('LaunchTemplate') })))
        .LaunchTemplateVersions ?? [];
    const files = userDataFiles(Buffer.from(version?.LaunchTemplateData?.UserData ?? '', 'base64').toString('utf8'));
    instanceEnv = parseEnvFile(files['/etc/img-mgr/app.env'] ?? '');
    awsConfig = files['/etc/img-mgr/aws-config'] ?? '';
    const etc = join(work, 'etc-img-mgr');
    mkdirSync(etc);
    writeFileSync(join(etc, 'aws-config'), awsConfig);
    appEnv = {
      ...instanceEnv,
      AWS_CONFIG_FILE: (instanceEnv.AWS_CONFIG_FILE ?? '').replace('/etc/img-mgr/', `${etc}/`),
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    envFile = join(etc, 'app.env');
    writeFileSync(
      envFile,
      Object.entries(appEnv)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );

    // The fork, through the one configuration step, then started.
    const appDir = join(work, 'configured');
    mkdirSync(appDir);
    commit = initStandInAppRepository(appDir);
    const configure = await runTool('bash', [join(packerDir, 'configure_app.sh'), appDir]);
    if (configure.code !== 0) throw new Error(`configure_app.sh failed: ${configure.stderr}`);
    configureLog = configure.stderr;
    configured = await startApp(appDir, appEnv);
  }, 120_000);

  afterAll(async () => {
    await configured?.stop();
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    'gets from user data the stack bucket, the environment, ' + 'the region and an AWS config that presigns with SigV4',
    () => {
      expect(bucket).toBeTruthy();
      expect(instanceEnv).toEqual({
        IMG_MGR_BUCKET: bucket,
        IMG_MGR_ENVIRONMENT: 'dev',
        AWS_DEFAULT_REGION: moto.region,
        AWS_CONFIG_FILE: '/etc/img-mgr/aws-config',
      });
      expect(awsConfig).toBe('[default]\ns3 =\n  signature_version = s3v4\n');
      expect(configureLog).toContain(`'BUCKET = "${UPSTREAM_BUCKET}"' replaced`);
    },
  );

  it('GET / answers 200 with the upload page', async () => {
    const response = await fetch(`${configured.url}/`);
    expect(response.status, configured.output()).toBe(200);
    expect(await response.text()).toContain(`<h1>${heading}</h1>`);
  });

  it("POST /upload (field file) lands the file in the stack's bucket", async () => {
    const form = new FormData();
    form.append('file', new Blob(['a picture\n'], { type: 'image/png' }), 'cat.png');
    const response = await fetch(`${configured.url}/upload`, { method: 'POST', body: form, redirect: 'manual' });
    expect(response.status, configured.output()).toBe(302);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/cat.png' }));
    expect(await object.Body?.transformToString()).toBe('a picture\n');
  });

  it('Flask serves the revision file the configuration step wrote, and the one smoke test passes', async () => {
    const served = await fetch(`${configured.url}/static/img-mgr.json`);
    expect(served.status, configured.output()).toBe(200);
    expect(await served.json()).toEqual({ appRevision: commit });
    const result = await runSmokeTest(
      { baseUrl: configured.url, bucket, expectedRevision: commit, samples: 2, intervalMs: 0, timeoutMs: 30_000 },
      { logger: silentLogger, signal: AbortSignal.timeout(60_000), s3 },
    );
    expect(result).toMatchObject({
      samples: 2,
      revisionsSeen: { [commit]: 2 },
      upload: { status: 302, removed: true },
    });
  });

  it('GET /pics presigns with SigV4 (X-Amz-Algorithm=AWS4-HMAC-SHA256), and the URL serves the picture', async () => {
    const page = await (await fetch(`${configured.url}/pics`)).text();
    const urls = [...page.matchAll(/<img src="([^"]+)"/g)].map((match) => (match[1] ?? '').replace(/&amp;/g, '&'));
    expect(urls.length, page).toBeGreaterThan(0);
    for (const url of urls) expect(url).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    const picture = await fetch(urls.find((url) => url.includes('uploads/cat.png')) ?? '');
    expect(picture.status).toBe(200);
    expect(await picture.text()).toBe('a picture\n');
  });

  it(
    'control: without the AWS config file, the same boto3 presigns ' +
      'with SigV2 (what buckets made since June 2020 refuse)',
    async () => {
      const script =
        'import boto3; print(boto3.client("s3").generate_presigned_url("get_object", ' +
        'Params={"Bucket": "b", "Key": "k"}))';
      const withConfig = await runTool(toolsPython(), ['-c', script], { env: appEnv });
      const withoutConfig = await runTool(toolsPython(), ['-c', script], {
        env: { ...appEnv, AWS_CONFIG_FILE: '/dev/null' },
      });
      expect(withConfig.stdout).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
      expect(withoutConfig.stdout).toContain('AWSAccessKeyId=');
      expect(withoutConfig.stdout).not.toContain('X-Amz-Algorithm');
    },
  );

  describe('health-check.sh (what user data runs before cfn-signal)', () => {
    const healthCheck = join(packerDir, 'health-check.sh');

    /** Runs the health check against `app` with the instance's env file (or `envFile`). */
    function check(app: RunningApp | undefined, overrides: Record<string, string> = {}) {
      return runTool('bash', [healthCheck], {
        env: {
          IMG_MGR_ENV_FILE: envFile,
          IMG_MGR_APP_DIR: join(work, 'configured'),
          IMG_MGR_PYTHON: toolsPython(),
          IMG_MGR_HEALTH_URL: `${app?.url ?? 'http://127.0.0.1:9'}/`,
          IMG_MGR_HEALTH_ATTEMPTS: '2',
          IMG_MGR_HEALTH_INTERVAL: '0',
          IMG_MGR_PROBE_ATTEMPTS: '1',
          ...overrides,
        },
        timeoutMs: 60_000,
      });
    }

    it("passes with the stack's bucket, and leaves no probe object (nor version) behind", async () => {
      const run = await check(configured);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(new RegExp(`wrote and deleted s3://${bucket}/img-mgr-health/\\S+`));
      expect(run.stderr).toContain('health-check: healthy');
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'img-mgr-health/' }));
      expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    });

    it('fails, in one line naming the bucket, when the configured bucket does not exist', async () => {
      const env = join(work, 'etc-img-mgr', 'wrong.env');
      writeFileSync(
        env,
        readFileSync(envFile, 'utf8').replace(`IMG_MGR_BUCKET=${bucket}`, 'IMG_MGR_BUCKET=img-mgr-no-such-bucket'),
      );
      const run = await check(configured, { IMG_MGR_ENV_FILE: env });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        "health-check: error: cannot write to the app's bucket img-mgr-no-such-bucket: NoSuchBucket",
      );
      expect(run.stderr).not.toContain('healthy');
    });

    it('fails when the page does not answer', async () => {
      const run = await check(undefined);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('did not answer 2xx after 2 attempts');
    });

    it(
      'fails for the unconfigured fork, whose page still ' + 'answers 200 (upstream swallows the bucket errors)',
      async () => {
        const appDir = join(work, 'unconfigured');
        mkdirSync(appDir);
        initStandInAppRepository(appDir);
        mkdirSync(join(appDir, 'uploads'));
        const unconfigured = await startApp(appDir, appEnv);
        try {
          const page = await fetch(`${unconfigured.url}/`);
          expect(page.status).toBe(200);
          const run = await check(unconfigured, { IMG_MGR_APP_DIR: appDir });
          expect(run.code).toBe(1);
          expect(run.stderr).toContain(`cannot write to the app's bucket ${UPSTREAM_BUCKET}: NoSuchBucket`);
        } finally {
          await unconfigured.stop();
        }
      },
    );
  });
});
