/**
 * Least privilege of github-oidc.yaml, proven with a real IAM policy
 * evaluator on the rendered policies. moto cannot prove any of this: it
 * checks resource ARNs only for IAM, STS, SQS and S3, supplies almost no
 * condition keys, and ignores a stack's RoleARN (../../../README.md, BRIEF).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnDir } from './helpers.js';
import { chainCalls, packerResourceTags, packerTags, requestTags, type PackerTags } from './iam-chain-calls.js';
import { ACCOUNT_ID, REGION, loadTemplate, outputOf, renderTemplate, roleArn, rolePolicies, type PolicyDocument, type Rendered } from './iam-render.js';
import { simulate, type IamRequest } from './iam-simulate.js';

const parameters = { GitHubRepository: 'your-user/flask-aws-storage', GitHubOwnerId: '1234567', GitHubRepositoryId: '890123456', AllowedEnvironment: 'dev' };
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const region = { 'aws:RequestedRegion': REGION };

interface Roles {
  rendered: Rendered;
  github: { arn: string; policies: { name: string; policy: PolicyDocument }[] };
  execution: { arn: string; policies: { name: string; policy: PolicyDocument }[] };
  boundaryArn: string;
  boundary: PolicyDocument;
  instanceRole: string;
}

function roles(extra: Record<string, string> = {}): Roles {
  const rendered = renderTemplate(loadTemplate(join(cfnDir, 'github-oidc.yaml')), { stackName: 'img-mgr-github-oidc', parameters: { ...parameters, ...extra } });
  const boundaryArn = outputOf(rendered, 'InstanceRoleBoundaryArn');
  return {
    rendered,
    github: { arn: roleArn(rendered, 'GitHubActionsRole'), policies: rolePolicies(rendered, 'GitHubActionsRole') },
    execution: { arn: roleArn(rendered, 'CloudFormationExecutionRole'), policies: rolePolicies(rendered, 'CloudFormationExecutionRole') },
    boundaryArn,
    boundary: rendered.resources.StackRoleBoundary?.Properties.PolicyDocument as unknown as PolicyDocument,
    instanceRole: `arn:aws:iam::${ACCOUNT_ID}:role${outputOf(rendered, 'InstanceRolePath')}img-mgr-dev-InstanceRole-ABC123`,
  };
}

/** KMS's default key policy: the account's IAM policies decide (a key needs a key policy; IAM alone grants nothing). */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' }],
};

async function verdict(principal: { arn: string; policies: { name: string; policy: PolicyDocument }[] }, request: IamRequest): Promise<string> {
  const keyPolicy = request.action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined;
  const outcome = await simulate(principal.arn, principal.policies, request, undefined, keyPolicy);
  if (outcome.result === 'error') throw new Error(`${request.action} on ${request.resource}: ${outcome.detail ?? ''}`);
  // A context key AWS never supplies for this action would make the check meaningless.
  expect(outcome.ignoredContextKeys, `${request.action} on ${request.resource}`).toEqual([]);
  return outcome.result;
}

