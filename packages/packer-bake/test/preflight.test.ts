// @needs-tools moto_server packer
/**
 * The preflight of subnet_id, vpc_id and kms_key_id: real moto (EC2 and KMS)
 * and real Packer 1.6.6 for the bake that passes. Every failure is one line
 * naming where the value came from and the variable, AWS is unchanged and
 * Packer never ran (no Packer event).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvalidRequestError, type ClientFactory } from '@img-mgr/kernel';
import { repoRoot, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bakeAmi,
  checkSettings,
  hclAmazonEbsOptions,
  newRunId,
  type BakeEvent,
  type BakeRequest,
} from '../src/index.js';
import { motoContext, testContext } from './context.js';

const TEMPLATE = join(repoRoot(), 'packages', 'packer-bake', 'test', 'fixtures', 'network');
const REGION = 'us-east-1';

let moto: Moto;
let ec2: EC2Client;
let kms: KMSClient;
let scratch: string;
const ids = { vpc: '', otherVpc: '', subnet: '', key: '', disabledKey: '', signKey: '', asymmetricEncryptKey: '' };

beforeAll(async () => {
  moto = await startMoto({ region: REGION });
  ec2 = new EC2Client(moto.clientConfig);
  kms = new KMSClient(moto.clientConfig);
  scratch = mkdtempSync(join(tmpdir(), 'preflight-'));
  ids.vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId ?? '';
  ids.otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId ?? '';
  ids.subnet =
    (await ec2.send(new CreateSubnetCommand({ VpcId: ids.vpc, CidrBlock: '10.20.1.0/24' }))).Subnet?.SubnetId ?? '';
  ids.key = (await kms.send(new CreateKeyCommand({ Description: 'ami key' }))).KeyMetadata?.KeyId ?? '';
  ids.disabledKey = (await kms.send(new CreateKeyCommand({ Description: 'disabled' }))).KeyMetadata?.KeyId ?? '';
  await kms.send(new DisableKeyCommand({ KeyId: ids.disabledKey }));
  ids.signKey =
    (await kms.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' }))).KeyMetadata?.KeyId ??
    '';
  ids.asymmetricEncryptKey =
    (await kms.send(new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'RSA_2048' }))).KeyMetadata?.KeyId ??
    '';
  for (const [name, id] of Object.entries(ids)) expect(id, name).not.toBe('');
});

afterAll(async () => {
  ec2?.destroy();
  kms?.destroy();
  rmSync(scratch, { recursive: true, force: true });
  await moto?.stop();
});

function request(variables: Record<string, string>, overrides: Partial<BakeRequest> = {}): BakeRequest {
  return {
    template: TEMPLATE,
    workingDirectory: '.',
    region: REGION,
    variables: { ec2_endpoint: moto.endpoint, ...variables },
    varFiles: [],
    only: [],
    except: [],
    packerVersion: 'path',
    init: false,
    appRevision: 'rev-1',
    force: true,
    timeoutMs: 60_000,
    runId: newRunId({}),
    ...overrides,
  };
}

/**
 * Bakes, expecting the preflight to refuse: returns the message (`'<request field>' <problem>`); asserts AWS unchanged
 * and no Packer step.
 */
