/** Retry with full jitter, bounded, with a log line per retry. (Left for packer-bake's sweep; to go.) */
import { errorMessage } from './errors.js';
import { fullJitterDelay } from './poll.js';
import { sleep as abortableSleep } from './sleep.js';

export interface BackoffOptions {
  /** Base delay of the first retry, in ms. */
  baseMs?: number;
  /** Upper bound of any single delay, in ms. */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
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
