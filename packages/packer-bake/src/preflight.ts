/**
 * Checks, before Packer starts, the account resources a template names: the
 * amazon-ebs source's `subnet_id`, `vpc_id` and `kms_key_id`. Packer finds a
 * missing subnet only with a message that names the subnet, not the
 * variable, and an unusable KMS key only when it copies the image, after the
 * build instance ran. Each problem here is one line naming the bake-ami
 * input (or var file) and the variable, and nothing has been created.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createClient } from '@img-mgr/kernel/aws';
import { readSourceOptions, type SourceOption } from './source-ami.js';

/** The amazon-ebs options the preflight checks. */
export const PREFLIGHT_OPTIONS = ['subnet_id', 'vpc_id', 'kms_key_id'] as const;

/** A resource the template names that cannot be used; the message is one line. */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export interface PreflightOptions {
  ec2: EC2Client;
  region: string;
  /** A KMS client for the region; by default one is created (and the KMS SDK loaded) only when a key is set. */
  kms?: () => Promise<KMSClient>;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Reads the template's subnet, VPC and KMS key settings and checks each that is set. */
export async function preflightTemplate(
  configFiles: string[],
  variables: Record<string, string>,
  varFiles: string[],
  options: PreflightOptions,
): Promise<SourceOption[]> {
  const settings = (await readSourceOptions(configFiles, variables, varFiles, PREFLIGHT_OPTIONS)).filter((setting) => setting.value.trim() !== '');
  await checkSettings(settings, options);
  return settings;
}

/** Checks subnets and VPCs through EC2 and keys through KMS; throws PreflightError on the first problem. */
export async function checkSettings(settings: SourceOption[], options: PreflightOptions): Promise<void> {
  const { ec2, region, log = () => undefined, signal } = options;
  const of = (option: string) => settings.filter((setting) => setting.option === option);
  const vpcs = of('vpc_id');
  for (const vpc of vpcs) {
    signal?.throwIfAborted();
    const found = await call(vpc, 'ec2:DescribeVpcs', () => ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.value] }), signal ? { abortSignal: signal } : {}));
    if (!found?.Vpcs?.length) throw new PreflightError(`${settingSource(vpc)}, which does not exist in ${region}`);
    log(`Preflight: ${vpc.option} ${vpc.value} exists in ${region}`);
  }
  for (const subnet of of('subnet_id')) {
    signal?.throwIfAborted();
    const found = await call(subnet, 'ec2:DescribeSubnets', () =>
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.value] }), signal ? { abortSignal: signal } : {}),
    );
    const described = found?.Subnets?.[0];
    if (!described) throw new PreflightError(`${settingSource(subnet)}, which does not exist in ${region}`);
    const other = vpcs.find((vpc) => vpc.value !== described.VpcId);
    if (other) throw new PreflightError(`${settingSource(subnet)}, which is in ${described.VpcId ?? 'another VPC'}, not in vpc_id '${other.value}'`);
    log(`Preflight: ${subnet.option} ${subnet.value} exists in ${region} (${described.VpcId ?? 'VPC unknown'})`);
  }
  const keys = of('kms_key_id');
  if (keys.length === 0) return;
  const kms = options.kms ? await options.kms() : await createKmsClient(region, log, options.env);
  try {
    // Loaded with the client, so that a bake without a key never loads the KMS SDK.
    const { DescribeKeyCommand } = await import('@aws-sdk/client-kms');
    for (const key of keys) {
      signal?.throwIfAborted();
      const found = await call(key, 'kms:DescribeKey', () => kms.send(new DescribeKeyCommand({ KeyId: key.value }), signal ? { abortSignal: signal } : {}));
      const metadata = found?.KeyMetadata;
      if (!found) throw new PreflightError(`${settingSource(key)}, which does not exist in ${region}`);
      const problem = keyProblem(metadata);
      if (problem) throw new PreflightError(`${settingSource(key)}, ${problem}`);
      log(`Preflight: ${key.option} ${key.value} is an enabled symmetric encryption key (${metadata?.KeyId ?? ''})`);
    }
  } finally {
    if (!options.kms) kms.destroy();
  }
}

