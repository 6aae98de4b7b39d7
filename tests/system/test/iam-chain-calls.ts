/**
 * The AWS calls the chain makes with the GitHub roles, split by the job (and
 * so the role) that makes them, each as IAM authorises
 * it on real AWS: action, resource ARN, and the context keys AWS supplies
 * (aws:RequestedRegion, ec2:CreateAction and aws:RequestTag/* for tagging at
 * creation, ec2:ResourceTag/* of existing resources, iam:PassedToService).
 *
 * Sources: the three libraries' SDK calls (packages/packer-bake, ami-publish,
 * stack-deploy; the live recording in iam-chain-calls.test.ts checks that no
 * other operation is made), and the Amazon plugin the workflow installs,
 * read at hashicorp/packer-plugin-amazon tag v1.3.9 (the exact pin of
 * packer/plugins.pkr.hcl, PACKER_PLUGIN_VERSION below):
 * - builder/common/step_key_pair.go, step_security_group.go: CreateKeyPair
 *   and CreateSecurityGroup carry run_tags as TagSpecifications (key-pair,
 *   security-group);
 * - builder/common/step_run_source_instance.go: RunInstances carries
 *   run_tags for instance and network-interface, run_volume_tags for volume;
 * - builder/ebs/step_create_ami.go: CreateImage carries run_tags for image
 *   and snapshot (none with skip_ami_run_tags or in us-gov-* and cn-*
 *   regions: refusedBakeCalls); its Cleanup, and helper_funcs.go DestroyAMIs
 *   (the encrypt_boot intermediate image), deregister the image and delete
 *   its snapshots;
 * - builder/common/step_create_tags.go: after the image exists, one
 *   CreateTags naming the image and its snapshots with `tags`, then one
 *   naming the snapshots with `snapshot_tags`;
 * - builder/common/step_ami_region_copy.go: CopyImage with CopyImageTags and
 *   no TagSpecifications (ami_regions: refusedBakeCalls; img-mgr copies the
 *   baked AMI itself, packages/packer-bake copy-image.ts, with Packer's tags
 *   as TagSpecifications of the copy and its snapshots);
 * - builder/common/step_deregister_ami.go: force_deregister only (the
 *   template does not set it).
 * EC2 has no condition key for an image's name (CreateTags and
 * DeregisterImage on an image offer ec2:ImageID, ec2:ImageType, ec2:Owner,
 * ec2:Public, ec2:RootDeviceType and tags), so tags are the only scope.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// bake-ami's record of the regions it baked in, which it puts on the build region's AMI after the build.
import { REGIONS_TAG } from '@img-mgr/packer-bake';
import { ACCOUNT_ID, REGION } from './iam-render.js';
import type { IamRequest } from './iam-simulate.js';
import { packerDir } from './helpers.js';
import { ENVIRONMENTS } from './iam-roles.js';

/** The Amazon plugin version whose source the bake rows follow; packer/plugins.pkr.hcl must pin exactly this. */
export const PACKER_PLUGIN_VERSION = '1.3.9';

export { REGIONS_TAG };

export interface ChainCall extends IamRequest {
  /** Who makes it and why. */
  by: string;
}

const ec2 = (type: string, id: string, global = false) =>
  `arn:aws:ec2:${REGION}:${global ? '' : ACCOUNT_ID}:${type}/${id}`;
const region = { 'aws:RequestedRegion': REGION };

/** The tags Packer puts on what it creates (local.tags of packer/img-mgr.pkr.hcl), with stand-in values. */
export interface PackerTags {
  /** Tag keys of local.tags. */
  keys: string[];
  /** The literal value of created-by and application. */
  createdBy: string;
  application: string;
  /** How each tagging attribute of the source is set (e.g. `local.tags`, `merge(local.tags, {...})`). */
  attributes: Record<'tags' | 'run_tags' | 'run_volume_tags' | 'snapshot_tags', string>;
}

