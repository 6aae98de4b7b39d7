/**
 * The events of a stack's last operation (this run's deploy or redeploy),
 * for the rollout timeline: read newest first until the stack's own
 * "User Initiated" start, which deploy-stack's change set execution writes.
 */
import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import type { StackEventLike } from '@img-mgr/rollout';

/** Pages read at most: an operation of this template writes a few dozen events. */
const MAX_PAGES = 10;

/** True for the event that starts an operation on the stack itself. */
export function startsOperation(stackName: string, event: StackEvent): boolean {
  return (
    event.ResourceType === 'AWS::CloudFormation::Stack' &&
    event.LogicalResourceId === stackName &&
    /^(CREATE|UPDATE|DELETE|IMPORT)_IN_PROGRESS$/.test(event.ResourceStatus ?? '') &&
    /User Initiated/i.test(event.ResourceStatusReason ?? '')
  );
}

/** The events of `stackName`'s last operation, newest first (as CloudFormation lists them). */
export async function lastOperationEvents(
  cfn: CloudFormationClient,
  stackName: string,
  signal: AbortSignal,
): Promise<StackEventLike[]> {
  const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
  const events: StackEventLike[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }), {
      abortSignal: signal,
    });
    for (const event of answer.StackEvents ?? []) {
      events.push(pick(event));
      if (startsOperation(stackName, event)) return events;
    }
    token = answer.NextToken;
    if (!token) break;
  }
  return events;
}

function pick(event: StackEvent): StackEventLike {
  const out: StackEventLike = {};
  if (event.Timestamp) out.Timestamp = event.Timestamp;
  if (event.LogicalResourceId) out.LogicalResourceId = event.LogicalResourceId;
  if (event.PhysicalResourceId) out.PhysicalResourceId = event.PhysicalResourceId;
  if (event.ResourceType) out.ResourceType = event.ResourceType;
  if (event.ResourceStatus) out.ResourceStatus = event.ResourceStatus;
  if (event.ResourceStatusReason) out.ResourceStatusReason = event.ResourceStatusReason;
  return out;
}
