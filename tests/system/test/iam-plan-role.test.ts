/**
 * github-plan-role.yaml: what deploy-stack's plan mode calls is allowed, and
 * nothing that changes a resource is, judged by an IAM evaluator on the
 * rendered policy (moto checks no CloudFormation ARN and honours no Deny).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnDir } from './helpers.js';
import {
  ACCOUNT_ID,
  REGION,
  loadTemplate,
  renderTemplate,
  roleArn,
  rolePolicies,
  type PolicyDocument,
} from './iam-render.js';
import { simulate, type IamRequest } from './iam-simulate.js';

const region = { 'aws:RequestedRegion': REGION };
const appStack =
  `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/img-mgr-dev/` + '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const executionRole =
  `arn:aws:iam::${ACCOUNT_ID}:role/img-mgr/deploy/` + 'img-mgr-github-oidc-CloudFormationExecutionRole-ABCDEF123456';

describe('github-plan-role.yaml: plans, never applies (IAM evaluator)', () => {
  let role: { arn: string; policies: { name: string; policy: PolicyDocument }[] };
  beforeAll(() => {
    const rendered = renderTemplate(loadTemplate(join(cfnDir, 'github-plan-role.yaml')), {
      stackName: 'img-mgr-github-plan',
      parameters: {
        GitHubRepository: 'your-user/flask-aws-storage',
        GitHubOwnerId: '1234567',
        GitHubRepositoryId: '890123456',
      },
    });
    role = { arn: roleArn(rendered, 'GitHubPlanRole'), policies: rolePolicies(rendered, 'GitHubPlanRole') };
  });

  const verdict = async (request: IamRequest) => {
    const outcome = await simulate(role.arn, role.policies, request);
    expect(outcome.ignoredContextKeys, request.action).toEqual([]);
    return outcome.result;
  };

  // What deploy-stack calls in plan mode (packages/stack-deploy/src: change-set.ts, template-parameters.ts):
  // the stack, the template's parameters, the change set, and its removal when empty.
  const planCalls: IamRequest[] = [
    ...[
      'DescribeStacks',
      'DescribeStackEvents',
      'CreateChangeSet',
      'DescribeChangeSet',
      'ListChangeSets',
      'DeleteChangeSet',
      'GetTemplate',
    ].map((op) => ({
      action: `cloudformation:${op}`,
      resource: appStack,
      context: region,
    })),
    { action: 'cloudformation:GetTemplateSummary', resource: '*', context: region },
    // CloudFormation resolves the ImageId parameter with the caller's rights.
    {
      action: 'ssm:GetParameters',
      resource: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/common/img-mgr/golden-ami`,
      context: region,
    },
  ];
  it.each(planCalls.map((call) => [call.action, call]))('allows %s', async (_name, call) => {
    expect(await verdict(call)).toBe('Allowed');
  });

  const applyCalls: [string, IamRequest][] = [
    ['executing the change set', { action: 'cloudformation:ExecuteChangeSet', resource: appStack, context: region }],
    ['updating the stack directly', { action: 'cloudformation:UpdateStack', resource: appStack, context: region }],
    ['creating a stack', { action: 'cloudformation:CreateStack', resource: appStack, context: region }],
    [
      'deleting the stack (deploy-stack would delete a ROLLBACK_COMPLETE one)',
      { action: 'cloudformation:DeleteStack', resource: appStack, context: region },
    ],
    [
      'passing the execution role (role-arn) to CloudFormation',
      {
        action: 'iam:PassRole',
        resource: executionRole,
        context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      },
    ],
    [
      'writing the golden AMI parameter',
      {
        action: 'ssm:PutParameter',
        resource: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/common/img-mgr/golden-ami`,
        context: region,
      },
    ],
    [
      'a change set of a stack outside the prefix',
      {
        action: 'cloudformation:CreateChangeSet',
        resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/prod-db/0a1b`,
        context: region,
      },
    ],
  ];
  it.each(applyCalls)('denies %s', async (_name, call) => {
    expect(await verdict(call)).not.toBe('Allowed');
  });

  it('keeps the explicit deny even if an administrator attaches broad rights later', async () => {
    const admin = {
      name: 'AdministratorAccess',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    };
    const outcome = await simulate(role.arn, [...role.policies, admin], {
      action: 'cloudformation:ExecuteChangeSet',
      resource: appStack,
      context: region,
    });
    expect(outcome.result).toBe('ExplicitlyDenied');
  });
});
