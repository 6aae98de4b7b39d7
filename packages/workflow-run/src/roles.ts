/**
 * The role inputs, checked in resolve before anything is published. The
 * roles are split by job: a deploy role trusts only its environment, so the
 * bake needs a role of its own, and the other way round. Each refusal names
 * the repository variable that workflows-example passes.
 */
import { InputError, isRoleArn, quoteWhole } from '@img-mgr/kernel';

// The rule lives in the kernel: the targets file's per-wave role-to-assume is checked by it too.
export { isRoleArn };

export interface RoleInputs {
  roleToAssume: string;
  bakeRoleToAssume: string;
  cloudformationRoleArn: string;
  environment: string;
  /** The run bakes (neither rollback-to nor promote-from). */
  bakes: boolean;
}

/** Throws InputError naming the first role input that cannot work. */
export function checkRoles(inputs: RoleInputs): void {
  const { roleToAssume, bakeRoleToAssume, cloudformationRoleArn, environment, bakes } = inputs;
  // First, before anything is published: without it the first create would run
  // with the deploy role's own rights and fail deep in CloudFormation, after the AMI was published.
  if (!isRoleArn(cloudformationRoleArn)) {
    throw new InputError(
      'cloudformation-role-arn',
      `has ${quoteWhole(cloudformationRoleArn)}, which is not an IAM role ARN; ` +
        'set the repository variable the caller passes (CFN_EXECUTION_ROLE_ARN in workflows-example) ' +
        'to the CloudFormationExecutionRoleArn output of ' +
        'cloudformation/github-bake-role.yaml (the deploy roles create no stack resources themselves).',
    );
  }
  if (!isRoleArn(roleToAssume)) {
    const variable = environment === 'prod' ? 'AWS_PROD_ROLE_ARN' : 'AWS_ROLE_ARN';
    throw new InputError(
      'role-to-assume',
      `has ${quoteWhole(roleToAssume)}, which is not an IAM role ARN; set the repository variable the caller passes ` +
        `(${variable} in workflows-example) to the DeployRoleArn output of the ` +
        `cloudformation/github-deploy-role.yaml stack of environment '${environment}'.`,
    );
  }
  if (bakes && bakeRoleToAssume === '') {
    throw new InputError(
      'bake-role-to-assume',
      'is empty, but this run bakes; set the repository variable the caller passes (AWS_BAKE_ROLE_ARN in ' +
        'workflows-example) to the BakeRoleArn output of cloudformation/github-bake-role.yaml (the deploy role ' +
        'trusts only its environment, so it cannot bake).',
    );
  }
  if (bakeRoleToAssume !== '' && !isRoleArn(bakeRoleToAssume)) {
    throw new InputError(
      'bake-role-to-assume',
      `has ${quoteWhole(bakeRoleToAssume)}, which is not an IAM role ARN; ` +
        'set the repository variable the caller passes (AWS_BAKE_ROLE_ARN in workflows-example) ' +
        'to the BakeRoleArn output of cloudformation/github-bake-role.yaml.',
    );
  }
}
