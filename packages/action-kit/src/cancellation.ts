/**
 * Cancellation. GitHub cancels a step with SIGINT, then SIGTERM 7.5 s later,
 * then kills the process tree 2.5 s after that. We turn the first signal into
 * an AbortSignal so the action can stop its work and clean up in time.
 */
import { CancelledError } from './errors.js';

export interface Cancellation {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal that arrived first, if any. */
  readonly received: () => NodeJS.Signals | undefined;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** Listens for SIGINT/SIGTERM and aborts `signal` on the first one. */
export function listenForCancellation(onSignal?: (signal: NodeJS.Signals, count: number) => void): Cancellation {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    first ??= signal;
    onSignal?.(signal, count);
    if (!controller.signal.aborted) controller.abort(new CancelledError(signal));
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}


/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