async function refused(req: BakeRequest): Promise<string> {
  const before = await snapshotAws(moto.clientConfig);
  const events: BakeEvent[] = [];
  const error = await bakeAmi(req, motoContext(moto), { onEvent: (event) => events.push(event) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(
    events.filter((event) => event.kind === 'packer' || event.kind === 'step' || event.kind === 'resource'),
  ).toEqual([]);
  expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  const message = (error as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe(
  'preflight of subnet_id, vpc_id and kms_key_id before Packer starts (moto EC2 and KMS)',
  { timeout: 90_000 },
  () => {
    it('a subnet that does not exist: one line naming the input and the variable', async () => {
      expect(await refused(request({ subnet_id: 'subnet-0abc1234567890def' }))).toBe(
        `'variables' sets subnet_id to 'subnet-0abc1234567890def', which does not exist in ${REGION}`,
      );
    });

    it('a VPC that does not exist', async () => {
      expect(await refused(request({ vpc_id: 'vpc-0abc1234567890def' }))).toBe(
        `'variables' sets vpc_id to 'vpc-0abc1234567890def', which does not exist in ${REGION}`,
      );
    });

    it('a subnet of another VPC than vpc_id', async () => {
      expect(await refused(request({ subnet_id: ids.subnet, vpc_id: ids.otherVpc }))).toBe(
        `'variables' sets subnet_id to '${ids.subnet}', which is in ${ids.vpc}, not in vpc_id '${ids.otherVpc}'`,
      );
    });

    it('a missing subnet set in a var file names the file', async () => {
      const varFile = join(scratch, 'network.pkrvars.hcl');
      writeFileSync(varFile, 'subnet_id = "subnet-0fff1234567890abc"\n');
      expect(await refused(request({}, { varFiles: [varFile] }))).toBe(
        `'varFiles' names '${varFile}', where subnet_id is 'subnet-0fff1234567890abc', ` +
          `which does not exist in ${REGION}`,
      );
    });

    it('a disabled KMS key', async () => {
      expect(await refused(request({ kms_key_id: ids.disabledKey }))).toBe(
        `'variables' sets kms_key_id to '${ids.disabledKey}', which is Disabled (EBS needs an Enabled key)`,
      );
    });

    it('a sign-only (asymmetric) KMS key', async () => {
      expect(await refused(request({ kms_key_id: ids.signKey }))).toBe(
        `'variables' sets kms_key_id to '${ids.signKey}', ` +
          'which is a SIGN_VERIFY key (EBS needs a symmetric ENCRYPT_DECRYPT key)',
      );
    });

    it('an asymmetric encryption KMS key', async () => {
      expect(await refused(request({ kms_key_id: ids.asymmetricEncryptKey }))).toBe(
        `'variables' sets kms_key_id to '${ids.asymmetricEncryptKey}', ` +
          'which is an asymmetric RSA_2048 key (EBS needs a symmetric SYMMETRIC_DEFAULT key)',
      );
    });

    it('a KMS key that does not exist', async () => {
      expect(await refused(request({ kms_key_id: 'alias/no-such-key' }))).toBe(
        `'variables' sets kms_key_id to 'alias/no-such-key', which does not exist in ${REGION}`,
      );
    });

    it('a good subnet, VPC and key: checked, then real Packer bakes', async () => {
      const events: BakeEvent[] = [];
      const context = motoContext(moto);
      const result = await bakeAmi(request({ subnet_id: ids.subnet, vpc_id: ids.vpc, kms_key_id: ids.key }), context, {
        onEvent: (event) => events.push(event),
      });
      expect(result.skipped).toBe(false);
      expect(result.amiId).toMatch(/^ami-/);
      expect(context.lines.filter((line) => line.startsWith('Preflight: '))).toEqual([
        `Preflight: vpc_id ${ids.vpc} exists in ${REGION}`,
        `Preflight: subnet_id ${ids.subnet} exists in ${REGION} (${ids.vpc})`,
        `Preflight: kms_key_id ${ids.key} is an enabled symmetric encryption key (${ids.key})`,
      ]);
      expect(
        events.some((event) => event.kind === 'step' && event.step === 'build' && event.status === 'finished'),
      ).toBe(true);
    });

    it('a template with none of them set makes no preflight call and asks for no KMS client', async () => {
      const asked: string[] = [];
      const context = motoContext(moto);
      const clients: ClientFactory = {
        get(Client, region) {
          asked.push(Client.name);
          return context.clients.get(Client, region);
        },
      };
      const result = await bakeAmi(request({}), { ...context, clients });
      expect(result.amiId).toMatch(/^ami-/);
      expect(asked).not.toContain('KMSClient');
      expect(context.lines.filter((line) => line.startsWith('Preflight: '))).toEqual([]);
    });
  },
);

describe('preflight edge cases', () => {
  it('AccessDeniedException on DescribeKey names the missing permission (SDK mocked: moto lacks IAM)', async () => {
    // The shape of an SDK error: a name and the response $metadata.
    const denied = Object.assign(new Error('User is not authorized to perform: kms:DescribeKey'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const fakeKms = { send: () => Promise.reject(denied) };
    const context = testContext(moto.env);
    const clients: ClientFactory = {
      get: (Client, region) => (Client.name === 'KMSClient' ? (fakeKms as never) : context.clients.get(Client, region)),
    };
    const setting = {
      option: 'kms_key_id',
      value: 'alias/ami',
      variable: 'kms_key_id',
      origin: { kind: 'variables' as const },
    };
    const error = await checkSettings([setting], REGION, { ...context, clients }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ field: 'variables' });
    expect((error as Error).message).toBe(
      "'variables' sets kms_key_id to 'alias/ami', which bake-ami could not check: " +
        'the role may not call kms:DescribeKey (AccessDeniedException); ' +
        "github-bake-role.yaml's bake role grants it when AmiKmsKeyArn is this key (PreflightDescribeKey)",
    );
  });

  it('reads only the top-level options of amazon-ebs sources, literal or var.NAME', () => {
    const text = [
      'source "amazon-ebs" "a" {',
      '  subnet_id  = var.build_subnet # comment',
      '  kms_key_id = "alias/ami"',
      '  launch_block_device_mappings {',
      '    kms_key_id = "alias/nested"',
      '  }',
      '}',
      'source "amazon-ebsvolume" "b" {',
      '  vpc_id = "vpc-0ignored"',
      '}',
    ].join('\n');
    expect(hclAmazonEbsOptions(text, ['subnet_id', 'vpc_id', 'kms_key_id'])).toEqual([
      { option: 'subnet_id', raw: 'var.build_subnet' },
      { option: 'kms_key_id', raw: 'alias/ami' },
    ]);
  });
});
