/**
 * The stack a deploy starts from: wait for a running operation to settle,
 * refuse a stuck stack with the command that repairs it, recreate a stack
 * whose creation failed, and (creating and executing) start afresh from one
 * whose first change set was never executed.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { discardUnexecutedStack, recreateFailedStack } from './recreate-failed-stack.js';
import { DeployFailedError } from './request.js';
import type { Session } from './session.js';
import { classifyStatus, stuckStackAdvice } from './status.js';

/**
 * The stack after any running operation settled; undefined when there is
 * none. A ROLLBACK_COMPLETE stack is deleted first, and so is a
 * REVIEW_IN_PROGRESS one in create-and-execute mode (plan mode adds its
 * change set to it, to be reviewed). `beforeCreate` runs before either is
 * deleted, so that a request that cannot create the stack changes nothing.
 */
export async function settledStack(
  session: Session,
  beforeCreate: () => void = () => undefined,
): Promise<Stack | undefined> {
  let stack = await session.describeStack();
  let state = classifyStatus(stack?.StackStatus);
  session.log(
    stack
      ? `Stack ${session.request.stackName} is ${stack.StackStatus ?? '?'}`
      : `Stack ${session.request.stackName} does not exist; it will be created`,
  );
  let executedMeanwhile = false;
  if (stack?.StackStatus === 'REVIEW_IN_PROGRESS' && stack.StackId && session.request.mode === 'create-and-execute') {
    beforeCreate();
    if (await discardUnexecutedStack(session, stack.StackId)) return undefined;
    executedMeanwhile = true;
  }
  if (stack?.StackId && (state.kind === 'in-progress' || executedMeanwhile)) {
    const watcher = session.watcher(stack.StackId);
    await watcher.baseline();
    session.log(`Waiting for the running ${stack.StackStatus ?? ''} operation to finish before deploying:`);
    // It may have ended between DescribeStacks and the baseline: check the status on the first tick too.
    stack = await session.waitFor(watcher, { describeFirst: true });
    session.log(`Stack ${session.request.stackName} is now ${stack.StackStatus ?? '?'}`);
    state = classifyStatus(stack.StackStatus);
  }
  if (state.kind === 'stuck') {
    const status = stack?.StackStatus ?? '?';
    const advice = stuckStackAdvice(status, session.request.stackName, await session.failedResources());
    const result = { ...session.result, status: stack?.StackStatus, stackId: stack?.StackId };
    if (advice)
      throw new DeployFailedError(
        `Stack ${session.request.stackName} is ${status}: ${advice.why}; ${advice.next}`,
        result,
      );
    throw new DeployFailedError(
      `Stack ${session.request.stackName} is ${status} and cannot be updated`,
      result,
      state.hint,
    );
  }
  if (state.kind === 'failed-create' && stack?.StackId) {
    beforeCreate();
    await recreateFailedStack(session, stack.StackId, stack.StackStatus);
    return undefined;
  }
  return state.kind === 'absent' && stack?.StackStatus !== 'REVIEW_IN_PROGRESS' ? undefined : stack;
}
