/**
 * recreate-failed-stack: a stack that a deploy must create afresh is deleted
 * first. A ROLLBACK_COMPLETE stack (its creation failed) can only be deleted,
 * unless the request says not to. A REVIEW_IN_PROGRESS stack (a first run
 * created its change set and never executed it) has no resources: deleting
 * it gives the new create a clean stack, with none of the old run's change
 * sets, on CloudFormation and on moto alike (moto would otherwise make a
 * second stack of the same name and keep describing the old one by name).
 */
import { DeleteStackCommand, DescribeStacksCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { DeployFailedError } from './request.js';
import type { Session } from './session.js';

/** Deletes the failed stack and waits until it is gone; throws DeployFailedError when not allowed or not gone. */
export async function recreateFailedStack(
  session: Session,
  stackId: string,
  status: string | undefined,
): Promise<void> {
  if (session.request.recreateFailedStack === false) {
    throw new DeployFailedError(
      `Stack ${session.request.stackName} is ROLLBACK_COMPLETE (its creation failed) ` +
        'and recreate-failed-stack is false',
      { ...session.result, status, stackId },
      'Delete the stack, or set recreate-failed-stack to true to let the action delete and recreate it',
    );
  }
  session.log(
    `Stack ${session.request.stackName} is ROLLBACK_COMPLETE (a failed create, which can only be deleted): ` +
      'deleting it to create it again',
  );
  await deleteAndWait(session, stackId, 'the failed stack');
}

/**
 * Deletes a REVIEW_IN_PROGRESS stack (no resources, only unexecuted change sets) before creating it; resolves
 * true when it was deleted, false when someone executed one of its change sets since it was read (the stack is
 * then being created, and deleting it would cancel that create): the caller waits for it instead.
 */
export async function discardUnexecutedStack(session: Session, stackId: string): Promise<boolean> {
  if (!(await stillUnexecuted(session, stackId))) {
    session.log(
      `Stack ${session.request.stackName} is no longer unexecuted (a change set of it is being executed): ` +
        'not deleting it; waiting for that operation instead',
    );
    return false;
  }
  session.log(
    `Stack ${session.request.stackName} is REVIEW_IN_PROGRESS (an earlier change set was never executed; ` +
      'it has no resources): deleting it to create it afresh',
  );
  await deleteAndWait(session, stackId, 'the unexecuted stack');
  return true;
}

/** Read right before the delete: still REVIEW_IN_PROGRESS, and none of its change sets is executing. */
async function stillUnexecuted(session: Session, stackId: string): Promise<boolean> {
  const described = await session.cfn.send(session.count(new DescribeStacksCommand({ StackName: stackId })));
  if (described.Stacks?.[0]?.StackStatus !== 'REVIEW_IN_PROGRESS') return false;
  let nextToken: string | undefined;
  do {
    const page = await session.cfn.send(
      session.count(new ListChangeSetsCommand({ StackName: stackId, NextToken: nextToken })),
    );
    if (page.Summaries?.some((summary) => summary.ExecutionStatus === 'EXECUTE_IN_PROGRESS')) return false;
    nextToken = page.NextToken;
  } while (nextToken);
  return true;
}

async function deleteAndWait(session: Session, stackId: string, what: string): Promise<void> {
  const watcher = session.watcher(stackId);
  await watcher.baseline();
  await session.cfn.send(session.count(new DeleteStackCommand({ StackName: stackId })));
  const deleted = await session.waitFor(watcher);
  if (deleted.StackStatus !== 'DELETE_COMPLETE') {
    throw new DeployFailedError(
      `Deleting ${what} ${session.request.stackName} ended in ${deleted.StackStatus ?? '?'}`,
      { ...session.result, status: deleted.StackStatus },
      'Delete the stack by hand, then deploy again',
    );
  }
}
