/**
 * Checks, before Packer starts, the account resources a template names: the
 * amazon-ebs source's `subnet_id`, `vpc_id` and `kms_key_id`. Packer finds a
 * missing subnet only with a message that names the subnet, not the
 * variable, and an unusable KMS key only when it copies the image, after the
 * build instance ran. Each problem here is one InvalidRequestError naming
 * the request field the value came from (variables, varFiles, template) and
 * the variable, and nothing has been created.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { awsErrorClass, awsErrorName, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { readSourceOptions, type SourceOption } from './source-ami.js';

/** The amazon-ebs options the preflight checks. */
export const PREFLIGHT_OPTIONS = ['subnet_id', 'vpc_id', 'kms_key_id'] as const;

/** The template's files and values to check, and the build region. */
export interface PreflightRequest {
  configFiles: string[];
  variables: Record<string, string>;
  varFiles: string[];
  region: string;
}

/** Reads the template's subnet, VPC and KMS key settings and checks each that is set. */
export async function preflightTemplate(request: PreflightRequest, context: Context): Promise<SourceOption[]> {
  const { configFiles, variables, varFiles } = request;
  const settings = (await readSourceOptions(configFiles, variables, varFiles, PREFLIGHT_OPTIONS)).filter(
    (setting) => setting.value.trim() !== '',
  );
  await checkSettings(settings, request.region, context);
  return settings;
}

/**
 * Checks subnets and VPCs through EC2 and keys through KMS (its SDK loaded
 * only when a key is set); throws InvalidRequestError on the first problem.
 */
export async function checkSettings(settings: SourceOption[], region: string, context: Context): Promise<void> {
  const { signal } = context;
  const log = (line: string): void => context.log.info(`Preflight: ${line}`);
  const of = (option: string) => settings.filter((setting) => setting.option === option);
  const ec2 = context.clients.get(EC2Client, region);
  const vpcs = of('vpc_id');
  for (const vpc of vpcs) {
    signal.throwIfAborted();
    const command = new DescribeVpcsCommand({ VpcIds: [vpc.value] });
    const found = await call(vpc, 'ec2:DescribeVpcs', () => ec2.send(command, { abortSignal: signal }));
    if (!found?.Vpcs?.length) throw settingProblem(vpc, `which does not exist in ${region}`);
    log(`${vpc.option} ${vpc.value} exists in ${region}`);
  }
  for (const subnet of of('subnet_id')) {
    signal.throwIfAborted();
    const command = new DescribeSubnetsCommand({ SubnetIds: [subnet.value] });
    const found = await call(subnet, 'ec2:DescribeSubnets', () => ec2.send(command, { abortSignal: signal }));
    const described = found?.Subnets?.[0];
    if (!described) throw settingProblem(subnet, `which does not exist in ${region}`);
    const other = vpcs.find((vpc) => vpc.value !== described.VpcId);
    if (other) {
      throw settingProblem(subnet, `which is in ${described.VpcId ?? 'another VPC'}, not in vpc_id '${other.value}'`);
    }
    log(`${subnet.option} ${subnet.value} exists in ${region} (${described.VpcId ?? 'VPC unknown'})`);
  }
  const keys = of('kms_key_id');
  if (keys.length === 0) return;
  // Loaded here, so that a bake without a key never loads the KMS SDK.
  const { DescribeKeyCommand, KMSClient } = await import('@aws-sdk/client-kms');
  const kms = context.clients.get(KMSClient, region);
  for (const key of keys) {
    signal.throwIfAborted();
    const command = new DescribeKeyCommand({ KeyId: key.value });
    const found = await call(key, 'kms:DescribeKey', () => kms.send(command, { abortSignal: signal }));
    const metadata = found?.KeyMetadata;
    if (!found) throw settingProblem(key, `which does not exist in ${region}`);
    const problem = keyProblem(metadata);
    if (problem) throw settingProblem(key, problem);
    log(`${key.option} ${key.value} is an enabled symmetric encryption key (${metadata?.KeyId ?? ''})`);
  }
}

/** Why EBS cannot encrypt with a key of this description, or undefined. */
export function keyProblem(
  metadata: { KeyState?: string; KeyUsage?: string; KeySpec?: string } | undefined,
): string | undefined {
  if (!metadata) return 'which KMS does not describe';
  if (metadata.KeyState !== 'Enabled') {
    return `which is ${metadata.KeyState ?? 'in an unknown state'} (EBS needs an Enabled key)`;
  }
  // An absent usage or spec is KMS's default (ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT);
  // moto leaves them out for a default key.
  if (metadata.KeyUsage && metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
    return `which is a ${metadata.KeyUsage} key (EBS needs a symmetric ENCRYPT_DECRYPT key)`;
  }
  if (metadata.KeySpec && metadata.KeySpec !== 'SYMMETRIC_DEFAULT') {
    return `which is an asymmetric ${metadata.KeySpec} key (EBS needs a symmetric SYMMETRIC_DEFAULT key)`;
  }
  return undefined;
}

/**
 * A problem with a setting, on the request field its value came from, e.g.
 * `'variables' sets subnet_id to 'subnet-0abc', which does not exist in
 * us-east-1`. Subnet, VPC and key ids are not secrets.
 */
export function settingProblem(setting: SourceOption, problem: string): InvalidRequestError {
  const name = setting.variable ?? setting.option;
  const through = setting.variable && setting.variable !== setting.option ? ` (the template's ${setting.option})` : '';
  switch (setting.origin.kind) {
    case 'variables':
      return new InvalidRequestError('variables', `sets ${name}${through} to '${setting.value}', ${problem}`);
    case 'var-file':
      return new InvalidRequestError(
        'varFiles',
        `names '${setting.origin.file}', where ${name}${through} is '${setting.value}', ${problem}`,
      );
    case 'default':
      return new InvalidRequestError(
        'template',
        `gives variable ${name}${through} the default '${setting.value}', ${problem}`,
      );
    case 'template':
      return new InvalidRequestError('template', `sets ${setting.option} to '${setting.value}', ${problem}`);
  }
}

/** Where github-bake-role.yaml grants each permission the preflight needs. */
const GRANTED_BY: Record<string, string> = {
  'ec2:DescribeSubnets': "github-bake-role.yaml's bake role grants it (PackerDescribe)",
  'ec2:DescribeVpcs': "github-bake-role.yaml's bake role grants it (PackerDescribe)",
  'kms:DescribeKey': "github-bake-role.yaml's bake role grants it when AmiKmsKeyArn is this key (PreflightDescribeKey)",
};

/**
 * One lookup: undefined when AWS says the resource does not exist (for EC2,
 * a malformed id too), an InvalidRequestError naming the missing permission
 * when the role may not look, the result otherwise.
 */
async function call<T>(setting: SourceOption, permission: string, lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error: unknown) {
    const kind = awsErrorClass(error);
    if (kind === 'not-found' || (kind === 'invalid' && !permission.startsWith('kms:'))) return undefined;
    if (kind === 'access-denied') {
      const grant = GRANTED_BY[permission] ?? 'grant it to the bake role';
      throw settingProblem(
        setting,
        `which bake-ami could not check: the role may not call ${permission} (${awsErrorName(error)}); ${grant}`,
      );
    }
    throw error;
  }
}
