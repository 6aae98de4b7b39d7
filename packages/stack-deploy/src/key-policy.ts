/**
 * Reads a KMS key policy (its JSON text) and says which of the KMS actions that
 * Auto Scaling needs for encrypted volumes it does not grant to the service-linked
 * role AWSServiceRoleForAutoScaling. Auto Scaling launches through that role, and
 * its managed policy holds no KMS rights, so only the key policy can let it use a
 * customer-managed key. A statement for the account root (KMS's default policy) is
 * not enough on its own: it delegates to IAM policies, and the role has none.
 */

/** The two statements of AWS's documented key policy, by the Sid the Auto Scaling user guide gives them. */
export const KEY_USE_STATEMENT = 'Allow service-linked role use of the customer managed key';
export const ATTACHMENT_STATEMENT = 'Allow attachment of persistent resources';

/**
 * The actions each statement grants, as concrete actions (the documented policy writes kms:ReEncrypt*
 * and kms:GenerateDataKey*; EBS calls these).
 */
export const REQUIRED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  [KEY_USE_STATEMENT]: [
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:DescribeKey',
  ],
  [ATTACHMENT_STATEMENT]: ['kms:CreateGrant'],
};

/** The ARN of Auto Scaling's default service-linked role in `account`. */
export function autoScalingRoleArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role/${AUTO_SCALING_ROLE_PATH}`;
}

const AUTO_SCALING_ROLE_PATH = 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/** What the policy leaves out: each documented statement that is (partly) missing, with the actions it lacks. */
export interface PolicyGap {
  statement: string;
  actions: string[];
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

/**
 * The documented statements whose actions `policyText` does not grant to `principalArn`; [] when it grants them
 * all. An Allow counts when its Principal is "*" or names the role (its conditions are taken as met: they are the
 * key administrator's to choose); a Deny counts only without a condition. Text that is not a policy grants nothing.
 */
export function keyPolicyGaps(policyText: string, principalArn: string): PolicyGap[] {
  const statements = parseStatements(policyText);
  const allowed = (action: string): boolean =>
    statements.some((s) => s.Effect === 'Allow' && namesPrincipal(s, principalArn) && coversAction(s, action)) &&
    !statements.some(
      (s) =>
        s.Effect === 'Deny' && s.Condition === undefined && deniesPrincipal(s, principalArn) && coversAction(s, action),
    );
  const gaps: PolicyGap[] = [];
  for (const [statement, actions] of Object.entries(REQUIRED_ACTIONS)) {
    const missing = actions.filter((action) => !allowed(action));
    if (missing.length > 0) gaps.push({ statement, actions: missing });
  }
  return gaps;
}

function parseStatements(policyText: string): Statement[] {
  let document: unknown;
  try {
    document = JSON.parse(policyText);
  } catch {
    return [];
  }
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  const list: unknown[] = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((item): item is Statement => item !== null && typeof item === 'object');
}

/** A Principal as its list of AWS principals ("*" for everyone); service and federated principals are no role. */
function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (principal === null || typeof principal !== 'object') return [];
  return asList((principal as { AWS?: unknown }).AWS);
}

function namesPrincipal(statement: Statement, principalArn: string): boolean {
  return awsPrincipals(statement.Principal).some((p) => p === '*' || p.toLowerCase() === principalArn.toLowerCase());
}

/** A Deny applies to the role when its Principal covers it, or its NotPrincipal does not name it. */
function deniesPrincipal(statement: Statement, principalArn: string): boolean {
  if (statement.NotPrincipal !== undefined) {
    return !awsPrincipals(statement.NotPrincipal).some((p) => p.toLowerCase() === principalArn.toLowerCase());
  }
  return namesPrincipal(statement, principalArn);
}

function coversAction(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => matchesAction(p, action));
  return asList(statement.Action).some((pattern) => matchesAction(pattern, action));
}

/** IAM action matching: case-insensitive, `*` for any run of characters and `?` for one. */
export function matchesAction(pattern: string, action: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
