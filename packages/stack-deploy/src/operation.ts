/** Which CloudFormation operation a deploy uses: CreateStack, or a change set of type CREATE or UPDATE. */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { DeployRequest } from './request.js';
import { classifyStatus } from './status.js';

export type Operation =
  /** CreateStack, executed at once: the only call that carries a creation timeout and termination protection. */
  | { kind: 'create-stack'; changeSetType: 'CREATE' }
  /** A change set, reviewed (plan) or executed. */
  | { kind: 'change-set'; changeSetType: 'CREATE' | 'UPDATE' };

/**
 * Chooses the operation for `stack` (the settled stack; undefined when there
 * is none). A stack that is absent gets a CREATE change set; one left in
 * REVIEW_IN_PROGRESS by an unexecuted change set counts as absent too (in
 * create-and-execute mode settledStack has deleted it by now; plan mode adds
 * a change set to it).
 *
 * A new stack is made with CreateStack instead when the request asks for
 * timeoutInMinutes or terminationProtection true, because a change set cannot
 * carry either for a new stack. Only when no stack exists at all (CreateStack
 * would fail on a REVIEW_IN_PROGRESS one) and only in create-and-execute mode
 * (plan mode must leave a change set to review).
 */
export function chooseOperation(
  stack: Pick<Stack, 'StackStatus'> | undefined,
  request: Pick<DeployRequest, 'mode' | 'timeoutInMinutes' | 'terminationProtection'>,
): Operation {
  const changeSetType = classifyStatus(stack?.StackStatus).kind === 'absent' ? 'CREATE' : 'UPDATE';
  const needsCreateStack = request.timeoutInMinutes !== undefined || request.terminationProtection === true;
  if (changeSetType === 'CREATE' && stack === undefined && request.mode === 'create-and-execute' && needsCreateStack)
    return { kind: 'create-stack', changeSetType };
  return { kind: 'change-set', changeSetType };
}