/**
 * Reads packer/img-mgr.pkr.hcl: the keys of local.tags and how tags, run_tags, run_volume_tags and snapshot_tags use
 * them.
 */
export function packerTags(): PackerTags {
  const hcl = readFileSync(join(packerDir, 'img-mgr.pkr.hcl'), 'utf8');
  const block = /^\s*tags\s*=\s*\{([\s\S]*?)^\s*\}/m.exec(hcl.slice(hcl.indexOf('locals')))?.[1];
  if (!block) throw new Error('no `tags = { ... }` in the locals of packer/img-mgr.pkr.hcl');
  const entries = [...block.matchAll(/^\s*"?([A-Za-z0-9_.:/-]+)"?\s*=\s*(.+?)\s*$/gm)].map(
    (m) => [m[1] ?? '', m[2] ?? ''] as const,
  );
  const literal = (key: string) => /^"([^"$]*)"$/.exec(entries.find(([k]) => k === key)?.[1] ?? '')?.[1] ?? '';
  const attribute = (name: string) =>
    new RegExp(`^\\s*${name}\\s*=\\s*(.+)$`, 'm').exec(hcl.slice(hcl.indexOf('source "amazon-ebs"')))?.[1]?.trim() ??
    '';
  return {
    keys: entries.map(([key]) => key),
    createdBy: literal('created-by'),
    application: literal('application'),
    attributes: {
      tags: attribute('tags'),
      run_tags: attribute('run_tags'),
      run_volume_tags: attribute('run_volume_tags'),
      snapshot_tags: attribute('snapshot_tags'),
    },
  };
}

/** aws:RequestTag/* and aws:TagKeys for a request that carries Packer's tags. */
export function requestTags(tags: PackerTags): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = { 'aws:TagKeys': tags.keys };
  for (const key of tags.keys)
    context[`aws:RequestTag/${key}`] =
      key === 'created-by' ? tags.createdBy : key === 'application' ? tags.application : `value-of-${key}`;
  return context;
}

/** ec2:ResourceTag/* of a resource that Packer created (tagged at creation). */
export function packerResourceTags(tags: PackerTags): Record<string, string> {
  return {
    'ec2:ResourceTag/created-by': tags.createdBy,
    'ec2:ResourceTag/application': tags.application,
    'ec2:ResourceTag/Name': 'img-mgr-20261130-101010',
  };
}

const describe = (by: string, ...actions: string[]): ChainCall[] =>
  actions.map((action) => ({ by, action, resource: '*', context: region }));
const image = ec2('image', 'ami-0bakedbypacker0001', true);
const snapshot = ec2('snapshot', 'snap-0bakedbypacker001', true);
/** The copy of the baked AMI in another target region, and its snapshot. */
const copyImage = ec2('image', 'ami-0copyofbaked000001', true);
const copySnapshot = ec2('snapshot', 'snap-0copyofpacker00001', true);

/** A customer-managed key of the account and region, as the launch-key preflight reads it. */
export const LAUNCH_KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** The ARN of a stack of this name. */
export function stackArn(name: string): string {
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${name}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
}

/** The ARN of an SSM parameter of this name (/...). */
export function parameterArn(name: string): string {
  return `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${name}`;
}

