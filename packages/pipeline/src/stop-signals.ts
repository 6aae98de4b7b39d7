/**
 * The signals that stop a command: SIGINT and SIGTERM (action-kit's
 * cancellation, as the actions use it) and SIGHUP, which a terminal sends
 * when it is closed. All three take the same path: the steps stop in order
 * (Packer interrupted so it removes its instance, key pair and security
 * group; a stack update cancelled), then what the command started is stopped.
 */
import { CancelledError, listenForCancellation, type Cancellation } from '@img-mgr/action-kit';

/** Listens for SIGINT, SIGTERM and SIGHUP; `onSignal` gets each one with its count (1 = the first). */
export function listenForStopSignals(onSignal: (signal: NodeJS.Signals, count: number) => void): Cancellation {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  let count = 0;
  const handle = (signal: NodeJS.Signals): void => {
    count += 1;
    first ??= signal;
    onSignal(signal, count);
    if (!controller.signal.aborted) controller.abort(new CancelledError(signal));
  };
  const kit = listenForCancellation((signal) => handle(signal));
  const onHangup = (): void => handle('SIGHUP');
  process.on('SIGHUP', onHangup);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      kit.dispose();
      process.off('SIGHUP', onHangup);
    },
  };
}
