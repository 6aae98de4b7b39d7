/**
 * Judging the rendered policies with a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate, AGPL-3.0: a dev dependency of these tests,
 * never bundled). moto cannot do this: it checks resource ARNs only for IAM,
 * STS, SQS and S3, supplies almost no condition keys and ignores a stack's
 * RoleARN (see ../../../README.md and the brief).
 */
import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { ACCOUNT_ID, type PolicyDocument } from './iam-render.js';

/** One request as AWS authorises it: action, resource ARN and the context keys AWS supplies. */
export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface Verdict {
  result: EvaluationResult | 'error';
  /** Context keys the evaluator dropped because AWS never supplies them for this action and resource. */
  ignoredContextKeys: string[];
  detail?: string;
}

/** Whether an IAM resource pattern (`*` any run, `?` one character) matches `text` exactly. */
function patternMatches(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(text);
}

/**
 * `policy` as it applies to a call that names no resource. Real IAM
 * authorises such a call (DescribeStacks without a StackName,
 * DescribeLaunchTemplates) against the literal resource "*", which only a
 * statement whose Resource matches "*" grants. The evaluator reads a request
 * resource "*" as "some resource" instead and allows it when a statement
 * grants any ARN of the action (it is strict only for actions with no
 * resource type), so the Allow statements are cut to their Resource entries
 * that match the literal "*" here; Deny and NotResource statements stay.
 */
export function forUnnamedResource(policy: PolicyDocument): PolicyDocument {
  const Statement: PolicyDocument['Statement'] = [];
  for (const statement of policy.Statement) {
    if (statement.Effect !== 'Allow' || statement.Resource === undefined) {
      Statement.push(statement);
      continue;
    }
    const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).filter(
      (entry) => typeof entry === 'string' && patternMatches(entry, '*'),
    );
    if (resources.length > 0) Statement.push({ ...statement, Resource: resources });
  }
  return { ...policy, Statement };
}

/**
 * Evaluates `request` made by `principal` under its identity policies (and a boundary, and the resource's own policy,
 * if any).
 */
export async function simulate(
  principal: string,
  policies: { name: string; policy: PolicyDocument }[],
  request: IamRequest,
  boundary?: PolicyDocument,
  resourcePolicy?: PolicyDocument,
): Promise<Verdict> {
  if (request.resource === '*') {
    policies = policies.map((entry) => ({ ...entry, policy: forUnnamedResource(entry.policy) }));
    if (boundary) boundary = forUnnamedResource(boundary);
  }
  const outcome = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT_ID },
        contextVariables: request.context ?? {},
      },
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (outcome.resultType === 'error')
    return { result: 'error', ignoredContextKeys: [], detail: JSON.stringify(outcome.errors) };
  const ignored =
    outcome.resultType === 'single'
      ? (outcome.result.ignoredContextKeys ?? [])
      : outcome.results.flatMap((r) => r.ignoredContextKeys ?? []);
  return { result: outcome.overallResult, ignoredContextKeys: ignored };
}

/** The OIDC provider a GitHub token comes from. */
export const GITHUB_OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;

/**
 * Evaluates sts:AssumeRoleWithWebIdentity with a GitHub token's claims
 * against a role's trust policy. The provider's claim keys
 * (token.actions.githubusercontent.com:sub, :aud) are not in AWS's service
 * reference, so the validating entry point would drop them; this uses the
 * evaluator's core directly, with the claims as IAM supplies them, after
 * validating the document as a trust policy.
 */
export function assumeWithToken(
  trust: PolicyDocument,
  roleArn: string,
  claims: { sub: string; aud?: string },
): EvaluationResult {
  const validated = createValidatedPolicy(trust, validateTrustPolicy, { name: 'TrustPolicy' });
  if (validated.errors.length > 0) throw new Error(`invalid trust policy: ${JSON.stringify(validated.errors)}`);
  return runUnsafeSimulation(
    {
      request: {
        principal: GITHUB_OIDC_PROVIDER,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: { resource: roleArn, accountId: ACCOUNT_ID },
        contextVariables: {
          'token.actions.githubusercontent.com:sub': claims.sub,
          'token.actions.githubusercontent.com:aud': claims.aud ?? 'sts.amazonaws.com',
        },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: validated,
    },
    {},
  );
}
