/**
 * Cancellation. GitHub cancels a step with SIGINT, then SIGTERM 7.5 s later,
 * then kills the process tree 2.5 s after that. We turn the first signal into
 * an AbortSignal so the action can stop its work and clean up in time.
 */
import { CancelledError } from './errors.js';

export interface Cancellation {
  /** Aborted on the first of the signals listened for. */
  readonly signal: AbortSignal;
  /** The signal that arrived first, if any. */
  readonly received: () => NodeJS.Signals | undefined;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** What GitHub sends a cancelled step. */
export const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Listens for `signals` (SIGINT and SIGTERM unless told otherwise; a CLI adds
 * SIGHUP, which a closed terminal sends) and aborts `signal` on the first one.
 */
export function listenForCancellation(
  onSignal?: (signal: NodeJS.Signals, count: number) => void,
  signals: readonly NodeJS.Signals[] = CANCEL_SIGNALS,
): Cancellation {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  let count = 0;
  const handlers = signals.map((name) => {
    const handler = (): void => {
      count += 1;
      first ??= name;
      onSignal?.(name, count);
      if (!controller.signal.aborted) controller.abort(new CancelledError(name));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
