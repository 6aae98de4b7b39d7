/**
 * The GitHub roles as an administrator deploys them, rendered for the IAM
 * evaluator: github-bake-role.yaml (the bake role, the execution role, the
 * boundary) and github-deploy-role.yaml once per environment (dev, prod),
 * importing the execution role's ARN from the first stack's export.
 */
import { join } from 'node:path';
import { cfnDir } from './helpers.js';
import {
  ACCOUNT_ID,
  loadTemplate,
  outputOf,
  renderTemplate,
  roleArn,
  rolePolicies,
  type PolicyDocument,
  type Rendered,
} from './iam-render.js';

export const OIDC_STACK = 'img-mgr-github-oidc';
export const REPOSITORY = {
  GitHubRepository: 'your-user/flask-aws-storage',
  GitHubOwnerId: '1234567',
  GitHubRepositoryId: '890123456',
};

/** One environment's deploy stack: its parameters as README.md shows them. */
export const ENVIRONMENTS = {
  dev: { Environment: 'dev', ParameterName: '/common/img-mgr/golden-ami' },
  prod: {
    Environment: 'prod',
    ParameterName: '/common/img-mgr/prod/golden-ami',
    PromoteFromParameter: '/common/img-mgr/golden-ami',
  },
} as const;

/** The deploy role's opt-in for publish-ami's pruning (keep-amis): what a repository that prunes deploys. */
export const PRUNE_OPT_IN = { PruneReads: 'true' } as const;

export interface Principal {
  arn: string;
  policies: { name: string; policy: PolicyDocument }[];
}

export interface Roles {
  oidc: Rendered;
  bake: Principal;
  execution: Principal;
  dev: Principal;
  prod: Principal;
  deployStacks: { dev: Rendered; prod: Rendered };
  boundaryArn: string;
  boundary: PolicyDocument;
  instanceRole: string;
}

/** Renders github-deploy-role.yaml for one environment, importing `executionRoleArn`. */
export function renderDeployRole(parameters: Record<string, string>, executionRoleArn: string): Rendered {
  return renderTemplate(loadTemplate(join(cfnDir, 'github-deploy-role.yaml')), {
    stackName: `img-mgr-github-deploy-${parameters.Environment ?? 'x'}`,
    parameters: { ...REPOSITORY, ...parameters },
    imports: { [`${OIDC_STACK}-CloudFormationExecutionRoleArn`]: executionRoleArn },
  });
}

/**
 * All roles; `oidcExtra` adds parameters of github-bake-role.yaml (e.g. AmiKmsKeyArn), `deployExtra` of both
 * deploy roles (e.g. PRUNE_OPT_IN).
 */
export function renderRoles(oidcExtra: Record<string, string> = {}, deployExtra: Record<string, string> = {}): Roles {
  const oidc = renderTemplate(loadTemplate(join(cfnDir, 'github-bake-role.yaml')), {
    stackName: OIDC_STACK,
    parameters: { ...REPOSITORY, ...oidcExtra },
  });
  const execution = {
    arn: roleArn(oidc, 'CloudFormationExecutionRole'),
    policies: rolePolicies(oidc, 'CloudFormationExecutionRole'),
  };
  const dev = renderDeployRole(
    { ...ENVIRONMENTS.dev, ...deployExtra },
    outputOf(oidc, 'CloudFormationExecutionRoleArn'),
  );
  const prod = renderDeployRole(
    { ...ENVIRONMENTS.prod, ...deployExtra },
    outputOf(oidc, 'CloudFormationExecutionRoleArn'),
  );
  const principal = (rendered: Rendered, id: string): Principal => ({
    arn: roleArn(rendered, id),
    policies: rolePolicies(rendered, id),
  });
  return {
    oidc,
    bake: principal(oidc, 'GitHubBakeRole'),
    execution,
    dev: principal(dev, 'GitHubDeployRole'),
    prod: principal(prod, 'GitHubDeployRole'),
    deployStacks: { dev, prod },
    boundaryArn: outputOf(oidc, 'InstanceRoleBoundaryArn'),
    boundary: oidc.resources.StackRoleBoundary?.Properties.PolicyDocument as unknown as PolicyDocument,
    instanceRole: `arn:aws:iam::${ACCOUNT_ID}:role${outputOf(oidc, 'InstanceRolePath')}img-mgr-dev-InstanceRole-ABC123`,
  };
}
