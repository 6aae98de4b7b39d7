/**
 * Reading a key policy for what AWSServiceRoleForAutoScaling may do: the
 * shapes IAM allows (Principal as "*", a string or a list; Action as a string,
 * a list or a wildcard; NotAction; a Deny), and the account root, which is not
 * enough on its own.
 */
import { describe, expect, it } from 'vitest';
import {
  ATTACHMENT_STATEMENT,
  autoScalingRoleArn,
  KEY_USE_STATEMENT,
  keyPolicyGaps,
  matchesAction,
  REQUIRED_ACTIONS,
} from '../src/key-policy.js';

const ROLE = autoScalingRoleArn('aws', '123456789012');
const ROOT = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
const USE = {
  Sid: KEY_USE_STATEMENT,
  Effect: 'Allow',
  Principal: { AWS: [ROLE] },
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
  Resource: '*',
};
const ATTACH = {
  Sid: ATTACHMENT_STATEMENT,
  Effect: 'Allow',
  Principal: { AWS: ROLE },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
};
const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const statementsMissing = (text: string): string[] => keyPolicyGaps(text, ROLE).map((gap) => gap.statement);

describe("a key policy read for Auto Scaling's service-linked role", () => {
  it('the documented statements (README) grant everything', () => {
    expect(keyPolicyGaps(policy(ROOT, USE, ATTACH), ROLE)).toEqual([]);
  });

  it("KMS's default policy (the account root only) grants the role nothing", () => {
    expect(keyPolicyGaps(policy(ROOT), ROLE)).toEqual([
      { statement: KEY_USE_STATEMENT, actions: [...(REQUIRED_ACTIONS[KEY_USE_STATEMENT] ?? [])] },
      { statement: ATTACHMENT_STATEMENT, actions: ['kms:CreateGrant'] },
    ]);
  });

  it('names only the statement that is missing', () => {
    expect(statementsMissing(policy(ROOT, USE))).toEqual([ATTACHMENT_STATEMENT]);
    expect(statementsMissing(policy(ROOT, ATTACH))).toEqual([KEY_USE_STATEMENT]);
  });

  it('a single statement object, Principal "*" and kms:* grant everything', () => {
    expect(
      keyPolicyGaps(JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:*' } }), ROLE),
    ).toEqual([]);
    expect(keyPolicyGaps(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*' }), ROLE)).toEqual([]);
  });

  it('lists the actions a narrower statement leaves out', () => {
    const narrow = { ...USE, Action: ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'] };
    expect(keyPolicyGaps(policy(narrow, ATTACH), ROLE)).toEqual([
      {
        statement: KEY_USE_STATEMENT,
        actions: ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey'],
      },
    ]);
  });

  it('NotAction grants what it does not list', () => {
    const allBut = { Effect: 'Allow', Principal: { AWS: ROLE }, NotAction: ['kms:CreateGrant', 'kms:Schedule*'] };
    expect(statementsMissing(policy(allBut))).toEqual([ATTACHMENT_STATEMENT]);
  });

  it('an unconditional Deny wins; a conditional one is left to its conditions', () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 'kms:CreateGrant' };
    expect(statementsMissing(policy(USE, ATTACH, deny))).toEqual([ATTACHMENT_STATEMENT]);
    const conditional = { ...deny, Condition: { Bool: { 'kms:GrantIsForAWSResource': false } } };
    expect(statementsMissing(policy(USE, ATTACH, conditional))).toEqual([]);
  });

  it('another role, a service principal or an Allow with NotPrincipal grants nothing', () => {
    const other = { ...USE, Principal: { AWS: 'arn:aws:iam::123456789012:role/deploy' } };
    const service = { ...ATTACH, Principal: { Service: 'autoscaling.amazonaws.com' } };
    const notPrincipal = { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: '*' };
    expect(statementsMissing(policy(other, service, notPrincipal))).toEqual([KEY_USE_STATEMENT, ATTACHMENT_STATEMENT]);
  });

  it('text that is not a policy grants nothing', () => {
    expect(statementsMissing('not json')).toEqual([KEY_USE_STATEMENT, ATTACHMENT_STATEMENT]);
    expect(statementsMissing('null')).toEqual([KEY_USE_STATEMENT, ATTACHMENT_STATEMENT]);
  });

  it('matches actions as IAM does: case-insensitive, * and ?', () => {
    expect(matchesAction('KMS:reencrypt*', 'kms:ReEncryptFrom')).toBe(true);
    expect(matchesAction('kms:GenerateDataKey?', 'kms:GenerateDataKey')).toBe(false);
    expect(matchesAction('kms:Decrypt', 'kms:DecryptX')).toBe(false);
    expect(matchesAction('kms:Re.ncrypt*', 'kms:ReEncryptTo')).toBe(false);
  });

  it("the role's ARN follows the partition and account", () => {
    expect(autoScalingRoleArn('aws-us-gov', '210987654321')).toBe(
      'arn:aws-us-gov:iam::210987654321:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    );
  });
});
