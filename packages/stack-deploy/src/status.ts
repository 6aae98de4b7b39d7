/** What a stack status means for a deploy. */

export type StackState =
  /** No stack, or one created by a change set that was never executed. */
  | { kind: 'absent' }
  /** A create failed and rolled back; the stack can only be deleted. */
  | { kind: 'failed-create' }
  /** An operation is running; wait for it to settle. */
  | { kind: 'in-progress' }
  /** A settled stack that can be updated. */
  | { kind: 'ready' }
  /** A stack that needs a person; `hint` says what to do. */
  | { kind: 'stuck'; hint: string };

/** Classifies a StackStatus (undefined: the stack does not exist). */
export function classifyStatus(status: string | undefined): StackState {
  if (status === undefined || status === 'REVIEW_IN_PROGRESS' || status === 'DELETE_COMPLETE')
    return { kind: 'absent' };
  if (status === 'ROLLBACK_COMPLETE') return { kind: 'failed-create' };
  if (status.endsWith('_IN_PROGRESS')) return { kind: 'in-progress' };
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return {
        kind: 'stuck',
        hint:
          'Fix or skip the resources that could not roll back, then run "aws cloudformation ' +
          'continue-update-rollback --stack-name <stack> [--resources-to-skip …]" and deploy again',
      };
    case 'ROLLBACK_FAILED':
      return {
        kind: 'stuck',
        hint:
          'The failed create could not roll back; delete the stack (retaining the resources that failed to delete) ' +
          'and deploy again',
      };
    case 'DELETE_FAILED':
      return {
        kind: 'stuck',
        hint:
          'Delete the stack again, retaining or removing by hand the resources that failed to delete, ' +
          'then deploy again',
      };
    case 'IMPORT_ROLLBACK_FAILED':
      return {
        kind: 'stuck',
        hint:
          'Fix the resources that failed to roll back the import, then continue the rollback ' +
          'in the CloudFormation console and deploy again',
      };
    default:
      return status.endsWith('_FAILED')
        ? { kind: 'stuck', hint: 'Resolve the failure in CloudFormation, then deploy again' }
        : { kind: 'ready' };
  }
}

/** Why a stack needs a person, and the command that repairs it. */
export interface StuckAdvice {
  why: string;
  next: string;
}

/**
 * What to say of a stack that a person must repair: `failed` are the logical
 * ids of its resources in a *_FAILED state (the ones to skip or retain).
 * Undefined for other statuses.
 */
export function stuckStackAdvice(
  status: string,
  stackName: string,
  failed: readonly string[],
): StuckAdvice | undefined {
  const ids = failed.length > 0 ? failed.join(' ') : '<logical ids>';
  const listed = failed.join(', ');
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return {
        why: `the update failed and so did its rollback${listed ? ` (${listed})` : ''}`,
        next:
          'fix those resources, or skip them with ' +
          `"aws cloudformation continue-update-rollback --stack-name ${stackName} --resources-to-skip ${ids}", ` +
          'then deploy again',
      };
    case 'ROLLBACK_FAILED':
      return {
        why: `its creation failed and the rollback could not delete ${listed || 'every resource'}`,
        next:
          `delete it with "aws cloudformation delete-stack --stack-name ${stackName}" ` +
          `(if that ends in DELETE_FAILED, run it again with --retain-resources ${ids}), then deploy again`,
      };
    case 'DELETE_FAILED':
      return {
        why: `${listed || 'some resources'} could not be deleted`,
        next:
          'delete the stack keeping them with ' +
          `"aws cloudformation delete-stack --stack-name ${stackName} --retain-resources ${ids}" ` +
          '(or remove them by hand first), then deploy again',
      };
    default:
      return undefined;
  }
}

/** True for a status in which no operation is running. */
export function isSettled(status: string): boolean {
  return !status.endsWith('_IN_PROGRESS');
}

/** True for the statuses that mean the operation we started succeeded. */
export function isSuccess(status: string): boolean {
  return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE';
}