/** Every call of the bake job (Packer's plugin and bake-ami), made with the bake role. */
export function bakeCalls(options: { tags: PackerTags; kmsKey?: string }): ChainCall[] {
  const { tags, kmsKey } = options;
  const created = { ...region, ...requestTags(tags) };
  const owned = { ...region, ...packerResourceTags(tags) };
  const tagOnCreate = (action: string) => ({ ...created, 'ec2:CreateAction': action });
  const keyPair = ec2('key-pair', 'packer_6745e7f4-0f2a-4c1e-9d35-4f9f1f0b1a2c');
  const group = ec2('security-group', 'sg-0123456789abcdef0');
  const instance = ec2('instance', 'i-0123456789abcdef0');
  const volume = ec2('volume', 'vol-0123456789abcdef0');
  const eni = ec2('network-interface', 'eni-0123456789abcdef0');
  const baseImage = ec2('image', 'ami-0amazonal2023base', true);

  return [
    // bake-ami's preflight of subnet_id and vpc_id (when set), before Packer starts.
    ...describe('bake-ami preflight: subnet_id, vpc_id', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets'),
    // The build subnet when the template sets none: the network stack's public subnet (by its
    // aws:cloudformation:stack-name tag), else the default VPC.
    ...describe('bake-ami build subnet: network stack subnet, default VPC', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'),
    // And of kms_key_id: bake-ami calls KMS itself, so no kms:ViaService.
    ...(kmsKey
      ? [{ by: 'bake-ami preflight: kms_key_id', action: 'kms:DescribeKey', resource: kmsKey, context: region }]
      : []),
    // Packer's Amazon plugin, in the order it runs.
    ...describe(
      'packer: source AMI, network, instance type',
      'ec2:DescribeRegions',
      'ec2:DescribeImages',
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeInstanceTypeOfferings',
    ),
    { by: 'packer: temporary key pair', action: 'ec2:CreateKeyPair', resource: keyPair, context: created },
    {
      by: 'packer: key pair tags at creation',
      action: 'ec2:CreateTags',
      resource: keyPair,
      context: tagOnCreate('CreateKeyPair'),
    },
    { by: 'packer: temporary security group', action: 'ec2:CreateSecurityGroup', resource: group, context: created },
    {
      by: 'packer: security group in the default VPC',
      action: 'ec2:CreateSecurityGroup',
      resource: ec2('vpc', 'vpc-0default0000000000'),
      context: region,
    },
    {
      by: 'packer: security group tags at creation',
      action: 'ec2:CreateTags',
      resource: group,
      context: tagOnCreate('CreateSecurityGroup'),
    },
    ...describe('packer: wait for the group', 'ec2:DescribeSecurityGroups'),
    { by: 'packer: SSH from the runner', action: 'ec2:AuthorizeSecurityGroupIngress', resource: group, context: owned },
    { by: 'packer: build instance', action: 'ec2:RunInstances', resource: instance, context: created },
    { by: 'packer: its root volume', action: 'ec2:RunInstances', resource: volume, context: created },
    { by: 'packer: its network interface', action: 'ec2:RunInstances', resource: eni, context: created },
    { by: 'packer: from Amazon Linux 2023', action: 'ec2:RunInstances', resource: baseImage, context: region },
    {
      by: 'packer: in a subnet',
      action: 'ec2:RunInstances',
      resource: ec2('subnet', 'subnet-0default000000000'),
      context: region,
    },
    { by: 'packer: in its temporary group', action: 'ec2:RunInstances', resource: group, context: owned },
    { by: 'packer: with its temporary key pair', action: 'ec2:RunInstances', resource: keyPair, context: owned },
    {
      by: 'packer: instance tags at RunInstances',
      action: 'ec2:CreateTags',
      resource: instance,
      context: tagOnCreate('RunInstances'),
    },
    {
      by: 'packer: volume tags at RunInstances',
      action: 'ec2:CreateTags',
      resource: volume,
      context: tagOnCreate('RunInstances'),
    },
    {
      by: 'packer: network interface tags at RunInstances',
      action: 'ec2:CreateTags',
      resource: eni,
      context: tagOnCreate('RunInstances'),
    },
    ...describe(
      'packer: wait for the instance, image, snapshots',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeImages',
      'ec2:DescribeSnapshots',
      'ec2:DescribeVolumes',
    ),
    { by: 'packer: stop before imaging', action: 'ec2:StopInstances', resource: instance, context: owned },
    { by: 'packer: image its instance', action: 'ec2:CreateImage', resource: instance, context: owned },
    { by: 'packer: the image', action: 'ec2:CreateImage', resource: image, context: created },
    { by: 'packer: its snapshot', action: 'ec2:CreateImage', resource: snapshot, context: created },
    {
      by: 'packer: image tags at CreateImage',
      action: 'ec2:CreateTags',
      resource: image,
      context: tagOnCreate('CreateImage'),
    },
    {
      by: 'packer: snapshot tags at CreateImage',
      action: 'ec2:CreateTags',
      resource: snapshot,
      context: tagOnCreate('CreateImage'),
    },
    {
      by: 'packer: ami_description (ModifyImageAttribute)',
      action: 'ec2:ModifyImageAttribute',
      resource: image,
      context: { ...owned, 'ec2:Attribute': 'description' },
    },
    {
      by: 'packer: ami_description, should AWS supply no ec2:Attribute',
      action: 'ec2:ModifyImageAttribute',
      resource: image,
      context: owned,
    },
    // step_create_tags: one request names the image and its snapshots (IAM authorises each resource).
    {
      by: 'packer: `tags` on the image afterwards',
      action: 'ec2:CreateTags',
      resource: image,
      context: { ...owned, ...requestTags(tags) },
    },
    {
      by: 'packer: `tags` on its snapshot, in the same request',
      action: 'ec2:CreateTags',
      resource: snapshot,
      context: { ...owned, ...requestTags(tags) },
    },
    {
      by: 'packer: `snapshot_tags` afterwards',
      action: 'ec2:CreateTags',
      resource: snapshot,
      context: { ...owned, ...requestTags(tags) },
    },
    {
      by: `bake-ami: ${REGIONS_TAG} on the build region's AMI`,
      action: 'ec2:CreateTags',
      resource: image,
      context: { ...owned, 'aws:TagKeys': [REGIONS_TAG], [`aws:RequestTag/${REGIONS_TAG}`]: REGION },
    },
    // packages/packer-bake copy-image.ts: bake once, copy to every target region. CopyImage carries Packer's tags
    // as TagSpecifications of the copy and of its snapshots (the source's tags, without bake-ami-regions); it
    // looks for an earlier copy by fingerprint (DescribeImages above) and waits for the copy with DescribeImages.
    { by: 'img-mgr copy: the copy of the baked AMI', action: 'ec2:CopyImage', resource: copyImage, context: created },
    { by: 'img-mgr copy: from the baked AMI', action: 'ec2:CopyImage', resource: image, context: created },
    { by: "img-mgr copy: the copy's snapshot", action: 'ec2:CopyImage', resource: copySnapshot, context: created },
    {
      by: 'img-mgr copy: image tags at CopyImage',
      action: 'ec2:CreateTags',
      resource: copyImage,
      context: tagOnCreate('CopyImage'),
    },
    {
      by: 'img-mgr copy: snapshot tags at CopyImage',
      action: 'ec2:CreateTags',
      resource: copySnapshot,
      context: tagOnCreate('CopyImage'),
    },
    { by: 'packer: cleanup', action: 'ec2:TerminateInstances', resource: instance, context: owned },
    { by: 'packer: cleanup', action: 'ec2:DeleteKeyPair', resource: keyPair, context: owned },
    { by: 'packer: cleanup', action: 'ec2:DeleteSecurityGroup', resource: group, context: owned },
    // bake-ami: fingerprint search and the sweep after a cancelled build.
    ...describe(
      'bake-ami: fingerprint search, sweep',
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeKeyPairs',
      'ec2:DescribeSecurityGroups',
    ),
    {
      by: 'bake-ami sweep: orphaned build instance',
      action: 'ec2:TerminateInstances',
      resource: instance,
      context: owned,
    },
    { by: 'bake-ami sweep: orphaned key pair', action: 'ec2:DeleteKeyPair', resource: keyPair, context: owned },
    {
      by: 'bake-ami sweep: orphaned security group',
      action: 'ec2:DeleteSecurityGroup',
      resource: group,
      context: owned,
    },
    {
      by: 'packer: a failed bake deregisters its image',
      action: 'ec2:DeregisterImage',
      resource: image,
      context: owned,
    },
    { by: 'packer: and deletes its snapshot', action: 'ec2:DeleteSnapshot', resource: snapshot, context: owned },
    // packages/packer-bake unfinished-build.ts: the AMI of a build interrupted before Packer's own cleanup, tagged
    // by run_tags in CreateImage.
    {
      by: "bake-ami: an interrupted build's AMI (tagged at CreateImage)",
      action: 'ec2:DeregisterImage',
      resource: image,
      context: owned,
    },
    { by: 'bake-ami: and its snapshot', action: 'ec2:DeleteSnapshot', resource: snapshot, context: owned },
  ];
}

/**
 * Calls the plugin makes that the bake role refuses on purpose, with why
 * (cloudformation/README.md): each would need a grant that lets the role mark
 * (and then delete) an untagged image or snapshot it did not make.
 */
export function refusedBakeCalls(options: { tags: PackerTags }): ChainCall[] {
  return [
    {
      by: "packer: ami_regions's CopyImage (CopyImageTags, no TagSpecifications); img-mgr copies with tags instead",
      action: 'ec2:CopyImage',
      resource: copyImage,
      context: region,
    },
    {
      by: "a copy that tags itself with keys other than Packer's",
      action: 'ec2:CopyImage',
      resource: copyImage,
      context: {
        ...region,
        ...requestTags(options.tags),
        'aws:TagKeys': [...options.tags.keys, 'owner'],
        'aws:RequestTag/owner': 'someone',
      },
    },
    {
      by: 'packer: CreateImage without TagSpecifications (skip_ami_run_tags, or a us-gov-*/cn-* region)',
      action: 'ec2:CreateImage',
      resource: image,
      context: region,
    },
    {
      by: "packer: `tags` on a copy's snapshot, which CopyImageTags leaves untagged (ami_regions, kms_key_id)",
      action: 'ec2:CreateTags',
      resource: copySnapshot,
      context: { ...region, ...requestTags(options.tags) },
    },
    {
      by: "bake-ami: an interrupted build's untagged AMI (Packer without run_tags at CreateImage)",
      action: 'ec2:DeregisterImage',
      resource: image,
      context: region,
    },
  ];
}

/**
 * Where publish-ami's prune looks for AMIs still in use: its reference-path, and the aws:ec2:image pointers it finds
 * there.
 */
export interface PruneScope {
  referencePath: string;
  pointers: string[];
}

/** publish-ami's default reference-path (actions/publish-ami/action.yml; the deploy role's ReferencePath default). */
export const DEFAULT_REFERENCE_PATH = '/common/img-mgr';

/**
 * What prune finds under the default reference-path when `parameterName`
 * prunes: every environment's golden parameter (the others' too) and a
 * per-region variant of its own.
 */
export function pruneScope(parameterName: string): PruneScope {
  const everyEnvironment = Object.values(ENVIRONMENTS).map((spec) => spec.ParameterName);
  return {
    referencePath: DEFAULT_REFERENCE_PATH,
    pointers: [...new Set([parameterName, `${parameterName}/us-east-1`, ...everyEnvironment])],
  };
}

/**
 * Every call of publish-ami's prune (keep-amis, packages/ami-publish/src/prune.ts
 * and references.ts), as real AWS authorises it: GetParametersByPath on the
 * PATH's ARN, the history of every pointer found (other environments'
 * included), DescribeStacks without a StackName and DescribeLaunchTemplates
 * on "*", then the deregistration of an unused image the bake made.
 */
export function pruneCalls(options: { tags: PackerTags; scope: PruneScope }): ChainCall[] {
  const owned = { ...region, ...packerResourceTags(options.tags) };
  return [
    {
      by: 'publish-ami prune: the pointers under reference-path (Recursive)',
      action: 'ssm:GetParametersByPath',
      resource: parameterArn(options.scope.referencePath),
      context: region,
    },
    ...options.scope.pointers.map((name): ChainCall => ({
      by: `publish-ami prune: the history of the pointer ${name}`,
      action: 'ssm:GetParameterHistory',
      resource: parameterArn(name),
      context: region,
    })),
    ...describe(
      'publish-ami prune: images, launch templates and their versions, instances',
      'ec2:DescribeImages',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeInstances',
    ),
    {
      by: "publish-ami prune: every stack's parameters and outputs (no StackName)",
      action: 'cloudformation:DescribeStacks',
      resource: '*',
      context: region,
    },
    { by: 'publish-ami prune: an unused AMI', action: 'ec2:DeregisterImage', resource: image, context: owned },
    { by: 'publish-ami prune: its snapshot', action: 'ec2:DeleteSnapshot', resource: snapshot, context: owned },
  ];
}

/**
 * The context of the TagResource that CloudFormation authorises for the stack
 * tags a `createAction` (CreateStack, CreateChangeSet) carries: the reusable
 * workflow's application=img-mgr.
 */
export function stackTagging(createAction: string): Record<string, string | string[]> {
  return {
    'cloudformation:CreateAction': createAction,
    'aws:TagKeys': ['application'],
    'aws:RequestTag/application': 'img-mgr',
  };
}

/**
 * Every call of the publish, deploy and revert jobs of one environment, made
 * with that environment's deploy role: its golden parameter, its stack (and
 * network stack), the execution role, for promote the source parameter, and
 * with `prune` publish-ami's pruning (which needs the role's PruneReads=true).
 */
export function deployCalls(options: {
  tags: PackerTags;
  executionRoleArn: string;
  parameterName: string;
  stackName: string;
  networkStackName: string;
  promoteFrom?: string;
  prune?: PruneScope;
}): ChainCall[] {
  const { tags } = options;
  const owned = { ...region, ...packerResourceTags(tags) };
  const parameter = parameterArn(options.parameterName);
  const stack = stackArn(options.stackName);
  return [
    // publish-ami.
    ...[
      'ssm:GetParameter',
      'ssm:GetParameters',
      'ssm:GetParameterHistory',
      'ssm:PutParameter',
      'ssm:LabelParameterVersion',
      'ssm:UnlabelParameterVersion',
      'ssm:AddTagsToResource',
      'ssm:ListTagsForResource',
    ].map((action): ChainCall => ({
      by: 'publish-ami: the golden AMI parameter',
      action,
      resource: parameter,
      context: region,
    })),
    ...describe('publish-ami: check the AMI', 'ec2:DescribeImages'),
    ...(options.prune ? pruneCalls({ tags, scope: options.prune }) : []),
    // revert: publish-ami reject-ami tags the failed AMI, then rolls back (the calls above).
    ...describe('publish-ami reject-ami: the AMI exists', 'ec2:DescribeImages'),
    {
      by: 'publish-ami reject-ami: img-mgr:rejected=<run id>',
      action: 'ec2:CreateTags',
      resource: image,
      context: { ...owned, 'aws:TagKeys': ['img-mgr:rejected'], 'aws:RequestTag/img-mgr:rejected': '123456789' },
    },
    // promote: the source parameter's history (rejected versions are skipped).
    ...(options.promoteFrom
      ? ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'].map((action): ChainCall => ({
          by: 'publish-ami promote-from: the source parameter',
          action,
          resource: parameterArn(options.promoteFrom ?? ''),
          context: region,
        }))
      : []),
    // deploy-stack, on the app stack and the network stack.
    ...[stack, stackArn(options.networkStackName)].flatMap((target) =>
      [
        'DescribeStacks',
        'CreateChangeSet',
        'DescribeChangeSet',
        'ExecuteChangeSet',
        'DeleteChangeSet',
        'ListChangeSets',
        'CreateStack',
        'DescribeStackEvents',
        'DescribeStackResources',
        'GetTemplate',
        'CancelUpdateStack',
        'DeleteStack',
        'UpdateTerminationProtection',
      ].map((operation): ChainCall => ({
        by: 'deploy-stack: the app and vpc stacks',
        action: `cloudformation:${operation}`,
        resource: target,
        context: region,
      })),
    ),
    // The stack tags (application=img-mgr) a change set or a new stack carries: TagResource, named by CreateAction.
    ...[stack, stackArn(options.networkStackName)].flatMap((target) =>
      ['CreateChangeSet', 'CreateStack'].map((createAction): ChainCall => ({
        by: `deploy-stack: the stack tags of ${createAction}`,
        action: 'cloudformation:TagResource',
        resource: target,
        context: { ...region, ...stackTagging(createAction) },
      })),
    ),
    // deploy-stack's launch-key preflight (the app stack has an Auto Scaling group): the account's EBS default key
    // when EBS encryption by default is on, then the key and its policy.
    ...describe(
      "deploy-stack: the launch key (the account's EBS default)",
      'ec2:GetEbsEncryptionByDefault',
      'ec2:GetEbsDefaultKmsKeyId',
    ),
    ...['kms:DescribeKey', 'kms:GetKeyPolicy'].map((action): ChainCall => ({
      by: "deploy-stack: the launch key's policy allows AWSServiceRoleForAutoScaling",
      action,
      resource: LAUNCH_KEY,
      context: region,
    })),
    {
      by: "deploy-stack: the template's parameters",
      action: 'cloudformation:GetTemplateSummary',
      resource: '*',
      context: region,
    },
    {
      by: 'deploy-stack: role-arn (the execution role) to CloudFormation',
      action: 'iam:PassRole',
      resource: options.executionRoleArn,
      context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    },
    {
      by: "CloudFormation resolving ImageId with the caller's rights",
      action: 'ssm:GetParameters',
      resource: parameter,
      context: region,
    },
    // The smoke test (workflow-step smoke-test, after the deploy and the revert's redeploy): the AMI's
    // app-revision tag (ec2:DescribeImages, above), then its own upload read back and removed.
    ...['s3:GetObject', 's3:DeleteObject'].map((action): ChainCall => ({
      by: "workflow-step smoke-test: its own upload in the stack's bucket",
      action,
      resource: smokeObjectArn(options.stackName),
      context: { ...region, 'aws:ResourceAccount': ACCOUNT_ID },
    })),
  ];
}

