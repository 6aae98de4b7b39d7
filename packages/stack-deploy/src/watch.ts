/**
 * Waits for a stack operation to end while streaming its events (nested
 * stacks included). The wait is the kernel's `poll`: 200 ms right after
 * activity, growing to at most 1 s while nothing happens, so the end is
 * noticed within about a second with one API call per tick.
 */
import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  paginateDescribeStackEvents,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { poll, type PollOptions } from '@img-mgr/kernel';
import { formatEvent, type EventLike } from './events.js';
import { isSettled } from './status.js';

/** Injectable time for tests (the kernel's `poll` options). */
export type Clock = Pick<PollOptions, 'sleep' | 'now' | 'random'>;

export interface WatchOptions {
  log: (line: string) => void;
  /** Absolute time (ms since epoch) after which waiting fails. */
  deadline: number;
  /** What the wait-timeout is called in the error. */
  timeoutLabel: string;
  signal: AbortSignal;
  clock: Clock;
  /** Check DescribeStacks on the first tick as well (the operation may have ended before the baseline). */
  describeFirst?: boolean | undefined;
}

/** Pause bounds of the watch: the end of an operation is seen within about a second. */
const MIN_INTERVAL_MS = 200;
const MAX_INTERVAL_MS = 1_000;
/** Also check DescribeStacks every this many ticks, in case an event is missed. */
const DESCRIBE_EVERY = 15;

/** A stack being watched: remembers which events were already printed. */
export class StackWatcher {
  /** Every event printed during this watch, oldest first, with its nested-stack prefix. */
  readonly events: (StackEvent & { prefix: string })[] = [];
  private readonly seen = new Set<string>();
  /** Nested stack id to its log prefix. */
  private readonly nested = new Map<string, { prefix: string; done: boolean }>();

  /** `count` marks each command for the deploy's call counts. */
  constructor(
    private readonly client: CloudFormationClient,
    readonly stackId: string,
    private readonly stackName: string,
    private readonly count: <C extends object>(command: C) => C = (command) => command,
  ) {}

  /**
   * Marks every event that already exists as seen, so only the operation's
   * own events are printed. Call right before starting the operation.
   */
  async baseline(): Promise<void> {
    const page = await this.client.send(this.count(new DescribeStackEventsCommand({ StackName: this.stackId })));
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
    return (
      event.ResourceType === 'AWS::CloudFormation::Stack' &&
      (event.PhysicalResourceId === this.stackId || event.LogicalResourceId === this.stackName)
    );
  }

  /** A nested stack appears as an AWS::CloudFormation::Stack resource of its parent. */
  private trackNested(event: StackEvent & { prefix: string }): void {
    const id = event.PhysicalResourceId;
    if (event.ResourceType !== 'AWS::CloudFormation::Stack' || !id?.startsWith('arn:') || id === this.stackId) return;
    const entry = this.nested.get(id) ?? { prefix: `${event.prefix}${event.LogicalResourceId ?? '?'}/`, done: false };
    entry.done = event.ResourceStatus !== undefined && isSettled(event.ResourceStatus);
    this.nested.set(id, entry);
  }

  /** Unseen events of one stack, newest first: pages are read until one holds an event already seen. */
  private async newEvents(stackId: string, prefix: string): Promise<(StackEvent & { prefix: string })[]> {
    const result: (StackEvent & { prefix: string })[] = [];
    const pages = paginateDescribeStackEvents({ client: this.client, withCommand: this.count }, { StackName: stackId });
    for await (const page of pages) {
      let reachedSeen = false;
      for (const event of page.StackEvents ?? []) {
        if (!event.EventId || this.seen.has(event.EventId)) {
          reachedSeen = true;
          continue;
        }
        this.seen.add(event.EventId);
        result.push({ ...event, prefix });
      }
      if (reachedSeen) break;
    }
    return result;
  }

  /** The stack as DescribeStacks reports it now. */
  async describe(): Promise<Stack> {
    const answer = await this.client.send(this.count(new DescribeStacksCommand({ StackName: this.stackId })));
    const stack = answer.Stacks?.[0];
    if (!stack) throw new Error(`DescribeStacks returned no stack for ${this.stackId}`);
    return stack;
  }

  /**
   * Streams events until the stack settles; returns the settled stack.
   * Throws TimeoutError at the deadline and the signal's reason on abort.
   */
  async waitUntilSettled(options: WatchOptions): Promise<Stack> {
    const now = options.clock.now ?? Date.now;
    let lastStatus: string | undefined;
    return poll<Stack>(
      async (tick) => {
        const { fresh, rootSettled } = await this.poll(options.log);
        if (rootSettled || tick % DESCRIBE_EVERY === 0 || (tick === 1 && options.describeFirst)) {
          const stack = await this.describe();
          // Our operation's own final event decides its status: by the time we
          // describe the stack, another deploy may have started the next operation.
          if (rootSettled) return { done: true, value: { ...stack, StackStatus: rootSettled as StackStatus } };
          if (stack.StackStatus && isSettled(stack.StackStatus)) {
            // Settled between our events read and DescribeStacks: print the last events too.
            const last = await this.poll(options.log);
            const status = (last.rootSettled as StackStatus | undefined) ?? stack.StackStatus;
            return { done: true, value: { ...stack, StackStatus: status } };
          }
        }
        if (now() >= options.deadline) {
          // The last check: a stack that settled unnoticed is not a timeout.
          const stack = await this.describe();
          if (stack.StackStatus && isSettled(stack.StackStatus)) return { done: true, value: stack };
          lastStatus = stack.StackStatus;
        }
        return { done: false, activity: fresh > 0 };
      },
      {
        timeoutMs: options.deadline - now(),
        timeoutMessage: () =>
          `Stack ${this.stackName} is still ${lastStatus ?? 'in progress'} after ${options.timeoutLabel}; ` +
          "the operation goes on in CloudFormation. Raise wait-timeout or look at the stack's events",
        minIntervalMs: MIN_INTERVAL_MS,
        maxIntervalMs: MAX_INTERVAL_MS,
        signal: options.signal,
        ...options.clock,
      },
    );
  }
}