describe('github-oidc.yaml: every call the chain makes is allowed (IAM evaluator; moto checks no EC2/SSM/CloudFormation ARN or condition)', () => {
  let r: Roles;
  let tags: PackerTags;
  beforeAll(() => {
    r = roles();
    tags = packerTags();
  });

  it('allows each call of Packer, bake-ami, publish-ami (with prune) and deploy-stack, with the context keys AWS supplies', async () => {
    const calls = chainCalls({ tags, executionRoleArn: r.execution.arn, goldenAmiPath: '/common/img-mgr', stackName: 'img-mgr-dev' });
    expect(calls.length).toBeGreaterThan(60);
    const refused: string[] = [];
    for (const call of calls) {
      const result = await verdict(r.github, call);
      if (result !== 'Allowed') refused.push(`${call.by}: ${call.action} on ${call.resource} → ${result}`);
    }
    expect(refused).toEqual([]);
  });

  it('derives the tags from packer/img-mgr.pkr.hcl: tags, run_tags, run_volume_tags and snapshot_tags all carry local.tags with created-by=packer', () => {
    expect(tags.createdBy).toBe('packer');
    expect(tags.application).toBe('img-mgr');
    expect(tags.attributes.tags).toBe('local.tags');
    expect(tags.attributes.snapshot_tags).toBe('local.tags');
    expect(tags.attributes.run_volume_tags).toBe('local.tags');
    expect(tags.attributes.run_tags).toMatch(/^merge\(local\.tags, \{ Name = /);
    // Only Name is added by run_tags, and it is one of local.tags' keys.
    expect(tags.keys).toContain('Name');
  });

  it('the policy lets Packer tag at creation exactly the keys the template sets (aws:TagKeys), and no other', () => {
    const tagStatements = r.github.policies
      .flatMap((p) => p.policy.Statement)
      .filter((s) => s.Action === 'ec2:CreateTags') as { Sid: string; Condition: Record<string, Record<string, string[]>> }[];
    expect(tagStatements.map((s) => s.Sid).sort()).toEqual(['PackerTagOnCreate', 'PackerTagOwnImages']);
    for (const statement of tagStatements) expect([...(statement.Condition['ForAllValues:StringEquals']?.['aws:TagKeys'] ?? [])].sort()).toEqual([...tags.keys].sort());
  });

  it.each(['instance', 'volume', 'network-interface'])('allows tagging the %s in RunInstances (ec2:CreateAction), not afterwards', async (type) => {
    const resource = `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${type}/x-0123456789abcdef0`;
    expect(await verdict(r.github, { action: 'ec2:CreateTags', resource, context: { ...region, ...requestTags(tags), 'ec2:CreateAction': 'RunInstances' } })).toBe('Allowed');
    expect(await verdict(r.github, { action: 'ec2:CreateTags', resource, context: { ...region, ...requestTags(tags) } })).not.toBe('Allowed');
    expect(await verdict(r.github, { action: 'ec2:CreateTags', resource, context: { ...region, ...requestTags(tags), ...packerResourceTags(tags) } })).not.toBe('Allowed');
  });

  it('refuses a creation without created-by=packer in the request, and a tag key the template does not set', async () => {
    const instance = `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0123456789abcdef0`;
    const untagged = Object.fromEntries(Object.entries(requestTags(tags)).filter(([key]) => key !== 'aws:RequestTag/created-by'));
    expect(await verdict(r.github, { action: 'ec2:RunInstances', resource: instance, context: { ...region, ...untagged } })).not.toBe('Allowed');
    expect(
      await verdict(r.github, {
        action: 'ec2:CreateTags',
        resource: instance,
        context: { ...region, ...requestTags(tags), 'aws:TagKeys': [...tags.keys, 'owner'], 'aws:RequestTag/owner': 'x', 'ec2:CreateAction': 'RunInstances' },
      }),
    ).not.toBe('Allowed');
  });
});

describe('github-oidc.yaml: escalation attempts are denied (IAM evaluator; moto cannot show this)', () => {
  let r: Roles;
  let instanceRoleArn: string;
  beforeAll(() => {
    r = roles();
    instanceRoleArn = r.instanceRole;
  });

  const someoneElses = {
    image: `arn:aws:ec2:${REGION}::image/ami-0someoneelses000001`,
    snapshot: `arn:aws:ec2:${REGION}::snapshot/snap-0someoneelses00001`,
    volume: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:volume/vol-0someoneelses00001`,
    instance: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0someoneelses00001`,
  };

  const attempts: [string, 'github' | 'execution', () => IamRequest][] = [
    ['the GitHub role attaches AdministratorAccess to itself', 'github', () => ({ action: 'iam:AttachRolePolicy', resource: r.github.arn, context: { 'iam:PolicyARN': ADMIN } })],
    ['the GitHub role attaches AdministratorAccess to the execution role', 'github', () => ({ action: 'iam:AttachRolePolicy', resource: r.execution.arn, context: { 'iam:PolicyARN': ADMIN } })],
    ['the execution role attaches AdministratorAccess to the GitHub role, even naming the boundary', 'execution', () => ({ action: 'iam:AttachRolePolicy', resource: r.github.arn, context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['the execution role attaches AdministratorAccess to itself', 'execution', () => ({ action: 'iam:AttachRolePolicy', resource: r.execution.arn, context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['the execution role adds an inline policy to itself', 'execution', () => ({ action: 'iam:PutRolePolicy', resource: r.execution.arn, context: { 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['the execution role rewrites the GitHub role\'s trust', 'execution', () => ({ action: 'iam:UpdateAssumeRolePolicy', resource: r.github.arn, context: { 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['the execution role attaches AdministratorAccess to an instance role under the boundary', 'execution', () => ({ action: 'iam:AttachRolePolicy', resource: instanceRoleArn, context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['creating a role without the boundary', 'execution', () => ({ action: 'iam:CreateRole', resource: instanceRoleArn, context: {} })],
    ['creating a role with another boundary', 'execution', () => ({ action: 'iam:CreateRole', resource: instanceRoleArn, context: { 'iam:PermissionsBoundary': ADMIN } })],
    ['creating a role named like the stacks (img-mgr-*) outside the instance path', 'execution', () => ({ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT_ID}:role/img-mgr-admin`, context: { 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['removing a role\'s boundary', 'execution', () => ({ action: 'iam:DeleteRolePermissionsBoundary', resource: instanceRoleArn, context: { 'iam:PermissionsBoundary': r.boundaryArn } })],
    ['replacing a role\'s boundary by another policy', 'execution', () => ({ action: 'iam:PutRolePermissionsBoundary', resource: instanceRoleArn, context: { 'iam:PermissionsBoundary': ADMIN } })],
    ['a new version of the boundary policy (execution role)', 'execution', () => ({ action: 'iam:CreatePolicyVersion', resource: r.boundaryArn })],
    ['a new version of the boundary policy (GitHub role)', 'github', () => ({ action: 'iam:CreatePolicyVersion', resource: r.boundaryArn })],
    ['deleting the boundary policy', 'execution', () => ({ action: 'iam:DeletePolicy', resource: r.boundaryArn })],
    ['making a snapshot public', 'github', () => ({ action: 'ec2:ModifySnapshotAttribute', resource: someoneElses.snapshot, context: region })],
    ['making a snapshot Packer made public', 'github', () => ({ action: 'ec2:ModifySnapshotAttribute', resource: someoneElses.snapshot, context: { ...region, 'ec2:ResourceTag/created-by': 'packer', 'ec2:ResourceTag/application': 'img-mgr' } })],
    ['making an image public', 'github', () => ({ action: 'ec2:ModifyImageAttribute', resource: someoneElses.image, context: { ...region, 'ec2:Attribute': 'launchPermission' } })],
    ['making an image Packer made public (its launch permission)', 'github', () => ({ action: 'ec2:ModifyImageAttribute', resource: someoneElses.image, context: { ...region, 'ec2:Attribute': 'launchPermission', 'ec2:ResourceTag/created-by': 'packer' } })],
    ['sharing an image Packer made (launchPermission, any case)', 'github', () => ({ action: 'ec2:ModifyImageAttribute', resource: someoneElses.image, context: { ...region, 'ec2:Attribute': 'LaunchPermission', 'ec2:ResourceTag/created-by': 'packer' } })],
    ['changing the description of an image Packer did not make', 'github', () => ({ action: 'ec2:ModifyImageAttribute', resource: someoneElses.image, context: { ...region, 'ec2:Attribute': 'description' } })],
    ['deleting a volume', 'github', () => ({ action: 'ec2:DeleteVolume', resource: someoneElses.volume, context: region })],
    ['deregistering an AMI that Packer did not create here', 'github', () => ({ action: 'ec2:DeregisterImage', resource: someoneElses.image, context: { ...region, 'ec2:ResourceTag/application': 'img-mgr' } })],
    ['deleting a snapshot that Packer did not create here', 'github', () => ({ action: 'ec2:DeleteSnapshot', resource: someoneElses.snapshot, context: { ...region, 'ec2:ResourceTag/application': 'img-mgr' } })],
    ['marking someone else\'s image as Packer\'s (CreateTags after creation)', 'github', () => ({ action: 'ec2:CreateTags', resource: someoneElses.image, context: { ...region, 'aws:RequestTag/created-by': 'packer', 'aws:RequestTag/application': 'img-mgr', 'aws:TagKeys': ['created-by', 'application'] } })],
    ['marking someone else\'s instance as Packer\'s', 'github', () => ({ action: 'ec2:CreateTags', resource: someoneElses.instance, context: { ...region, 'aws:RequestTag/created-by': 'packer', 'aws:TagKeys': ['created-by'] } })],
    ['imaging an instance Packer did not create, even with Packer\'s request tags', 'github', () => ({ action: 'ec2:CreateImage', resource: someoneElses.instance, context: { ...region, 'aws:RequestTag/created-by': 'packer', 'aws:TagKeys': ['created-by'] } })],
    ['launching into a security group Packer did not create', 'github', () => ({ action: 'ec2:RunInstances', resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:security-group/sg-0someoneelses0001`, context: region })],
    ['terminating an instance Packer did not create', 'github', () => ({ action: 'ec2:TerminateInstances', resource: someoneElses.instance, context: region })],
    ['opening a port on a security group Packer did not create', 'github', () => ({ action: 'ec2:AuthorizeSecurityGroupIngress', resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:security-group/sg-0someoneelses0001`, context: region })],
    ['baking in a region outside DeployRegions', 'github', () => ({ action: 'ec2:RunInstances', resource: `arn:aws:ec2:eu-west-1:${ACCOUNT_ID}:instance/i-0123456789abcdef0`, context: { 'aws:RequestedRegion': 'eu-west-1', 'aws:RequestTag/created-by': 'packer', 'aws:TagKeys': ['created-by'] } })],
    ['passing the execution role to another service', 'github', () => ({ action: 'iam:PassRole', resource: r.execution.arn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })],
    ['passing the execution role to EC2', 'github', () => ({ action: 'iam:PassRole', resource: r.execution.arn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })],
    ['passing an instance role (GitHub role)', 'github', () => ({ action: 'iam:PassRole', resource: instanceRoleArn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })],
    ['passing an instance role to another service', 'execution', () => ({ action: 'iam:PassRole', resource: instanceRoleArn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })],
    ['passing the GitHub role to EC2', 'execution', () => ({ action: 'iam:PassRole', resource: r.github.arn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })],
    ['passing the execution role to CloudFormation (by itself)', 'execution', () => ({ action: 'iam:PassRole', resource: r.execution.arn, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } })],
    ['executing a change set of a stack outside the prefix', 'github', () => ({ action: 'cloudformation:ExecuteChangeSet', resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/prod-database/0a1b`, context: region })],
    ['writing a parameter outside the golden path', 'github', () => ({ action: 'ssm:PutParameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/prod/db-password`, context: region })],
  ];
  it.each(attempts)('denies %s', async (_name, who, request) => {
    expect(await verdict(who === 'github' ? r.github : r.execution, request())).not.toBe('Allowed');
  });

  it('allows what the app stack needs of IAM: an instance role with the boundary, Session Manager attached, passed to EC2', async () => {
    const withBoundary = { 'iam:PermissionsBoundary': r.boundaryArn };
    expect(await verdict(r.execution, { action: 'iam:CreateRole', resource: instanceRoleArn, context: withBoundary })).toBe('Allowed');
    expect(await verdict(r.execution, { action: 'iam:PutRolePolicy', resource: instanceRoleArn, context: withBoundary })).toBe('Allowed');
    expect(await verdict(r.execution, { action: 'iam:AttachRolePolicy', resource: instanceRoleArn, context: { ...withBoundary, 'iam:PolicyARN': SSM_CORE } })).toBe('Allowed');
    expect(await verdict(r.execution, { action: 'iam:DeleteRole', resource: instanceRoleArn, context: withBoundary })).toBe('Allowed');
    expect(await verdict(r.execution, { action: 'iam:PassRole', resource: instanceRoleArn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('Allowed');
  });

  it('the boundary caps a stack role even with AdministratorAccess attached: no IAM, no STS, only the bucket and parameters', async () => {
    const admin = [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    const asInstance = async (request: IamRequest) => (await simulate(instanceRoleArn, admin, request, r.boundary)).result;
    expect(await asInstance({ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT_ID}:role/x` })).not.toBe('Allowed');
    expect(await asInstance({ action: 'iam:AttachRolePolicy', resource: r.github.arn, context: { 'iam:PolicyARN': ADMIN } })).not.toBe('Allowed');
    expect(await asInstance({ action: 'sts:AssumeRole', resource: r.github.arn })).not.toBe('Allowed');
    expect(await asInstance({ action: 'ec2:TerminateInstances', resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0123456789abcdef0` })).not.toBe('Allowed');
    expect(await asInstance({ action: 's3:PutObject', resource: 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc/uploads/cat.png' })).toBe('Allowed');
    expect(await asInstance({ action: 's3:PutObject', resource: 'arn:aws:s3:::someone-elses-bucket/x' })).not.toBe('Allowed');
  });
});

describe('github-oidc.yaml: AmiKmsKeyArn (EBS encryption with a customer-managed key), judged by an IAM evaluator', () => {
  const via = { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` };
  it('grants the bake what EC2 needs of the key, only through EC2', async () => {
    const r = roles({ AmiKmsKeyArn: KMS_KEY });
    for (const action of ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']) {
      expect(await verdict(r.github, { action, resource: KMS_KEY, context: via }), action).toBe('Allowed');
      expect(await verdict(r.github, { action, resource: KMS_KEY, context: { 'kms:ViaService': `lambda.${REGION}.amazonaws.com` } }), action).not.toBe('Allowed');
    }
    expect(await verdict(r.github, { action: 'kms:CreateGrant', resource: KMS_KEY, context: { ...via, 'kms:GrantIsForAWSResource': 'true' } })).toBe('Allowed');
    expect(await verdict(r.github, { action: 'kms:CreateGrant', resource: KMS_KEY, context: { ...via, 'kms:GrantIsForAWSResource': 'false' } })).not.toBe('Allowed');
    expect(await verdict(r.github, { action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/other`, context: via })).not.toBe('Allowed');
  });

  it('grants nothing of KMS without it', async () => {
    const r = roles();
    expect(r.rendered.resources.AmiKmsKeyPolicy).toBeUndefined();
    expect(await verdict(r.github, { action: 'kms:Decrypt', resource: KMS_KEY, context: via })).not.toBe('Allowed');
  });
});