/**
 * An object of the smoke test in `stackName`'s bucket: CloudFormation names
 * the bucket <stack name>-uploadsbucket-<suffix> in lower case, and the app
 * stores an upload as uploads/<file name>; the smoke test names its files
 * img-mgr-smoke-<time>-<random>.txt.
 */
export function smokeObjectArn(
  stackName: string,
  key = 'uploads/img-mgr-smoke-20261207T021500000Z-0a1b2c3d.txt',
): string {
  return `arn:aws:s3:::${stackName.toLowerCase()}-uploadsbucket-1a2b3c4d5e6f/${key}`;
}

/**
 * Every call of the chain, bake and one environment's jobs (for the recording's comparison; with `prune`, of a role
 * with PruneReads=true).
 */
export function chainCalls(options: Parameters<typeof deployCalls>[0]): ChainCall[] {
  return [...bakeCalls(options), ...deployCalls(options)];
}

/**
 * The IAM action of a recorded request: the service prefix IAM uses and the
 * operation name (the SDK's, which is IAM's for these services).
 */
export function iamActionOf(service: string, operation: string): string {
  const prefix: Record<string, string> = {
    ec2: 'ec2',
    ssm: 'ssm',
    cloudformation: 'cloudformation',
    sts: 'sts',
    iam: 'iam',
    s3: 's3',
    kms: 'kms',
  };
  const known = prefix[service];
  if (!known) throw new Error(`no IAM prefix for service ${service}`);
  return `${known}:${operation}`;
}
