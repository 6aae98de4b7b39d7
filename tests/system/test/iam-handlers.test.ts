/**
 * The execution role of github-bake-role.yaml against what the resource handlers
 * of vpc.yaml's and img-mgr.yaml's types declare they call
 * (fixtures/iam-handler-permissions.json: AWS's resource provider schemas,
 * handlers.*.permissions, with source and date). Judged by an IAM evaluator:
 * moto's CloudFormation ignores a stack's RoleARN, so no moto run can show a
 * missing handler permission (on AWS: CREATE_FAILED, or DELETE_FAILED /
 * ROLLBACK_FAILED for a missing delete or read permission).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnDir } from './helpers.js';
import {
  ACCOUNT_ID,
  REGION,
  loadTemplate,
  outputOf,
  renderTemplate,
  roleArn,
  rolePolicies,
  type PolicyDocument,
} from './iam-render.js';
import { simulate, type IamRequest } from './iam-simulate.js';

interface HandlerTable {
  source: { repository: string; commit: string; commitDate: string };
  recorded: string;
  handlers: Record<string, Partial<Record<'create' | 'read' | 'update' | 'delete' | 'list', string[]>>>;
}

const table = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/iam-handler-permissions.json'), 'utf8'),
) as HandlerTable;

const unused = 'needed only for a property img-mgr.yaml/vpc.yaml does not set';
/**
 * Declared permissions the role does not grant, on purpose. Each reason says
 * why the handler will not call it for these templates (or why granting it
 * would undo the boundary). The test checks they are indeed denied, so this
 * list cannot hide a grant.
 */
export const NOT_GRANTED: Record<string, string> = {
  'iam:DeleteRolePermissionsBoundary':
    'would let a stack remove the boundary of its role; no template removes PermissionsBoundary',
  'iam:ListRoles':
    'list handlers serve resource listing (IaC generator, Cloud Control ListResources), never stack operations',
  'iam:ListInstanceProfiles': 'list handler only (see iam:ListRoles)',
  's3:ListAllMyBuckets': 'list handler only (see iam:ListRoles)',
  'iam:PassRole':
    'declared by the bucket (replication role) and the group (service-linked role); ' +
    'granted only for the instance path to EC2 (PassInstanceRole); checked separately',
  'cloudwatch:PutMetricAlarm': `${unused} (scaling policies)`,
  'autoscaling:PutNotificationConfiguration': `${unused} (NotificationConfigurations)`,
  'autoscaling:DeleteNotificationConfiguration': `${unused} (NotificationConfigurations)`,
  'autoscaling:PutLifecycleHook': `${unused} (LifecycleHookSpecificationList)`,
  'autoscaling:DeleteLifecycleHook': `${unused} (LifecycleHookSpecificationList)`,
  'autoscaling:StartInstanceRefresh':
    `${unused}: rollouts use the AutoScalingRollingUpdate policy, ` + 'not instance refresh',
  'autoscaling:CancelInstanceRefresh': `${unused}: no instance refresh`,
  'autoscaling:AttachLoadBalancers': `${unused} (classic load balancers)`,
  'autoscaling:DetachLoadBalancers': `${unused} (classic load balancers)`,
  'vpc-lattice:DeregisterTargets': `${unused} (VPC Lattice traffic sources)`,
  'vpc-lattice:GetTargetGroup': `${unused} (VPC Lattice traffic sources)`,
  'vpc-lattice:ListTargets': `${unused} (VPC Lattice traffic sources)`,
  'vpc-lattice:RegisterTargets': `${unused} (VPC Lattice traffic sources)`,
  'ec2:AcceptAddressTransfer': `${unused} (EIP TransferAddress)`,
  'ec2:AssociateNatGatewayAddress': `${unused} (secondary NAT addresses)`,
  'ec2:DisassociateNatGatewayAddress': `${unused} (secondary NAT addresses)`,
  'ec2:AssignPrivateNatGatewayAddress': `${unused} (private NAT addresses)`,
  'ec2:UnassignPrivateNatGatewayAddress': `${unused} (private NAT addresses)`,
  'ec2:AssociateSubnetCidrBlock': `${unused} (IPv6)`,
  'ec2:DisassociateSubnetCidrBlock': `${unused} (IPv6)`,
  'ec2:CreateVpcEncryptionControl': `${unused} (VPC encryption control)`,
  'ec2:ModifyVpcTenancy': `${unused} (InstanceTenancy)`,
  'ec2:AttachVpnGateway': `${unused}: the gateway attachment attaches an internet gateway`,
  'ec2:DetachVpnGateway': `${unused}: the gateway attachment attaches an internet gateway`,
  'ec2:DescribeIpamPools': `${unused} (load balancer IpamPools)`,
  'elasticloadbalancing:ModifyCapacityReservation': `${unused} (MinimumLoadBalancerCapacity)`,
  'elasticloadbalancing:ModifyIpPools': `${unused} (IpamPools)`,
  'cognito-idp:DescribeUserPoolClient': `${unused} (authenticate-cognito listener actions)`,
  's3:PutAnalyticsConfiguration': unused,
  's3:PutBucketCORS': unused,
  's3:PutInventoryConfiguration': unused,
  's3:PutLifecycleConfiguration': unused,
  's3:PutMetricsConfiguration': unused,
  's3:PutBucketNotification': unused,
  's3:PutBucketReplication': `${unused}; and not an IAM action at all (replication is s3:PutReplicationConfiguration)`,
  's3:PutReplicationConfiguration': unused,
  's3:PutBucketWebsite': unused,
  's3:PutAccelerateConfiguration': unused,
  's3:PutObjectAcl': unused,
  's3:PutBucketAcl': `${unused}: ACLs are off (BucketOwnerEnforced)`,
  's3:PutBucketObjectLockConfiguration': unused,
  's3:PutObjectLockConfiguration': unused,
  's3:PutBucketLogging': unused,
  's3:PutIntelligentTieringConfiguration': unused,
  's3:CreateBucketMetadataTableConfiguration': unused,
  's3:DeleteBucketMetadataTableConfiguration': unused,
  's3:DeleteObject': `${unused} (object lock / metadata tables); the bucket is retained, never emptied`,
  's3:DeleteBucketAnalyticsConfiguration': `${unused} (removing a configuration the bucket never had)`,
  's3:DeleteBucketCors': `${unused} (removing a configuration the bucket never had)`,
  's3:DeleteBucketMetricsConfiguration': `${unused} (removing a configuration the bucket never had)`,
  's3:DeleteBucketEncryption': `${unused} (removing encryption, which img-mgr.yaml sets)`,
  's3:DeleteBucketLifecycle': `${unused} (removing a configuration the bucket never had)`,
  's3:DeleteBucketReplication': `${unused} (removing a configuration the bucket never had)`,
  's3:DeleteBucketWebsite': `${unused} (removing a configuration the bucket never had)`,
  's3tables:CreateNamespace': `${unused} (metadata tables)`,
  's3tables:CreateTable': `${unused} (metadata tables)`,
  's3tables:GetTable': `${unused} (metadata tables)`,
  's3tables:PutTablePolicy': `${unused} (metadata tables)`,
  's3tables:GetTableMetadataLocation': `${unused} (metadata tables)`,
  's3tables:UpdateTableMetadataLocation': `${unused} (metadata tables)`,
};