/** Why EBS cannot encrypt with a key of this description, or undefined. */
export function keyProblem(metadata: { KeyState?: string; KeyUsage?: string; KeySpec?: string } | undefined): string | undefined {
  if (!metadata) return 'which KMS does not describe';
  if (metadata.KeyState !== 'Enabled') return `which is ${metadata.KeyState ?? 'in an unknown state'} (EBS needs an Enabled key)`;
  // An absent usage or spec is KMS's default (ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT); moto leaves them out for a default key.
  if (metadata.KeyUsage && metadata.KeyUsage !== 'ENCRYPT_DECRYPT') return `which is a ${metadata.KeyUsage} key (EBS needs a symmetric ENCRYPT_DECRYPT key)`;
  if (metadata.KeySpec && metadata.KeySpec !== 'SYMMETRIC_DEFAULT') return `which is an asymmetric ${metadata.KeySpec} key (EBS needs a symmetric SYMMETRIC_DEFAULT key)`;
  return undefined;
}

/**
 * The start of a problem line: where the value came from and which
 * variable it feeds, e.g. `Input 'variables' sets subnet_id to 'subnet-0abc'`.
 * Subnet, VPC and key ids are not secrets.
 */
export function settingSource(setting: SourceOption): string {
  const name = setting.variable ?? setting.option;
  const through = setting.variable && setting.variable !== setting.option ? ` (the template's ${setting.option})` : '';
  switch (setting.origin.kind) {
    case 'variables':
      return `Input 'variables' sets ${name}${through} to '${setting.value}'`;
    case 'var-file':
      return `Input 'var-files': '${setting.origin.file}' sets ${name}${through} to '${setting.value}'`;
    case 'default':
      return `The template's default of variable ${name}${through} is '${setting.value}'`;
    case 'template':
      return `The template sets ${setting.option} to '${setting.value}'`;
  }
}

const NOT_FOUND = new Set(['InvalidSubnetID.NotFound', 'InvalidSubnetID.Malformed', 'InvalidVpcID.NotFound', 'InvalidVpcID.Malformed', 'NotFoundException']);
const DENIED = new Set(['UnauthorizedOperation', 'AccessDeniedException', 'AccessDenied', 'UnauthorizedException']);

/** Where github-oidc.yaml grants each permission the preflight needs. */
const GRANTED_BY: Record<string, string> = {
  'ec2:DescribeSubnets': "github-oidc.yaml's bake role grants it (PackerDescribe)",
  'ec2:DescribeVpcs': "github-oidc.yaml's bake role grants it (PackerDescribe)",
  'kms:DescribeKey': "github-oidc.yaml's bake role grants it when AmiKmsKeyArn is this key (PreflightDescribeKey)",
};

/**
 * One lookup: undefined when AWS says the resource does not exist, a
 * PreflightError naming the missing permission when the role may not look,
 * the result otherwise.
 */
async function call<T>(setting: SourceOption, permission: string, lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error: unknown) {
    const code = (error as { name?: string; Code?: string }).name ?? '';
    if (NOT_FOUND.has(code) || (code === 'InvalidParameterValue' && permission !== 'kms:DescribeKey')) return undefined;
    if (DENIED.has(code)) {
      throw new PreflightError(
        `${settingSource(setting)}, which bake-ami could not check: the role may not call ${permission} (${code}); ${GRANTED_BY[permission] ?? 'grant it to the bake role'}`,
      );
    }
    throw error;
  }
}

/** A KMS client from the project's factory, with the SDK loaded now (not with the bundle's entry). */
async function createKmsClient(region: string, log: (line: string) => void, env?: NodeJS.ProcessEnv): Promise<KMSClient> {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  return createClient(KMSClient, { region, service: 'KMS', caller: 'bake-ami', log, ...(env ? { env } : {}) });
}
