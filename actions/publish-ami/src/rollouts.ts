/**
 * The rollout inputs: promote-from (publish another environment's current
 * AMI) and reject-ami (tag an AMI whose rollout failed), read apart from the
 * publish inputs so that each mode stays in one place.
 */
import { InputError, stringInput } from '@img-mgr/action-kit';
import { amiIdProblem, parameterNameProblem } from '@img-mgr/ami-publish/validate';

export interface RolloutInputs {
  /** The parameter whose current AMI is promoted. */
  promoteFrom?: string;
  /** The AMI to tag rejected before anything else is done. */
  rejectAmi?: string;
  /** The rejected tag's value: the id of the workflow run that rejects it (GITHUB_RUN_ID). */
  rejectedBy: string;
}

/** Reads promote-from and reject-ami; `other` names the publish inputs that were given. */
export function readRolloutInputs(other: { amiId: boolean; amis: boolean; rollbackTo: boolean }): RolloutInputs {
  const promoteFrom = stringInput('promote-from');
  const rejectAmi = stringInput('reject-ami');
  if (promoteFrom !== undefined) {
    const clash = other.amiId ? 'ami-id' : other.amis ? 'amis' : other.rollbackTo ? 'rollback-to' : undefined;
    if (clash)
      throw new InputError(
        'promote-from',
        `cannot be combined with ${clash}: a promote publishes the AMI that promote-from holds`,
      );
    const problem = parameterNameProblem(promoteFrom);
    if (problem) throw new InputError('promote-from', problem);
  }
  if (rejectAmi !== undefined) {
    const problem = amiIdProblem(rejectAmi);
    if (problem) throw new InputError('reject-ami', `is invalid: ${problem}`);
  }
  const runId = process.env.GITHUB_RUN_ID;
  return {
    ...(promoteFrom !== undefined ? { promoteFrom } : {}),
    ...(rejectAmi !== undefined ? { rejectAmi } : {}),
    rejectedBy: runId ?? 'manual',
  };
}