/**
 * Wildcards some schemas declare. The role lists actions instead (a wildcard
 * action on "*" is refused by iam-policies.test.ts); these are the ones it
 * grants in their place, with the reason for the narrowing.
 */
export const WILDCARDS: Record<string, { instead: string[]; reason: string }> = {
  'autoscaling:Describe*': {
    instead: (
      'AccountLimits AdjustmentTypes AutoScalingGroups AutoScalingInstances AutoScalingNotificationTypes ' +
      'InstanceRefreshes LaunchConfigurations LifecycleHookTypes LifecycleHooks LoadBalancerTargetGroups ' +
      'LoadBalancers MetricCollectionTypes NotificationConfigurations Policies ScalingActivities ' +
      'ScalingProcessTypes ScheduledActions Tags TerminationPolicyTypes TrafficSources WarmPool'
    )
      .split(' ')
      .map((name) => `autoscaling:Describe${name}`),
    reason: 'every autoscaling Describe action in the service authorization reference',
  },
  'ec2:Describe*': {
    instead: (
      'AccountAttributes AvailabilityZones Images Instances InstanceTypes ' +
      'LaunchTemplates LaunchTemplateVersions SecurityGroups Subnets KeyPairs'
    )
      .split(' ')
      .map((name) => `ec2:Describe${name}`),
    reason: 'what a group with a launch template, security groups and subnets reads',
  },
  'ec2:Get*': {
    instead: [],
    reason:
      'GetInstanceTypesFromInstanceRequirements serves attribute-based instance types, which img-mgr.yaml does not use',
  },
  'elasticloadbalancing:Describe*': {
    instead: 'LoadBalancers TargetGroups TargetHealth Listeners Tags'
      .split(' ')
      .map((name) => `elasticloadbalancing:Describe${name}`),
    reason: 'the group reads its target groups and their load balancers',
  },
  'ssm:Get*': {
    instead: ['ssm:GetParameters'],
    reason:
      'a launch template image given as an SSM parameter; img-mgr.yaml ' +
      'resolves the golden AMI parameter, which the role may read',
  },
  'managed-fleets:Get*': {
    instead: [],
    reason:
      "not in AWS's service authorization reference (no IAM action to grant); groups managed by managed fleets only",
  },
};

const MANAGED_FLEETS = /^managed-fleets:/;

