/** Retry with full jitter, bounded, with a log line per retry. */
import { sleep as abortableSleep, errorMessage } from '@img-mgr/action-kit';

export interface BackoffOptions {
  /** Base delay of the first retry, in ms. */
  baseMs?: number;
  /** Upper bound of any single delay, in ms. */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniformly random delay between 0 and min(cap, base * 2^retry).
 * `retry` counts from 1 for the first retry.
 */
export function fullJitterDelay(retry: number, options: BackoffOptions = {}): number {
  const { baseMs = 250, capMs = 20_000, random = Math.random } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions extends BackoffOptions {
  /** Total attempts, the first included. */
  attempts: number;
  /** Whether a failure is worth another attempt; default: all are. */
  isRetryable?: (error: unknown) => boolean;
  /** Where "retrying …" lines go. */
  log?: (line: string) => void;
  /** Injectable sleep so tests run instantly. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Calls `fn` until it succeeds or `attempts` run out. Each retry is logged
 * with `label`, the attempt number and the error that caused it.
 */
export async function retry<T>(label: string, fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, isRetryable = () => true, log = () => undefined, sleep = abortableSleep, signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error: unknown) {
      if (signal?.aborted || attempt >= attempts || !isRetryable(error)) throw error;
      const delay = fullJitterDelay(attempt, options);
      log(`Retrying ${label} (attempt ${attempt + 1} of ${attempts}) in ${delay} ms after: ${errorMessage(error)}`);
      await sleep(delay, signal);
    }
  }
}
