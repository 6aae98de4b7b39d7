/**
 * recreate-failed-stack: a ROLLBACK_COMPLETE stack (its creation failed) can
 * only be deleted, so the deploy deletes it and then creates it again,
 * unless the request says not to.
 */
import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
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
  const watcher = session.watcher(stackId);
  await watcher.baseline();
  await session.cfn.send(session.count(new DeleteStackCommand({ StackName: stackId })));
  const deleted = await session.waitFor(watcher);
  if (deleted.StackStatus !== 'DELETE_COMPLETE') {
    throw new DeployFailedError(
      `Deleting the failed stack ${session.request.stackName} ended in ${deleted.StackStatus ?? '?'}`,
      { ...session.result, status: deleted.StackStatus },
      'Delete the stack by hand, then deploy again',
    );
  }
}
