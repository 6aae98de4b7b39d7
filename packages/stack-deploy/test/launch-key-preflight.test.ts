// @needs-tools moto_server
/**
 * The launch-key preflight against real moto KMS and EC2 (GetKeyPolicy,
 * PutKeyPolicy, DescribeKey, aliases, GetEbsEncryptionByDefault): a key whose
 * policy lacks AWS's documented statements for AWSServiceRoleForAutoScaling
 * fails in one line naming them; with them it passes; an alias resolves; a key
 * of another region fails naming the request field. What moto cannot answer
 * (GetEbsDefaultKmsKeyId, which moto 5 lacks; a refusal; an AWS-managed key) comes from a stand-in
 * client, named so.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { ActionError, InvalidRequestError, lineLogger, type ClientFactory, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACHMENT_STATEMENT, autoScalingRoleArn, KEY_USE_STATEMENT } from '../src/key-policy.js';
import { checkLaunchKey, KEY_POLICY_DOC, type LaunchKeyRequest } from '../src/launch-key-preflight.js';

const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
let moto: Moto;
let kms: KMSClient;
const keys = { bare: '', bareArn: '', allowed: '', allowedArn: '', otherRegion: '', otherRegionArn: '' };

/** AWS's documented statements (Auto Scaling user guide), as cloudformation/README.md gives them. */
function documentedPolicy(account: string): string {
  const role = autoScalingRoleArn('aws', account);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: KEY_USE_STATEMENT,
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: ATTACHMENT_STATEMENT,
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      },
    ],
  });
}

async function createKey(client: KMSClient): Promise<{ id: string; arn: string }> {
  const metadata = (await client.send(new CreateKeyCommand({ Description: 'launch key' }))).KeyMetadata;
  return { id: metadata?.KeyId ?? '', arn: metadata?.Arn ?? '' };
}

beforeAll(async () => {
  moto = await startMoto({ region: REGION });
  kms = new KMSClient(moto.clientConfig);
  const bare = await createKey(kms);
  [keys.bare, keys.bareArn] = [bare.id, bare.arn];
  const allowed = await createKey(kms);
  [keys.allowed, keys.allowedArn] = [allowed.id, allowed.arn];
  const account = allowed.arn.split(':')[4] ?? '';
  await kms.send(
    new PutKeyPolicyCommand({ KeyId: allowed.id, PolicyName: 'default', Policy: documentedPolicy(account) }),
  );
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/launch', TargetKeyId: allowed.id }));
  const elsewhere = new KMSClient({ ...moto.clientConfig, region: OTHER_REGION });
  const other = await createKey(elsewhere);
  [keys.otherRegion, keys.otherRegionArn] = [other.id, other.arn];
  elsewhere.destroy();
});

afterAll(async () => {
  kms?.destroy();
  await moto?.stop();
});

/** A Context on moto whose clients may be replaced per class (for what moto cannot answer). */
function context(
  lines: string[],
  stand: Record<string, { send: (command: object) => Promise<unknown> }> = {},
): Context {
  const factory = clientFactory({ caller: 'test', env: moto.env });
  const clients: ClientFactory = {
    get(Client, region) {
      const standIn = stand[(Client as { name: string }).name];
      if (standIn) return standIn as never;
      const client = factory.get(Client, region) as { config: { credentials: unknown } };
      client.config.credentials = () => Promise.resolve(moto.clientConfig.credentials);
      return client as never;
    },
  };
  return { log: lineLogger((line) => lines.push(line)), signal: new AbortController().signal, env: moto.env, clients };
}

const request = (keyId?: string): LaunchKeyRequest => ({ region: REGION, keyId, field: 'launchKmsKey' });

async function failure(
  keyId: string | undefined,
  ctx = context([]),
  roles?: LaunchKeyRequest['roles'],
): Promise<Error> {
  const thrown = await checkLaunchKey({ ...request(keyId), roles }, ctx).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Error);
  const message = (thrown as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return thrown as Error;
}

