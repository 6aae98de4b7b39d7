// @needs-tools moto_server python
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnvFor, initStandInAppRepository, startMoto, toolsPython, type Moto } from '@img-mgr/testbed';
import { cfnDir, packerDir, runTool } from './helpers.js';
import { startApp, type RunningApp } from './instance-env.js';
import { motoQuery, xmlValues } from './moto-query.js';

/** Calls moto answers without checking who asks: the setup below, then every request is authorised. */
const SETUP_CALLS = 6;
const bucket = 'img-mgr-dev-uploadsbucket-test';
const otherBucket = 'someone-elses-bucket';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The instance role's inline policies of img-mgr.yaml, loaded with cfn-lint's CloudFormation reader. */
async function instanceRolePolicies(): Promise<{ PolicyName: string; PolicyDocument: Json }[]> {
  const script = [
    'import json, sys',
    'from cfnlint.decode import decode',
    'template, errors = decode(sys.argv[1])',
    'print(json.dumps(template["Resources"]["InstanceRole"]["Properties"]["Policies"]))',
  ].join('\n');
  const run = await runTool(toolsPython(), ['-c', script, join(cfnDir, 'img-mgr.yaml')]);
  if (run.code !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { PolicyName: string; PolicyDocument: Json }[];
}

/** Resolves the intrinsic functions the role's policies use, for a stack whose bucket is `bucketName`. */
function resolve(value: Json, bucketName: string): Json {
  const pseudo: Record<string, string> = {
    'UploadsBucket.Arn': `arn:aws:s3:::${bucketName}`,
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
    Environment: 'dev',
  };
  if (Array.isArray(value)) return value.map((item) => resolve(item, bucketName));
  if (value === null || typeof value !== 'object') return value;
  if ('Fn::GetAtt' in value) return pseudo[(value['Fn::GetAtt'] as string[]).join('.')] ?? null;
  if ('Fn::Sub' in value) {
    return (value['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      const resolved = pseudo[name];
      if (resolved === undefined) throw new Error(`cannot resolve \${${name}}`);
      return resolved;
    });
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, bucketName)]));
}

/**
 * The instance role's permissions proved with moto's IAM enforcement: a user
 * holding exactly the role's inline policies (moto cannot authorise with a
 * role that a stack created; see BRIEF) runs the health check and the app.
 */
describe(
  'the instance role of img-mgr.yaml, enforced by moto: enough ' +
    "for the app and the health check's probe, not for other buckets",
  () => {
    let moto: Moto | undefined;
    let endpoint: string;
    let work: string;
    let env: Record<string, string>;
    let envFile: string;
    let app: RunningApp;
    let s3: S3Client;

    beforeAll(async () => {
      moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: String(SETUP_CALLS) } });
      endpoint = moto.endpoint;

      // The setup calls, unauthenticated: the two buckets, and a user with the role's policies.
      const admin = new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      await admin.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      await admin.send(new CreateBucketCommand({ Bucket: otherBucket }));
      await motoQuery(endpoint, 'us-east-1', 'iam', 'CreateUser', { UserName: 'instance-role' });
      const [policy] = await instanceRolePolicies();
      await motoQuery(endpoint, 'us-east-1', 'iam', 'PutUserPolicy', {
        UserName: 'instance-role',
        PolicyName: policy?.PolicyName ?? '',
        PolicyDocument: JSON.stringify(resolve(policy?.PolicyDocument ?? null, bucket)),
      });
      const key = await motoQuery(endpoint, 'us-east-1', 'iam', 'CreateAccessKey', { UserName: 'instance-role' });
      const credentials = {
        accessKeyId: xmlValues(key, 'AccessKeyId')[0] ?? '',
        secretAccessKey: xmlValues(key, 'SecretAccessKey')[0] ?? '',
      };
      s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });

      work = mkdtempSync(join(tmpdir(), 'img-mgr-role-'));
      const config = join(work, 'aws-config');
      writeFileSync(config, '[default]\ns3 =\n  signature_version = s3v4\n');
      env = {
        ...awsEnvFor(endpoint),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_CONFIG_FILE: config,
        IMG_MGR_BUCKET: bucket,
        IMG_MGR_ENVIRONMENT: 'dev',
      };
      envFile = join(work, 'app.env');
      writeFileSync(
        envFile,
        Object.entries(env)
          .map(([name, value]) => `${name}=${value}\n`)
          .join(''),
      );
      const appDir = join(work, 'app');
      mkdirSync(appDir);
      initStandInAppRepository(appDir);
      const configure = await runTool('bash', [join(packerDir, 'configure_app.sh'), appDir]);
      if (configure.code !== 0) throw new Error(configure.stderr);
      app = await startApp(appDir, env);
    }, 120_000);

    afterAll(async () => {
      await app?.stop();
      await moto?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    function healthCheck(overrides: Record<string, string> = {}) {
      return runTool('bash', [join(packerDir, 'health-check.sh')], {
        env: {
          IMG_MGR_ENV_FILE: envFile,
          IMG_MGR_APP_DIR: join(work, 'app'),
          IMG_MGR_PYTHON: toolsPython(),
          IMG_MGR_HEALTH_URL: `${app.url}/`,
          IMG_MGR_HEALTH_ATTEMPTS: '2',
          IMG_MGR_HEALTH_INTERVAL: '0',
          IMG_MGR_PROBE_ATTEMPTS: '1',
          ...overrides,
        },
        timeoutMs: 60_000,
      });
    }

    it('moto enforces IAM: the role may not read another bucket', async () => {
      await expect(s3.send(new GetObjectCommand({ Bucket: otherBucket, Key: 'x' }))).rejects.toThrow(
        /Access Denied|AccessDenied/,
      );
    });

    it('the health check writes and deletes its probe in the stack bucket with the role', async () => {
      const run = await healthCheck();
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`wrote and deleted s3://${bucket}/img-mgr-health/`);
    });

    it('the health check fails for a bucket the role cannot write', async () => {
      const wrong = join(work, 'wrong.env');
      writeFileSync(wrong, `IMG_MGR_BUCKET=${otherBucket}\n`);
      const run = await healthCheck({
        IMG_MGR_ENV_FILE: wrong,
        ...Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'IMG_MGR_BUCKET')),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot write to the app's bucket ${otherBucket}: AccessDenied`);
    });

    it("POST /upload works with the role's permissions", async () => {
      const form = new FormData();
      form.append('file', new Blob(['role picture\n']), 'role.png');
      const response = await fetch(`${app.url}/upload`, { method: 'POST', body: form, redirect: 'manual' });
      expect(response.status, app.output()).toBe(302);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/role.png' }));
      expect(await object.Body?.transformToString()).toBe('role picture\n');
    });
  },
);
