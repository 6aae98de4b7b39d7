/**
 * The launch-key preflight: before a stack whose Auto Scaling group launches
 * instances is changed, check that the KMS key the instances' volumes are
 * encrypted with lets Auto Scaling's service-linked role use it. Without that,
 * every launch fails, no cfn-signal comes, and the deploy fails only after its
 * signal timeout with a message that points nowhere near the key.
 *
 * The key is the one the request names (the key that encrypts the AMI), else the
 * account's EBS default key when EBS encryption by default is on. An AWS-managed
 * key (alias/aws/ebs) needs nothing. The SDKs are loaded only when it runs.
 */
import { ActionError, awsErrorClass, awsErrorName, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { autoScalingRoleArn, keyPolicyGaps, type PolicyGap } from './key-policy.js';

/** Where the key-policy statements are given, for the failure line. */
export const KEY_POLICY_DOC = 'cloudformation/README.md, "Customer-managed EBS keys"';

/** Where the deploy role gets the preflight's permissions, for an access-denied line. */
const GRANTED_BY =
  "github-deploy-role.yaml's deploy role grants ec2:GetEbsEncryptionByDefault, ec2:GetEbsDefaultKmsKeyId, " +
  'kms:DescribeKey and kms:GetKeyPolicy on keys of its account and DeployRegions (policy launch-key-preflight)';

export interface LaunchKeyRequest {
  /** The region the instances launch in. */
  region: string;
  /** The key (id, alias, key or alias ARN) the volumes use; empty: the account's EBS default key, when it is on. */
  keyId?: string | undefined;
  /** The request field that holds keyId, named by an error about it. */
  field: string;
  /** Marks an SDK command, e.g. to count it. */
  mark?: <C extends object>(command: C) => C;
  /**
   * The service-linked roles the groups launch through: literal role ARNs a group sets as ServiceLinkedRoleARN,
   * and whether a group uses Auto Scaling's default role; unset: the default role alone.
   */
  roles?: { custom: readonly string[]; includeDefault: boolean } | undefined;
}

/** What the preflight found: the key it checked, or why there was nothing to check. */
export interface LaunchKeyVerdict {
  keyArn?: string | undefined;
  checked: boolean;
  reason: string;
}

interface KeyArn {
  partition: string;
  region: string;
  account: string;
}

/** The parts of a KMS key or alias ARN; undefined for an id or an alias name. */
export function parseKeyArn(key: string): KeyArn | undefined {
  const match = /^arn:([a-z-]+):kms:([a-z0-9-]*):(\d{12}):(?:key|alias)\/.+$/.exec(key);
  return match ? { partition: match[1] ?? 'aws', region: match[2] ?? '', account: match[3] ?? '' } : undefined;
}

/** The role may not read what the check needs; `problem` says which call was refused. */
class UnreadableKey extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

/**
 * Checks the launch key; resolves with what it checked, or throws an InvalidRequestError naming `field` (a given
 * key in another region, missing, disabled or unreadable) or an ActionError (the key policy lacks the statements,
 * or the account's default key is missing or disabled). Every error is one line. When the role may not read the
 * account's EBS default (a deploy role made before it had these reads), it warns and lets the deploy go on, so an
 * existing caller is not stopped by a check it did not ask for.
 */
export async function checkLaunchKey(request: LaunchKeyRequest, context: Context): Promise<LaunchKeyVerdict> {
  const { region } = request;
  const given = request.keyId?.trim() ?? '';
  const arn = given ? parseKeyArn(given) : undefined;
  if (arn && arn.region !== region) {
    throw new InvalidRequestError(
      request.field,
      `is '${given}', a key in ${arn.region || 'no region'}, but the instances launch in ${region}; ` +
        "EBS encrypts a volume with a key of the volume's own region",
    );
  }
  try {
    return await inspectKey(request, given, context);
  } catch (error: unknown) {
    if (!(error instanceof UnreadableKey)) throw error;
    if (given) throw new InvalidRequestError(request.field, `is '${given}', ${error.problem}`);
    const why = error.problem.replace(/^which /, '');
    const reason = `the account's EBS default key in ${region} was not checked: ${why}`;
    context.log.warn(
      `Launch key: ${reason}. A customer-managed default key whose policy does not allow ` +
        `AWSServiceRoleForAutoScaling stops every launch (${KEY_POLICY_DOC})`,
    );
    return { checked: false, reason };
  }
}

/** The checks after the request is known to be well-formed; an unreadable key or setting throws UnreadableKey. */
async function inspectKey(request: LaunchKeyRequest, given: string, context: Context): Promise<LaunchKeyVerdict> {
  const { region } = request;
  const mark = request.mark ?? (<C extends object>(command: C): C => command);
  const key = given || (await defaultKey(request, context, mark));
  if (!key) return { checked: false, reason: `EBS encryption by default is off in ${region} and no key is given` };
  const subject = given ? `Launch key '${given}'` : `The account's EBS default key '${key}' (${region})`;
  const refused = (problem: string): Error =>
    given
      ? new InvalidRequestError(request.field, `is '${given}', ${problem}`)
      : new ActionError(`${subject} ${problem}`);

  const { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } = await import('@aws-sdk/client-kms');
  const kms = context.clients.get(KMSClient, region);
  const options = { abortSignal: context.signal };
  const described = await readKey(() => kms.send(mark(new DescribeKeyCommand({ KeyId: key })), options), refused, {
    permission: 'kms:DescribeKey',
    region,
  });
  const metadata = described.KeyMetadata;
  const keyArn = metadata?.Arn ?? key;
  if (metadata?.KeyManager === 'AWS') {
    return { keyArn, checked: false, reason: `${keyArn} is an AWS-managed key, which Auto Scaling may use` };
  }
  if (metadata?.KeyState && metadata.KeyState !== 'Enabled') {
    throw refused(`which is ${metadata.KeyState} (EBS needs an Enabled key)`);
  }
  const parts = parseKeyArn(keyArn);
  const keyAccount = parts?.account ?? metadata?.AWSAccountId ?? '';
  // A key named by id or alias, or the EBS default, is the caller's own; only a key ARN may be another account's.
  const launching = given && parseKeyArn(given) ? await callerAccount(context, region, mark) : keyAccount;
  // By ARN: KMS resolves a bare key id in the caller's account, where a key of another account is not found.
  const readPolicy = () => kms.send(mark(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })), options);
  let policy: { Policy?: string | undefined };
  if (keyAccount === launching) {
    policy = await readKey(readPolicy, refused, { permission: 'kms:GetKeyPolicy', region });
  } else {
    try {
      policy = await readPolicy();
    } catch (error: unknown) {
      if (!['access-denied', 'not-found'].includes(awsErrorClass(error))) throw error;
      const reason = `${keyArn} is a key of account ${keyAccount}, whose policy account ${launching} may not read`;
      context.log.warn(`Launch key: ${reason}; check the key policy by hand, or set check-launch-key: false`);
      return { keyArn, checked: false, reason };
    }
  }
  const roles = launchRoles(request, parts?.partition ?? 'aws', launching);
  for (const role of roles) {
    const gaps = keyPolicyGaps(policy.Policy ?? '', role);
    if (gaps.length > 0) {
      const what = given ? subject : `${subject} (EBS encryption by default)`;
      throw new ActionError(gapLine(what, role, gaps), hint(gaps));
    }
  }
  const names = roles.map((role) => role.split('/').at(-1) ?? role).join(' and ');
  return { keyArn, checked: true, reason: `the key policy of ${keyArn} lets ${names} use it` };
}

