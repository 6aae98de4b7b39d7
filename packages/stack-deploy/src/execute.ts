/** Executing a change set: the one just created, or (execute mode) one a plan run left behind. */
import { ExecuteChangeSetCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { awsErrorClass, InvalidRequestError } from '@img-mgr/kernel';
import { describeChangeSet } from './change-set.js';
import { finish } from './finish.js';
import { changeRows } from './plan.js';
import { DeployFailedError } from './request.js';
import { isDoesNotExist, type Session } from './session.js';

/** execute mode: runs a change set created earlier (by plan mode). */
export async function executeNamed(session: Session): Promise<void> {
  const name = session.request.changeSetName;
  if (!name) throw new InvalidRequestError('changeSetName', 'is required in execute mode');
  session.result.changeSetName = name;
  const stack = await session.describeStack();
  let changeSet;
  try {
    changeSet = await describeChangeSet(session, name);
  } catch (error: unknown) {
    if (awsErrorClass(error, { validationMeansMissing: isDoesNotExist(error) }) === 'not-found') {
      const problem = `names '${name}', which does not exist for stack ${session.request.stackName}`;
      throw new InvalidRequestError('changeSetName', problem);
    }
    throw error;
  }
  const type = stack?.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  session.result.changeSetType = type;
  session.result.changeSetId = changeSet.ChangeSetId;
  session.recordPlan(changeRows(changeSet.Changes));
  if (changeSet.Status !== 'CREATE_COMPLETE' || changeSet.ExecutionStatus !== 'AVAILABLE') {
    throw new DeployFailedError(
      `Change set ${name} cannot be executed: ` +
        `it is ${changeSet.Status ?? '?'} / ${changeSet.ExecutionStatus ?? '?'}` +
        (changeSet.StatusReason ? ` (${changeSet.StatusReason})` : ''),
      session.result,
      'Create a new plan and execute that',
    );
  }
  session.logChanges(session.result.changes);
  await execute(session, changeSet.ChangeSetId ?? name, type, stack);
}

/** Executes the change set, waits, sets termination protection, reads outputs. */
export async function execute(
  session: Session,
  changeSet: string,
  type: 'CREATE' | 'UPDATE',
  stack: Stack | undefined,
): Promise<void> {
  const stackId = session.result.stackId ?? stack?.StackId ?? session.request.stackName;
  const watcher = session.watcher(stackId);
  await watcher.baseline();
  session.checkAbort();
  await session.cfn.send(
    session.count(
      new ExecuteChangeSetCommand({
        ChangeSetName: changeSet,
        StackName: session.request.stackName,
        DisableRollback: type === 'UPDATE' && session.request.disableRollback ? true : undefined,
        ClientRequestToken: session.result.changeSetName,
      }),
    ),
  );
  session.pendingChangeSet = undefined;
  session.result.executed = true;
  await finish(session, watcher, type);
}
