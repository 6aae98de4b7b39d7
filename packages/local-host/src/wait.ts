/** Waiting for something on this machine (a process gone, a server answering), by the kernel's one polling policy. */
import { poll, TimeoutError } from '@img-mgr/kernel';

export interface WaitOptions {
  /** How long to wait; the condition is checked once more when it has run out. */
  timeoutMs: number;
  /** The first pause between checks (default 50 ms); later pauses grow to four times that. */
  intervalMs?: number;
  /** Aborting it ends the wait with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * True as soon as `condition` holds, false when it still does not after `timeoutMs`. An error the condition
 * throws ends the wait with that error (a server that exited need not be waited for).
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<boolean> {
  const interval = options.intervalMs ?? 50;
  try {
    return await poll<boolean>(async () => ((await condition()) ? { done: true, value: true } : { done: false }), {
      timeoutMs: options.timeoutMs,
      timeoutMessage: () => `still not done after ${options.timeoutMs} ms`,
      minIntervalMs: interval,
      maxIntervalMs: interval * 4,
      signal: options.signal,
    });
  } catch (error: unknown) {
    if (error instanceof TimeoutError) return false;
    throw error;
  }
}