/** An SDK error as the SDK throws it (name and $metadata). */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe('launch-key preflight (moto KMS and EC2)', () => {
  it("a key with KMS's default policy fails in one line naming the statements to add", async () => {
    const error = await failure(keys.bare);
    expect(error).toBeInstanceOf(ActionError);
    const account = keys.bareArn.split(':')[4] ?? '';
    expect(error.message).toBe(
      `Launch key '${keys.bare}' would stop every instance launch: its key policy does not allow ` +
        `${autoScalingRoleArn('aws', account)} kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, ` +
        'kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext, kms:DescribeKey, kms:CreateGrant. ' +
        `Add the key-policy statements "${KEY_USE_STATEMENT}" and "${ATTACHMENT_STATEMENT}" (${KEY_POLICY_DOC})`,
    );
  });

  it('a key whose policy has the documented statements passes', async () => {
    const verdict = await checkLaunchKey(request(keys.allowed), context([]));
    expect(verdict).toEqual({
      keyArn: keys.allowedArn,
      checked: true,
      reason: `the key policy of ${keys.allowedArn} lets AWSServiceRoleForAutoScaling use it`,
    });
  });

  it('an alias resolves to its key', async () => {
    const verdict = await checkLaunchKey(request('alias/launch'), context([]));
    expect(verdict.keyArn).toBe(keys.allowedArn);
    expect(verdict.checked).toBe(true);
  });

  it('a key id of another region fails naming the field, as a key that does not exist here', async () => {
    const error = await failure(keys.otherRegion);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe(`'launchKmsKey' is '${keys.otherRegion}', which does not exist in ${REGION}`);
  });

  it('a key ARN of another region fails naming the field before any call', async () => {
    const calls: string[] = [];
    const spy = { send: (command: object) => Promise.reject(new Error(`called ${command.constructor.name}`)) };
    const error = await failure(keys.otherRegionArn, context(calls, { KMSClient: spy, EC2Client: spy }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe(
      `'launchKmsKey' is '${keys.otherRegionArn}', a key in ${OTHER_REGION}, but the instances launch in ${REGION}; ` +
        "EBS encrypts a volume with a key of the volume's own region",
    );
  });

  it('a key the role may not read (AccessDenied from a stand-in KMS client) fails naming the permission', async () => {
    const denied = {
      send: () =>
        Promise.reject(awsError('AccessDeniedException', 'User is not authorized to perform: kms:DescribeKey')),
    };
    const error = await failure(keys.allowed, context([], { KMSClient: denied }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(
      new RegExp(
        `^'launchKmsKey' is '${keys.allowed}', which the role may not read: kms:DescribeKey was refused ` +
          "\\(AccessDeniedException\\); github-deploy-role.yaml's deploy role grants " +
          '.*\\(policy launch-key-preflight\\)',
      ),
    );
  });

  it('checks the role a group names in ServiceLinkedRoleARN, not the default one', async () => {
    const account = keys.allowedArn.split(':')[4] ?? '';
    const custom = `${autoScalingRoleArn('aws', account)}_app`;
    const customOnly = { custom: [custom], includeDefault: false };
    // The allowed key's policy names the default role only: the custom role is refused, in one line naming it.
    const error = await failure(keys.allowed, context([]), customOnly);
    expect(error.message).toContain(`its key policy does not allow ${custom} kms:Encrypt`);
    const verdict = await checkLaunchKey(
      { ...request(keys.allowed), roles: { custom: [autoScalingRoleArn('aws', account)], includeDefault: false } },
      context([]),
    );
    expect(verdict.checked).toBe(true);
  });

  it('with EBS encryption by default off and no key given, nothing is checked', async () => {
    const verdict = await checkLaunchKey(request(), context([]));
    expect(verdict).toEqual({
      checked: false,
      reason: `EBS encryption by default is off in ${REGION} and no key is given`,
    });
  });

  describe("the account's EBS default key (moto has no GetEbsDefaultKmsKeyId: a stand-in EC2 client answers)", () => {
    const ec2Answering = (kmsKeyId: string) => ({
      send: (command: object) =>
        Promise.resolve(
          command.constructor.name === 'GetEbsEncryptionByDefaultCommand'
            ? { EbsEncryptionByDefault: true }
            : { KmsKeyId: kmsKeyId },
        ),
    });

    it('a customer-managed default key without the statements fails in one line', async () => {
      const error = await failure(undefined, context([], { EC2Client: ec2Answering(keys.bareArn) }));
      expect(error).toBeInstanceOf(ActionError);
      expect(error.message).toMatch(
        new RegExp(
          `^The account's EBS default key '${keys.bareArn}' \\(${REGION}\\) \\(EBS encryption by default\\) ` +
            'would stop every instance launch: .* Add the key-policy statements',
        ),
      );
    });

    it('a default key with the statements passes', async () => {
      const verdict = await checkLaunchKey(request(), context([], { EC2Client: ec2Answering(keys.allowedArn) }));
      expect(verdict.checked).toBe(true);
    });

    it('an AWS-managed default key (alias/aws/ebs) needs nothing', async () => {
      const awsManaged = {
        send: () =>
          Promise.resolve({
            KeyMetadata: { Arn: 'arn:aws:kms:us-east-1:123456789012:key/aws-ebs', KeyManager: 'AWS' },
          }),
      };
      const verdict = await checkLaunchKey(
        request(),
        context([], { EC2Client: ec2Answering('alias/aws/ebs'), KMSClient: awsManaged }),
      );
      expect(verdict).toEqual({
        keyArn: 'arn:aws:kms:us-east-1:123456789012:key/aws-ebs',
        checked: false,
        reason: 'arn:aws:kms:us-east-1:123456789012:key/aws-ebs is an AWS-managed key, which Auto Scaling may use',
      });
    });

    it('a role that may not read the EBS default (a deploy role made before it could) warns and goes on', async () => {
      const denied = { send: () => Promise.reject(awsError('UnauthorizedOperation', 'You are not authorized')) };
      const lines: string[] = [];
      const verdict = await checkLaunchKey(request(), context(lines, { EC2Client: denied }));
      expect(verdict.checked).toBe(false);
      expect(verdict.reason).toMatch(
        new RegExp(
          `^the account's EBS default key in ${REGION} was not checked: the role may not call ` +
            "ec2:GetEbsEncryptionByDefault \\(UnauthorizedOperation\\); github-deploy-role.yaml's deploy role grants",
        ),
      );
      expect(lines).toEqual([
        `warning: Launch key: ${verdict.reason}. A customer-managed default key whose policy does not allow ` +
          `AWSServiceRoleForAutoScaling stops every launch (${KEY_POLICY_DOC})`,
      ]);
    });

    it('a default key whose policy the role may not read warns the same way; a given one fails', async () => {
      const lines: string[] = [];
      const kmsDenied = {
        send: (command: object) =>
          command.constructor.name === 'DescribeKeyCommand'
            ? Promise.resolve({ KeyMetadata: { Arn: keys.bareArn, KeyId: keys.bare, KeyManager: 'CUSTOMER' } })
            : Promise.reject(awsError('AccessDeniedException', 'not authorized to perform: kms:GetKeyPolicy')),
      };
      const stand = { EC2Client: ec2Answering(keys.bareArn), KMSClient: kmsDenied };
      const verdict = await checkLaunchKey(request(), context(lines, stand));
      expect(verdict.checked).toBe(false);
      expect(verdict.reason).toMatch(/was not checked: the role may not read: kms:GetKeyPolicy was refused/);
      expect(lines).toHaveLength(1);
      const error = await failure(keys.bare, context([], stand));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toMatch(
        new RegExp(`^'launchKmsKey' is '${keys.bare}', which the role may not read: kms:GetKeyPolicy`),
      );
    });
  });
});

describe("a key ARN of another account (stand-in KMS and STS clients: moto keeps each account's keys apart)", () => {
  const KEY_ACCOUNT = '111111111111';
  const LAUNCHING = '222222222222';
  const keyArn = `arn:aws:kms:${REGION}:${KEY_ACCOUNT}:key/0f0f0f0f-1111-2222-3333-444444444444`;

  /** A KMS stand-in that knows the key and answers GetKeyPolicy with `policy` (or its refusal); records inputs. */
  function standIns(policy: () => Promise<unknown>, inputs: Record<string, unknown>[]) {
    const metadata = {
      KeyId: keyArn.split('/')[1],
      Arn: keyArn,
      AWSAccountId: KEY_ACCOUNT,
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
    };
    const kmsStandIn = {
      send: (command: { input: Record<string, unknown> }) => {
        inputs.push({ [command.constructor.name]: command.input });
        return command.constructor.name === 'DescribeKeyCommand'
          ? Promise.resolve({ KeyMetadata: metadata })
          : policy();
      },
    };
    const stsStandIn = { send: () => Promise.resolve({ Account: LAUNCHING }) };
    return { KMSClient: kmsStandIn, STSClient: stsStandIn } as never;
  }

  it('asks GetKeyPolicy by ARN and, refused, warns in one line and lets the deploy go on', async () => {
    const inputs: Record<string, unknown>[] = [];
    const lines: string[] = [];
    const denied = () => Promise.reject(awsError('AccessDeniedException', 'not authorized'));
    const verdict = await checkLaunchKey(request(keyArn), context(lines, standIns(denied, inputs)));
    expect(inputs[1]).toEqual({ GetKeyPolicyCommand: { KeyId: keyArn, PolicyName: 'default' } });
    expect(verdict).toEqual({
      keyArn,
      checked: false,
      reason: `${keyArn} is a key of account ${KEY_ACCOUNT}, whose policy account ${LAUNCHING} may not read`,
    });
    expect(lines).toEqual([
      `warning: Launch key: ${verdict.reason}; check the key policy by hand, or set check-launch-key: false`,
    ]);
  });

  it("checks a readable policy against the launching account's role, not the key account's", async () => {
    const keyAccountRole = () => Promise.resolve({ Policy: documentedPolicy(KEY_ACCOUNT) });
    const error = await failure(keyArn, context([], standIns(keyAccountRole, [])));
    expect(error.message).toContain(`does not allow ${autoScalingRoleArn('aws', LAUNCHING)} kms:Encrypt`);
    const launchingRole = () => Promise.resolve({ Policy: documentedPolicy(LAUNCHING) });
    const verdict = await checkLaunchKey(request(keyArn), context([], standIns(launchingRole, [])));
    expect(verdict.checked).toBe(true);
  });
});
