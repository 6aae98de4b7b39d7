// @needs-tools moto_server
/**
 * A launch key that Auto Scaling's service-linked role may not use stops the
 * deploy before anything changes (the bundled deploy-stack, moto KMS and
 * CloudFormation): one error line naming the key-policy statements to add and
 * where they are given, exit 1, moto unchanged. With the statements (by key id
 * or alias) the same deploy goes on and creates the stack. A key of another
 * region, and a malformed one, fail in one line naming launch-kms-key before
 * anything is created. check-launch-key: false, a plan, and a template without
 * an Auto Scaling group make no check. (A key the role may not read needs an
 * IAM refusal moto does not make: packages/stack-deploy/test/launch-key-preflight.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TEMPLATE, clientsFor, stackStatus, type Clients } from './helpers.js';

const REGION = 'us-east-1';
const ROLE_PATH = 'role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
const STATEMENTS =
  '"Allow service-linked role use of the customer managed key" and "Allow attachment of persistent resources"';

/** An Auto Scaling group that launches nothing (DesiredCapacity 0), so moto needs no real AMI. */
const ASG_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ImageId:
    Type: String
Resources:
  LaunchTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref ImageId
        InstanceType: t3.micro
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '1'
      DesiredCapacity: '0'
      AvailabilityZones: [${REGION}a]
      LaunchTemplate:
        LaunchTemplateId: !Ref LaunchTemplate
        Version: !GetAtt LaunchTemplate.LatestVersionNumber
`;

let moto: Moto;
let aws: Clients;
let kms: KMSClient;
const keys = { bare: '', allowed: '', otherRegion: '', otherRegionArn: '' };

function file(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'reliability-launch-key-')), 'template.yaml');
  writeFileSync(path, body);
  return path;
}

function deploy(stack: string, extra: Record<string, string>, template = ASG_TEMPLATE) {
  return runBundledAction('deploy-stack', {
    env: moto.env,
    inputs: {
      'stack-name': stack,
      template: file(template),
      'parameter-overrides': 'ImageId=ami-0123456789abcdef0',
      ...extra,
    },
  });
}

/** The deploy fails with one error line, exit 1, no stack trace, and moto exactly as before; returns the line. */
async function refusedBeforeAnyChange(stack: string, extra: Record<string, string>): Promise<string> {
  const before = await snapshotAws(moto.clientConfig);
  const run = await deploy(stack, extra);
  expect(run.exitCode, run.log).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(run.log).not.toMatch(/\s+at .+:\d+:\d+/);
  expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  expect(await stackStatus(aws.cfn, stack)).toBeUndefined();
  return run.errors[0] ?? '';
}

beforeAll(async () => {
  moto = await startMoto({ region: REGION });
  aws = clientsFor(moto);
  kms = new KMSClient(moto.clientConfig);
  const create = async (client: KMSClient): Promise<KeyMetadata> =>
    (await client.send(new CreateKeyCommand({ Description: 'launch key' }))).KeyMetadata ?? { KeyId: '' };
  keys.bare = (await create(kms)).KeyId ?? '';
  const allowed = await create(kms);
  keys.allowed = allowed.KeyId ?? '';
  const role = `arn:aws:iam::${allowed.AWSAccountId ?? ''}:${ROLE_PATH}`;
  // The statements cloudformation/README.md gives (Customer-managed EBS keys).
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Allow service-linked role use of the customer managed key',
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      },
    ],
  };
  await kms.send(
    new PutKeyPolicyCommand({ KeyId: keys.allowed, PolicyName: 'default', Policy: JSON.stringify(policy) }),
  );
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/img-mgr-launch', TargetKeyId: keys.allowed }));
  const elsewhere = new KMSClient({ ...moto.clientConfig, region: 'eu-west-1' });
  const other = await create(elsewhere);
  [keys.otherRegion, keys.otherRegionArn] = [other.KeyId ?? '', other.Arn ?? ''];
  elsewhere.destroy();
});

afterAll(async () => {
  kms?.destroy();
  await moto?.stop();
});

describe('a launch key that Auto Scaling may not use stops deploy-stack before anything changes', () => {
  it("a key with KMS's default policy: one line naming the statements to add and where they are", async () => {
    const line = await refusedBeforeAnyChange('launch-key-bare', { 'launch-kms-key': keys.bare });
    expect(line).toMatch(new RegExp(`^Launch key '${keys.bare}' would stop every instance launch: `));
    expect(line).toContain(`:${ROLE_PATH} kms:Encrypt`);
    expect(line).toContain(
      `Add the key-policy statements ${STATEMENTS} (cloudformation/README.md, "Customer-managed EBS keys")`,
    );
  });

  it('a key id of another region: one line naming launch-kms-key', async () => {
    expect(await refusedBeforeAnyChange('launch-key-region', { 'launch-kms-key': keys.otherRegion })).toBe(
      `Input 'launch-kms-key' is '${keys.otherRegion}', which does not exist in ${REGION}`,
    );
  });

  it('a key ARN of another region: one line naming launch-kms-key', async () => {
    expect(await refusedBeforeAnyChange('launch-key-arn', { 'launch-kms-key': keys.otherRegionArn })).toBe(
      `Input 'launch-kms-key' is '${keys.otherRegionArn}', a key in eu-west-1, but the instances launch in ` +
        `${REGION}; EBS encrypts a volume with a key of the volume's own region`,
    );
  });

  it('a malformed key: one line naming launch-kms-key', async () => {
    expect(await refusedBeforeAnyChange('launch-key-bad', { 'launch-kms-key': 'my key; rm -rf /' })).toMatch(
      /^Input 'launch-kms-key' .*KMS key id, alias\/NAME, or a key or alias ARN/,
    );
  });

  it('with the documented statements the deploy goes on, by key id and by alias', async () => {
    for (const [stack, key] of [
      ['launch-key-allowed', keys.allowed],
      ['launch-key-alias', 'alias/img-mgr-launch'],
    ] as const) {
      const run = await deploy(stack, { 'launch-kms-key': key });
      expect(run.errors, run.log).toEqual([]);
      expect(run.log).toMatch(/Launch key: the key policy of arn:aws:kms:\S+ lets AWSServiceRoleForAutoScaling use it/);
      expect(await stackStatus(aws.cfn, stack)).toBe('CREATE_COMPLETE');
    }
  });

  it('check-launch-key: false, a plan, and a template without an Auto Scaling group make no check', async () => {
    const off = await deploy('launch-key-off', { 'launch-kms-key': keys.bare, 'check-launch-key': 'false' });
    expect(off.errors, off.log).toEqual([]);
    expect(off.log).not.toContain('Launch key');
    const plan = await deploy('launch-key-plan', { 'launch-kms-key': keys.bare, mode: 'plan' });
    expect(plan.errors, plan.log).toEqual([]);
    const noGroup = await deploy('launch-key-no-group', { 'launch-kms-key': keys.bare }, APP_TEMPLATE);
    expect(noGroup.errors, noGroup.log).toEqual([]);
    expect(await stackStatus(aws.cfn, 'launch-key-no-group')).toBe('CREATE_COMPLETE');
  });

  it('with no key given and EBS encryption by default off, the deploy says there was nothing to check', async () => {
    const run = await deploy('launch-key-default-off', {});
    expect(run.errors, run.log).toEqual([]);
    expect(run.log).toContain(`Launch key: EBS encryption by default is off in ${REGION} and no key is given`);
  });
});
