/** Formatting of stack events and the root cause of a failure. */

/** The part of a StackEvent the log uses. */
export interface EventLike {
  EventId?: string | undefined;
  StackId?: string | undefined;
  StackName?: string | undefined;
  Timestamp?: Date | undefined;
  ResourceStatus?: string | undefined;
  ResourceType?: string | undefined;
  LogicalResourceId?: string | undefined;
  PhysicalResourceId?: string | undefined;
  ResourceStatusReason?: string | undefined;
}

/**
 * One aligned line: time, status, type, logical id, reason. `prefix` names
 * the nested stack an event came from (`Network/`).
 */
export function formatEvent(event: EventLike, prefix = ''): string {
  const time = (event.Timestamp ?? new Date()).toISOString().slice(11, 19);
  const status = (event.ResourceStatus ?? '?').padEnd(27);
  const type = (event.ResourceType ?? '?').padEnd(34);
  const id = `${prefix}${event.LogicalResourceId ?? '?'}`.padEnd(28);
  const reason = event.ResourceStatusReason ? ` ${oneLine(event.ResourceStatusReason)}` : '';
  return `${time}  ${status} ${type} ${id}${reason}`.trimEnd();
}

/** A resource that failed, with why. */
export interface FailedResource {
  logicalId: string;
  type: string;
  status: string;
  reason: string;
}

/** Reasons that only say "something else failed first". */
const NOISE = /^Resource (creation|update|deletion) cancelled\.?$/i;

/**
 * The failed resources of an operation, oldest first, without the cascade
 * noise ("Resource creation cancelled") and without the stack's own summary
 * event when resource events explain the failure.
 */
export function rootCauses(events: readonly (EventLike & { prefix?: string })[]): FailedResource[] {
  const failed = events.filter((event) => event.ResourceStatus?.endsWith('_FAILED'));
  const useful = failed.filter((event) => !NOISE.test((event.ResourceStatusReason ?? '').trim()));
  const resources = useful.filter((event) => event.ResourceType !== 'AWS::CloudFormation::Stack');
  const chosen = resources.length > 0 ? resources : useful;
  const seen = new Set<string>();
  const result: FailedResource[] = [];
  for (const event of chosen) {
    const logicalId = `${event.prefix ?? ''}${event.LogicalResourceId ?? '?'}`;
    const reason = oneLine(event.ResourceStatusReason ?? 'no reason given');
    const key = `${logicalId}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ logicalId, type: event.ResourceType ?? '?', status: event.ResourceStatus ?? '?', reason });
  }
  return result;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