/** The ARNs of the service-linked roles the instances launch through, in the launching account. */
function launchRoles(request: LaunchKeyRequest, partition: string, account: string): string[] {
  const roles = request.roles ?? { custom: [], includeDefault: true };
  const all = [...(roles.includeDefault ? [autoScalingRoleArn(partition, account)] : []), ...roles.custom];
  return [...new Set(all)];
}

/** The account the credentials belong to, which the stack deploys into and whose role launches the instances. */
async function callerAccount(
  context: Context,
  region: string,
  mark: <C extends object>(command: C) => C,
): Promise<string> {
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = context.clients.get(STSClient, region);
  const identity = await sts.send(mark(new GetCallerIdentityCommand({})), { abortSignal: context.signal });
  return identity.Account ?? '';
}

function gapLine(subject: string, role: string, gaps: PolicyGap[]): string {
  const actions = gaps.flatMap((gap) => gap.actions).join(', ');
  return `${subject} would stop every instance launch: its key policy does not allow ${role} ${actions}`;
}

function hint(gaps: PolicyGap[]): string {
  const named = gaps.map((gap) => `"${gap.statement}"`).join(' and ');
  return `Add the key-policy statement${gaps.length > 1 ? 's' : ''} ${named} (${KEY_POLICY_DOC})`;
}

/** The account's EBS default key when EBS encryption by default is on in the region; '' when it is off. */
async function defaultKey(
  request: LaunchKeyRequest,
  context: Context,
  mark: <C extends object>(command: C) => C,
): Promise<string> {
  const { EC2Client, GetEbsDefaultKmsKeyIdCommand, GetEbsEncryptionByDefaultCommand } =
    await import('@aws-sdk/client-ec2');
  const ec2 = context.clients.get(EC2Client, request.region);
  const options = { abortSignal: context.signal };
  const denied = (permission: string, error: unknown): unknown =>
    awsErrorClass(error) === 'access-denied'
      ? new UnreadableKey(`the role may not call ${permission} (${awsErrorName(error)}); ${GRANTED_BY}`)
      : error;
  try {
    const on = await ec2.send(mark(new GetEbsEncryptionByDefaultCommand({})), options);
    if (!on.EbsEncryptionByDefault) return '';
  } catch (error: unknown) {
    throw denied('ec2:GetEbsEncryptionByDefault', error);
  }
  try {
    const answer = await ec2.send(mark(new GetEbsDefaultKmsKeyIdCommand({})), options);
    // EC2 answers with alias/aws/ebs (AWS-managed) when no customer-managed default was set.
    return answer.KmsKeyId || 'alias/aws/ebs';
  } catch (error: unknown) {
    throw denied('ec2:GetEbsDefaultKmsKeyId', error);
  }
}

/** One KMS read: a missing key becomes a one-line error about it, a refusal an UnreadableKey. */
async function readKey<T>(
  read: () => Promise<T>,
  refused: (problem: string) => Error,
  facts: { permission: string; region: string },
): Promise<T> {
  try {
    return await read();
  } catch (error: unknown) {
    const kind = awsErrorClass(error);
    if (kind === 'not-found') throw refused(`which does not exist in ${facts.region}`);
    if (kind === 'access-denied') {
      throw new UnreadableKey(
        `which the role may not read: ${facts.permission} was refused (${awsErrorName(error)}); ${GRANTED_BY}; ` +
          "KMS reads no other account's key policy, so check a key of another account by hand",
      );
    }
    throw error;
  }
}
