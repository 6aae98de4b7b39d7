/**
 * The one way a process started on this machine is stopped: SIGTERM, a grace to exit by itself (moto and
 * Flask shut down cleanly), then SIGKILL, and a wait until it is gone, so that whoever reports "stopped"
 * (the CLI's `down`, a test's teardown) is telling the truth.
 */
import type { ChildProcess } from 'node:child_process';
import { groupAlive, isAlive, signalProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface StopOptions {
  /** Signal the process's whole group (it was started `detached`, and its children stop with it). */
  group?: boolean;
  /** How long SIGTERM has before SIGKILL (default 3 s). */
  graceMs?: number;
  /** How long a killed process has to be gone (default 2 s): the system reaps it a moment after SIGKILL. */
  killWaitMs?: number;
}

/** How a stop ended: nothing ran, SIGTERM sufficed, SIGKILL was needed, or it is somehow still there. */
export type StopOutcome = 'not-running' | 'terminated' | 'killed' | 'still-running';

/** Stops `target` (a child of this process, or a recorded pid); resolves when it is gone or cannot be made so. */
export async function stopProcess(target: ChildProcess | number, options: StopOptions = {}): Promise<StopOutcome> {
  const pid = typeof target === 'number' ? target : target.pid;
  // A child of ours is gone once Node has seen it exit; a recorded pid once the system no longer runs it.
  const leaderGone =
    typeof target === 'number' ? () => !isAlive(target) : () => target.exitCode !== null || target.signalCode !== null;
  if (pid === undefined) return 'not-running';
  // A group outlives its leader while any member runs (a member that ignores SIGTERM): wait for all of them.
  const gone = options.group ? () => leaderGone() && !groupAlive(pid) : leaderGone;
  if (gone()) return 'not-running';
  const group = { group: options.group ?? false };
  signalProcess(pid, 'SIGTERM', group);
  if (await waitFor(gone, { timeoutMs: options.graceMs ?? 3_000 })) return 'terminated';
  signalProcess(pid, 'SIGKILL', group);
  return (await waitFor(gone, { timeoutMs: options.killWaitMs ?? 2_000 })) ? 'killed' : 'still-running';
}

/** One line for a stop that ended 'still-running': which process survived, and how to stop it by hand. */
export function stillRunningLine(what: string, pid: number, options: Pick<StopOptions, 'group'> = {}): string {
  const which = options.group ? `pid ${pid} and its process group` : `pid ${pid}`;
  return (
    `${what} (${which}) is still running after SIGTERM and SIGKILL; stop it with ` +
    `'kill -KILL ${options.group ? `-- -${pid}` : pid}' (as its owner, if another user runs it)`
  );
}
