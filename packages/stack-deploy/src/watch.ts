/**
 * Waits for a stack operation to end while streaming its events (nested
 * stacks included). Polls DescribeStackEvents with an adaptive interval:
 * fast right after activity, never slower than `maxIntervalMs`, so the end
 * is noticed within about a second with one API call per tick.
 */
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { TimeoutError } from '@img-mgr/kernel';
import { formatEvent, type EventLike } from './events.js';
import { isSettled } from './status.js';

export interface WatchOptions {
  log: (line: string) => void;
  /** Absolute time (ms since epoch) after which waiting fails. */
  deadline: number;
  /** What the wait-timeout is called in the error. */
  timeoutLabel: string;
  signal?: AbortSignal | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** Also check DescribeStacks every this many ticks, in case an event is missed. */
  describeEvery?: number;
  /** Check DescribeStacks on the first tick as well (the operation may have ended before the baseline). */
  describeFirst?: boolean | undefined;
}

/** A stack being watched: remembers which events were already printed. */
export class StackWatcher {
  /** Every event printed during this watch, oldest first, with its nested-stack prefix. */
  readonly events: (StackEvent & { prefix: string })[] = [];
  private readonly seen = new Set<string>();
  /** Nested stack id to its log prefix. */
  private readonly nested = new Map<string, { prefix: string; done: boolean }>();

  constructor(
    private readonly client: CloudFormationClient,
    readonly stackId: string,
    private readonly stackName: string,
  ) {}

  /**
   * Marks every event that already exists as seen, so only the operation's
   * own events are printed. Call right before starting the operation.
   */
  async baseline(): Promise<void> {
    const page = await this.client.send(new DescribeStackEventsCommand({ StackName: this.stackId }));
    for (const event of page.StackEvents ?? []) if (event.EventId) this.seen.add(event.EventId);
  }

  /** Prints new events of the stack and its nested stacks; returns how many were new. */
  async poll(log: (line: string) => void): Promise<{ fresh: number; rootSettled: string | undefined }> {
    const fresh = await this.newEvents(this.stackId, '');
    for (const [id, nested] of this.nested) {
      if (nested.done) continue;
      fresh.push(...(await this.newEvents(id, nested.prefix)));
    }
    fresh.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
    let rootSettled: string | undefined;
    for (const event of fresh) {
      this.events.push(event);
      log(formatEvent(event, event.prefix));
      this.trackNested(event);
      if (event.prefix === '' && this.isRootEvent(event) && event.ResourceStatus && isSettled(event.ResourceStatus)) {
        rootSettled ??= event.ResourceStatus; // the first one ends our operation; a later one is another deploy's
      }
    }
    return { fresh: fresh.length, rootSettled };
  }

  private isRootEvent(event: EventLike): boolean {
    return event.ResourceType === 'AWS::CloudFormation::Stack' && (event.PhysicalResourceId === this.stackId || event.LogicalResourceId === this.stackName);
  }

  /** A nested stack appears as an AWS::CloudFormation::Stack resource of its parent. */
  private trackNested(event: StackEvent & { prefix: string }): void {
    const id = event.PhysicalResourceId;
    if (event.ResourceType !== 'AWS::CloudFormation::Stack' || !id?.startsWith('arn:') || id === this.stackId) return;
    const entry = this.nested.get(id) ?? { prefix: `${event.prefix}${event.LogicalResourceId ?? '?'}/`, done: false };
    entry.done = event.ResourceStatus !== undefined && isSettled(event.ResourceStatus);
    this.nested.set(id, entry);
  }

  /** Unseen events of one stack, reading pages until a seen one. */
  private async newEvents(stackId: string, prefix: string): Promise<(StackEvent & { prefix: string })[]> {
    const result: (StackEvent & { prefix: string })[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken: token }));
      let reachedSeen = false;
      for (const event of page.StackEvents ?? []) {
        if (!event.EventId || this.seen.has(event.EventId)) {
          reachedSeen = true;
          continue;
        }
        this.seen.add(event.EventId);
        result.push({ ...event, prefix });
      }
      token = reachedSeen ? undefined : page.NextToken;
    } while (token);
    return result;
  }

  /** The stack as DescribeStacks reports it now. */
  async describe(): Promise<Stack> {
    const answer = await this.client.send(new DescribeStacksCommand({ StackName: this.stackId }));
    const stack = answer.Stacks?.[0];
    if (!stack) throw new Error(`DescribeStacks returned no stack for ${this.stackId}`);
    return stack;
  }

  /**
   * Streams events until the stack settles; returns the settled stack.
   * Throws TimeoutError at the deadline and the signal's reason on abort.
   */
  async waitUntilSettled(options: WatchOptions): Promise<Stack> {
    const min = options.minIntervalMs ?? 200;
    const max = options.maxIntervalMs ?? 1000;
    const describeEvery = options.describeEvery ?? 15;
    let interval = min;
    for (let tick = 1; ; tick++) {
      const { fresh, rootSettled } = await this.poll(options.log);
      if (rootSettled || tick % describeEvery === 0 || (tick === 1 && options.describeFirst)) {
        const stack = await this.describe();
        // Our operation's own final event decides its status: by the time we
        // describe the stack, another deploy may have started the next operation.
        if (rootSettled) return { ...stack, StackStatus: rootSettled as StackStatus };
        if (stack.StackStatus && isSettled(stack.StackStatus)) {
          // Settled between our events read and DescribeStacks: print the last events too.
          const last = await this.poll(options.log);
          return { ...stack, StackStatus: (last.rootSettled as StackStatus | undefined) ?? stack.StackStatus };
        }
      }
      if (options.now() >= options.deadline) {
        const stack = await this.describe();
        if (stack.StackStatus && isSettled(stack.StackStatus)) return stack;
        throw new TimeoutError(
          `Stack ${this.stackName} is still ${stack.StackStatus ?? 'in progress'} after ${options.timeoutLabel}; the operation goes on in CloudFormation. Raise wait-timeout or look at the stack's events`,
        );
      }
      if (fresh > 0) interval = min; // activity: the end may be near
      await options.sleep(Math.min(interval, Math.max(0, options.deadline - options.now())), options.signal);
      interval = Math.min(max, Math.round(interval * 1.5));
    }
  }
}