describe('the execution role grants what the resource handlers declare (IAM evaluator; moto ignores RoleARN)', () => {
  let role: { arn: string; policies: { name: string; policy: PolicyDocument }[] };
  let boundaryArn: string;
  let instanceRole: string;
  beforeAll(() => {
    const rendered = renderTemplate(loadTemplate(join(cfnDir, 'github-bake-role.yaml')), {
      stackName: 'img-mgr-github-oidc',
      parameters: { GitHubRepository: 'your-user/flask-aws-storage', GitHubOwnerId: '1', GitHubRepositoryId: '2' },
    });
    role = {
      arn: roleArn(rendered, 'CloudFormationExecutionRole'),
      policies: rolePolicies(rendered, 'CloudFormationExecutionRole'),
    };
    boundaryArn = outputOf(rendered, 'InstanceRoleBoundaryArn');
    instanceRole =
      `arn:aws:iam::${ACCOUNT_ID}:role${outputOf(rendered, 'InstanceRolePath')}` + 'img-mgr-dev-InstanceRole-ABC123';
  });

  /** The request a handler makes for `permission` on the app stack's resources. */
  function requestFor(permission: string): IamRequest {
    const [service = '', action = ''] = permission.split(':');
    const region = { 'aws:RequestedRegion': REGION };
    if (service === 'iam' && action === 'CreateServiceLinkedRole') {
      return {
        action: permission,
        resource:
          `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/` +
          'autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
        context: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' },
      };
    }
    if (service === 'iam' && /InstanceProfile/.test(action)) {
      return {
        action: permission,
        resource: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/img-mgr-dev-InstanceProfile-ABC123`,
      };
    }
    if (service === 'iam') {
      const context: Record<string, string> = { 'iam:PermissionsBoundary': boundaryArn };
      if (/RolePolicy$/.test(action) && /^(Attach|Detach)/.test(action))
        context['iam:PolicyARN'] = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
      return { action: permission, resource: instanceRole, context };
    }
    if (service === 's3' && /^(Get|Put|Delete)Object(Acl)?$/.test(action))
      return { action: permission, resource: 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc123/uploads/cat.png' };
    if (service === 's3') return { action: permission, resource: 'arn:aws:s3:::img-mgr-dev-uploadsbucket-abc123' };
    if (service === 'ssm')
      return {
        action: permission,
        resource: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/common/img-mgr/golden-ami`,
        context: region,
      };
    return { action: permission, resource: '*', context: region };
  }

  async function allowed(permission: string): Promise<boolean> {
    const [service = '', action = ''] = permission.split(':');
    let request = requestFor(permission);
    try {
      if (await isWildcardOnlyAction(service, action)) request = { ...request, resource: '*' };
    } catch {
      // Not an action of AWS's service authorization reference: nothing IAM could grant.
      return false;
    }
    const outcome = await simulate(role.arn, role.policies, request);
    if (outcome.result === 'error') throw new Error(`${permission}: ${outcome.detail ?? ''}`);
    return outcome.result === 'Allowed';
  }

  it(
    'covers every resource type of vpc.yaml and img-mgr.yaml ' +
      `(schemas of ${table.source.repository}@${table.source.commit.slice(0, 8)}, ` +
      `${table.source.commitDate}; recorded ${table.recorded})`,
    () => {
      const used = new Set(
        ['vpc.yaml', 'img-mgr.yaml'].flatMap((file) =>
          Object.values(loadTemplate(join(cfnDir, file)).Resources).map((resource) => resource.Type),
        ),
      );
      expect([...used].sort()).toEqual(Object.keys(table.handlers).sort());
    },
  );

  it.each(Object.keys(table.handlers))(
    'grants %s every declared permission of create, read, update and delete',
    async (type) => {
      const missing: string[] = [];
      for (const [handler, permissions] of Object.entries(table.handlers[type] ?? {})) {
        for (const declared of permissions) {
          const permission = declared.replace(/^S3:/, 's3:');
          if (NOT_GRANTED[permission] || MANAGED_FLEETS.test(permission)) continue;
          const wildcard = WILDCARDS[permission];
          for (const action of wildcard ? wildcard.instead : [permission]) {
            if (!(await allowed(action))) missing.push(`${handler}: ${action}`);
          }
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it('denies each declared permission it leaves out on purpose, and every one of those has a reason', async () => {
    const declared = new Set(
      Object.values(table.handlers)
        .flatMap((handlers) => Object.values(handlers).flat())
        .map((p) => p.replace(/^S3:/, 's3:')),
    );
    for (const [permission, reason] of Object.entries(NOT_GRANTED)) {
      expect(declared.has(permission), permission).toBe(true);
      expect(reason.length).toBeGreaterThan(10);
      if (permission === 'iam:PassRole') continue;
      expect(await allowed(permission), permission).toBe(false);
    }
    for (const [permission, { reason }] of Object.entries(WILDCARDS)) {
      expect(declared.has(permission), permission).toBe(true);
      expect(reason.length).toBeGreaterThan(10);
    }
  });

  it(
    'passes the instance role to EC2 only (the instance ' +
      'profile, launch template and group need it), never its own',
    async () => {
      const pass = (resource: string, service: string) =>
        simulate(role.arn, role.policies, {
          action: 'iam:PassRole',
          resource,
          context: { 'iam:PassedToService': service },
        });
      expect((await pass(instanceRole, 'ec2.amazonaws.com')).result).toBe('Allowed');
      expect((await pass(instanceRole, 's3.amazonaws.com')).result).not.toBe('Allowed');
      expect((await pass(role.arn, 'ec2.amazonaws.com')).result).not.toBe('Allowed');
    },
  );
});
