/**
 * The one retry policy for AWS API calls. The SDK's standard strategy still
 * decides WHETHER to retry (which errors are transient or throttling, the
 * shared retry quota); this module decides everything else, so that every
 * client the factory builds behaves the same:
 * - bound: at most `maxAttempts` attempts per call, the first included;
 * - full jitter: the pause before retry n is uniform in
 *   [0, min(cap, base * 2^(n-1))), so parallel jobs that were throttled
 *   together do not come back together;
 * - a server's Retry-After hint lengthens the pause by at most 5 s, as the SDK does;
 * - one log line per retry naming the operation, the attempt and the error;
 * - the pause goes through an injectable `sleep`, so tests run without real time passing.
 */
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';
import { sleep as abortableSleep } from './sleep.js';

/** Attempts per API call, the first included, when the caller does not say. */
export const DEFAULT_MAX_ATTEMPTS = 6;

/** How much longer than the jittered pause a server's Retry-After hint may make it. */
const RETRY_AFTER_ALLOWANCE_MS = 5_000;

export interface JitterOptions {
  /** Ceiling of the first retry's pause (default 250 ms). */
  baseMs?: number;
  /** Largest ceiling (default 20 s, the SDK's own maximum). */
  capMs?: number;
  /** Injectable randomness, in [0, 1). */
  random?: () => number;
}

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
 * uniformly random delay between 0 and min(cap, base * 2^(retry-1)).
 */
export function fullJitterDelay(retry: number, options: JitterOptions = {}): number {
  const { baseMs = 250, capMs = 20_000, random = Math.random } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The pause before a retry: the jittered delay, lengthened to a server's
 * Retry-After hint but by no more than 5 s, so a hint cannot stall a job.
 */
export function retryPause(jitteredMs: number, retryAfter: Date | undefined, now: number): number {
  if (!retryAfter) return jitteredMs;
  return Math.max(jitteredMs, Math.min(retryAfter.getTime() - now, jitteredMs + RETRY_AFTER_ALLOWANCE_MS));
}

/** What a retry line says about the failed attempt. */
export interface RetryEvent {
  /** `Service.Operation`, when the client factory could name it. */
  operation?: string | undefined;
  /** The attempt about to be made, 2 for the first retry. */
  attempt: number;
  maxAttempts: number;
  /** The error's name (ThrottlingException, TimeoutError, …). */
  errorName?: string | undefined;
  httpStatus?: number | undefined;
  pauseMs: number;
}

/** The log line of one retry: `Retrying SSM.GetParameter (attempt 2 of 6) after ThrottlingException 400; …`. */
export function retryLine(event: RetryEvent): string {
  const why = [event.errorName, event.httpStatus].filter(Boolean).join(' ');
  return (
    `Retrying ${event.operation ?? 'AWS call'} (attempt ${event.attempt} of ${event.maxAttempts}) ` +
    `after ${why || 'a transient error'}; backed off ${event.pauseMs} ms`
  );
}

export interface RetryPolicyOptions {
  /** Total attempts per API call, the first included (default 6). */
  maxAttempts?: number;
  /** Where the retry lines go (default: nowhere). */
  log?: (line: string) => void;
  /** Injectable randomness for the jitter. */
  random?: () => number;
  /** Injectable pause (default: the kernel's sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable clock, for the Retry-After hint. */
  now?: () => number;
}

/** The error fields a retry line reads; the client factory adds `$operation`. */
interface FailedCall {
  name?: string;
  $operation?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The retry policy as the strategy an SDK v3 client takes in its
 * `retryStrategy` config.
 */
export function retryStrategy(options: RetryPolicyOptions = {}): RetryStrategyV2 {
  return new PolicyRetryStrategy(options);
}

class PolicyRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  /** Decides whether to retry; its own pause is zero, the policy pauses instead. */
  private readonly decider: ConfiguredRetryStrategy;
  private readonly maxAttempts: number;

  constructor(private readonly options: RetryPolicyOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.decider = new ConfiguredRetryStrategy(this.maxAttempts, 0);
  }

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.decider.acquireInitialRetryToken(scope);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    // The hint is left out of the decider's copy so that it does not wait for it a second time.
    const next = await this.decider.refreshRetryTokenForRetry(token as StandardRetryToken, {
      ...info,
      retryAfterHint: undefined,
    });
    const retry = next.getRetryCount();
    const jittered = fullJitterDelay(retry, { random: this.options.random });
    const pauseMs = retryPause(jittered, info.retryAfterHint, (this.options.now ?? Date.now)());
    const error = (info.error ?? {}) as FailedCall;
    this.options.log?.(
      retryLine({
        operation: error.$operation,
        attempt: retry + 1,
        maxAttempts: this.maxAttempts,
        errorName: error.name,
        httpStatus: error.$metadata?.httpStatusCode,
        pauseMs,
      }),
    );
    await (this.options.sleep ?? abortableSleep)(pauseMs);
    // The SDK adds this to the call's $metadata.totalRetryDelay.
    const retryLog = (next as RetryToken & { $retryLog?: { acquisitionDelay?: number } }).$retryLog;
    if (retryLog) retryLog.acquisitionDelay = pauseMs;
    return next;
  }

  recordSuccess(token: RetryToken): void {
    this.decider.recordSuccess(token as StandardRetryToken);
  }
}
