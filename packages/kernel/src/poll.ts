/**
 * The one polling policy. Every wait for AWS to finish something that no SDK
 * waiter expresses (a stack's event stream, a change set whose failure reason
 * matters, an SSM version becoming visible, a pending AMI that must fail at
 * once when it is deregistered) goes through `poll`: the
 * interval starts short, grows by `factor` up to `maxIntervalMs`, drops back
 * to the start whenever the check saw activity, is jittered so that parallel
 * jobs do not poll in step, and never sleeps past the deadline.
 */
import { TimeoutError } from './errors.js';
import { sleep as abortableSleep } from './sleep.js';

/** The outcome of one check: finished with a value, or not yet (with or without news). */
export type PollStep<T> = { done: true; value: T } | { done: false; activity?: boolean };

export interface PollOptions {
  /** The whole wait, in ms; when it runs out the wait fails with a TimeoutError. */
  timeoutMs: number;
  /** The TimeoutError's message: what was still not done, and what to do. */
  timeoutMessage: () => string | Promise<string>;
  /** First pause, and the pause after any activity (default 1 s). */
  minIntervalMs?: number;
  /** Longest pause (default 5 s). */
  maxIntervalMs?: number;
  /** Growth of the pause per quiet check (default 1.5). */
  factor?: number;
  /** Aborting it ends the wait with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Injectable for tests: they run without real time passing. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** Share of each pause that is random: the pause is between 80 % and 100 % of the interval. */
const JITTER = 0.2;

/**
 * Calls `check` until it reports done and returns its value. The check runs
 * once more at the deadline, so a wait never fails on a result that arrived
 * while it slept.
 */
export async function poll<T>(check: (attempt: number) => Promise<PollStep<T>>, options: PollOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const min = options.minIntervalMs ?? 1_000;
  const max = Math.max(min, options.maxIntervalMs ?? 5_000);
  const factor = options.factor ?? 1.5;
  const deadline = now() + options.timeoutMs;
  let interval = min;
  for (let attempt = 1; ; attempt++) {
    const step = await check(attempt);
    if (step.done) return step.value;
    const left = deadline - now();
    if (left <= 0) throw new TimeoutError(await options.timeoutMessage());
    if (step.activity) interval = min;
    await sleep(Math.min(left, Math.round(interval * (1 - JITTER * random()))), options.signal);
    interval = Math.min(max, Math.round(interval * factor));
  }
}
