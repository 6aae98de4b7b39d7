/**
 * The stack a deploy starts from: wait for a running operation to settle,
 * refuse a stuck stack with the command that repairs it, and recreate a
 * stack whose creation failed.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { recreateFailedStack } from './recreate-failed-stack.js';
import { DeployFailedError } from './request.js';
import type { Session } from './session.js';
import { classifyStatus, stuckStackAdvice } from './status.js';

/**
 * The stack after any running operation settled; undefined when there is
 * none. A ROLLBACK_COMPLETE stack is deleted first.
 */
export async function settledStack(session: Session): Promise<Stack | undefined> {
  let stack = await session.describeStack();
  let state = classifyStatus(stack?.StackStatus);
  session.log(
    stack
      ? `Stack ${session.request.stackName} is ${stack.StackStatus ?? '?'}`
      : `Stack ${session.request.stackName} does not exist; it will be created`,
  );
  if (stack?.StackId && state.kind === 'in-progress') {
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
    await recreateFailedStack(session, stack.StackId, stack.StackStatus);
    return undefined;
  }
  return state.kind === 'absent' && stack?.StackStatus !== 'REVIEW_IN_PROGRESS' ? undefined : stack;
}
