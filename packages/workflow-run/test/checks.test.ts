/**
 * The checks resolve runs before any AWS call: the trusted branch (a glob,
 * like the role's StringLike condition) and the role inputs, each refusal one
 * line naming the input and the repository variable to set.
 */
import { ActionError, InputError } from '@img-mgr/kernel';
import { describe, expect, it } from 'vitest';
import { branchMatches, checkRoles, checkTrustedBranch, type RoleInputs } from '../src/index.js';

const check = (ref: string, trustedBranch: string, more: { rollbackTo?: string; environment?: string } = {}) =>
  checkTrustedBranch({
    ref,
    trustedBranch,
    rollbackTo: more.rollbackTo ?? '',
    promoteFrom: '',
    environment: more.environment ?? '',
  });
const refusal = (run: () => unknown): Error => {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('accepted');
};

describe('the trusted branch, checked before any AWS call', () => {
  it('passes on the trusted branch, and on a branch that its wildcard matches like the trust policy', () => {
    expect(check('refs/heads/master', 'master')).toBe('Trusted branch: master; this run is on refs/heads/master.');
    expect(check('refs/heads/release/1.2', 'release/*')).toContain('this run is on refs/heads/release/1.2');
  });

  it.each(['refs/heads/main', 'refs/heads/feature', 'refs/tags/v1', 'refs/heads/master-copy'])(
    'fails on %s with one line naming the variable TRUSTED_BRANCH',
    (ref) => {
      const error = refusal(() => check(ref, 'master'));
      expect(error).toBeInstanceOf(ActionError);
      expect(error.message).toBe(
        `This run is on '${ref}', but only the branch 'master' may assume the AWS role ` +
          "(input 'trusted-branch', the repository variable TRUSTED_BRANCH in workflows-example); " +
          "run it on that branch, or set TRUSTED_BRANCH and the role's AllowedBranch to your default branch.",
      );
    },
  );

  it('rollback/promote into a GitHub environment: runs from any branch, no bake; env is the OIDC subject', () => {
    expect(check('refs/heads/feature', 'master', { rollbackTo: 'previous', environment: 'dev' })).toContain(
      'this run is on refs/heads/feature',
    );
    // Without an environment the deploy jobs' subject is the ref again.
    expect(() => check('refs/heads/feature', 'master', { rollbackTo: 'previous' })).toThrow(ActionError);
  });

  it.each([
    ['refs/heads/release/1.2', 'release/*', true],
    ['refs/heads/release', 'release/*', false],
    ['refs/heads/v1', 'v?', true],
    ['refs/heads/v10', 'v?', false],
    ['refs/heads/a.b', 'a.b', true],
    ['refs/heads/axb', 'a.b', false],
    ['refs/heads/(x)', '(x)', true],
    ['refs/heads/feature/a/b', '*', true],
  ])('matches %s against %s: %s (StringLike: * any run, ? one character, the rest literal)', (ref, pattern, hit) => {
    expect(branchMatches(ref, pattern)).toBe(hit);
  });
});

describe('the role to assume', () => {
  const CFN_ROLE = 'arn:aws:iam::123456789012:role/img-mgr/deploy/img-mgr-cfn-execution';
  const DEPLOY = 'arn:aws:iam::123456789012:role/img-mgr-github-deploy-dev';
  const roles = (more: Partial<RoleInputs>): RoleInputs => ({
    roleToAssume: DEPLOY,
    bakeRoleToAssume: '',
    cloudformationRoleArn: CFN_ROLE,
    environment: 'dev',
    bakes: false,
    ...more,
  });
  const message = (more: Partial<RoleInputs>): string => {
    const error = refusal(() => checkRoles(roles(more)));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message.split('\n')).toHaveLength(1);
    return error.message;
  };

  it('accepts IAM role ARNs (any partition)', () => {
    expect(() => checkRoles(roles({}))).not.toThrow();
    expect(() => checkRoles(roles({ roleToAssume: 'arn:aws-us-gov:iam::123456789012:role/x' }))).not.toThrow();
  });

  it.each(['', 'img-mgr-github-actions', 'arn:aws:iam::123456789012:user/someone'])(
    'rejects %j, naming the variable to set',
    (role) => {
      expect(message({ roleToAssume: role, bakes: true, bakeRoleToAssume: DEPLOY })).toMatch(
        new RegExp(
          /^Input 'role-to-assume' has '.*', which is not an IAM role ARN; /.source +
            /set the repository variable the caller passes \(AWS_ROLE_ARN in workflows-example\)/.source,
        ),
      );
    },
  );

  it('names AWS_PROD_ROLE_ARN when the prod deploy role is missing', () => {
    expect(message({ roleToAssume: '', environment: 'prod' })).toBe(
      "Input 'role-to-assume' has '', which is not an IAM role ARN; set the repository variable the caller passes " +
        '(AWS_PROD_ROLE_ARN in workflows-example) to the DeployRoleArn output of the ' +
        "cloudformation/github-deploy-role.yaml stack of environment 'prod'.",
    );
  });

  // A deploy role trusts only its environment.
  it('requires bake-role-to-assume when the run bakes, not for a rollback or promote', () => {
    const bakeRole = 'arn:aws:iam::123456789012:role/img-mgr-github-bake';
    expect(() => checkRoles(roles({ bakeRoleToAssume: bakeRole, bakes: true }))).not.toThrow();
    expect(() => checkRoles(roles({ bakes: false }))).not.toThrow();
    expect(message({ bakes: true })).toMatch(
      new RegExp(
        /^Input 'bake-role-to-assume' is empty, but this run bakes; /.source +
          /set the repository variable the caller passes \(AWS_BAKE_ROLE_ARN in workflows-example\) /.source +
          /to the BakeRoleArn output of cloudformation\/github-bake-role\.yaml/.source,
      ),
    );
    expect(message({ bakeRoleToAssume: 'img-mgr-bake', bakes: true })).toMatch(
      new RegExp(
        /^Input 'bake-role-to-assume' has 'img-mgr-bake', which is not an IAM role ARN; /.source +
          /set the repository variable .*AWS_BAKE_ROLE_ARN/.source,
      ),
    );
  });

  it.each(['', 'img-mgr-cfn'])(
    'requires cloudformation-role-arn (%j), first: the deploy roles create no resources',
    (cfnRole) => {
      expect(message({ cloudformationRoleArn: cfnRole, roleToAssume: '' })).toMatch(
        new RegExp(
          /^Input 'cloudformation-role-arn' has '.*', which is not an IAM role ARN; /.source +
            /set the repository variable the caller passes \(CFN_EXECUTION_ROLE_ARN in workflows-example\)/.source,
        ),
      );
    },
  );
});
