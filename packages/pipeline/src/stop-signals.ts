/**
 * The signals that stop a command: SIGINT and SIGTERM (action-kit's
 * cancellation, as the actions use it) and SIGHUP, which a terminal sends
 * when it is closed. All three take the same path: the steps stop in order
 * (Packer interrupted so it removes its instance, key pair and security
 * group; a stack update cancelled), then what the command started is stopped.
 */
import { CANCEL_SIGNALS, listenForCancellation, type Cancellation } from '@img-mgr/kernel';

/** Listens for SIGINT, SIGTERM and SIGHUP; `onSignal` gets each one with its count (1 = the first). */
export function listenForStopSignals(onSignal: (signal: NodeJS.Signals, count: number) => void): Cancellation {
  return listenForCancellation(onSignal, [...CANCEL_SIGNALS, 'SIGHUP']);
}
