/**
 * Running Packer as a child process that can be interrupted cleanly.
 *
 * Packer's top-level process is a panicwrap parent that ignores SIGINT and
 * expects the terminal to deliver Ctrl-C to the whole process group; SIGINT
 * to its pid alone does nothing. So Packer runs in a process group of its own
 * and an interrupt is sent to that group, as a terminal would (the SIGINT
 * forwarding: `forwardSignalToPacker`). Packer then cancels the build and
 * cleans up (instance, temp key pair, temp security group); its plugins
 * ignore the interrupt and wait for the core to tell them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Env } from '@img-mgr/kernel';
import { LineSplitter } from './machine-readable.js';

export interface PackerRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why it was interrupted, if it was. */
  interrupted?: 'cancelled' | 'timeout';
  /** Whether it exited within the grace period after the interrupt. */
  exitedInTime: boolean;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  /** Packer's whole environment: built by the caller from its context, never this process's. */
  env: Env;
  /** Each stdout chunk, decoded (for the streaming parser). */
  onStdout?: (chunk: string) => void;
  /** Each stderr line. */
  onStderrLine?: (line: string) => void;
  /** Aborting interrupts Packer. */
  signal?: AbortSignal;
  /** Interrupts Packer after this long. */
  timeoutMs?: number;
  /** How long to wait for Packer after an interrupt (default 7 s: the runner sends SIGTERM at 7.5 s). */
  graceMs?: number;
  log?: (line: string) => void;
}

/** Runs `binary args` and resolves when it exits (or the grace period after an interrupt ends). */
export function runPacker(binary: string, args: string[], options: RunOptions): Promise<PackerRun> {
  const { graceMs = 7_000, log = () => undefined } = options;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let interrupted: PackerRun['interrupted'];
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: Omit<PackerRun, 'durationMs' | 'interrupted'>): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ...result, ...(interrupted ? { interrupted } : {}), durationMs: Date.now() - started });
    };
    const interrupt = (why: 'cancelled' | 'timeout'): void => {
      if (interrupted) return;
      interrupted = why;
      log(
        why === 'cancelled'
          ? `Interrupting Packer (SIGINT) so it cleans up; waiting up to ${Math.round(graceMs / 1000)} s`
          : `Packer ran past the timeout; interrupting it (SIGINT) so it cleans up`,
      );
      forwardSignalToPacker(child, 'SIGINT');
      timers.push(
        setTimeout(() => {
          log(`Packer did not exit within ${Math.round(graceMs / 1000)} s of the interrupt; sending SIGTERM`);
          forwardSignalToPacker(child, 'SIGTERM');
          // Stop waiting: let this process exit even though Packer still holds the pipes.
          child.stdout.destroy();
          child.stderr.destroy();
          child.unref();
          finish({ exitCode: null, signal: null, exitedInTime: false });
        }, graceMs),
      );
    };
    const onAbort = (): void => interrupt('cancelled');
    if (options.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      options.signal?.addEventListener('abort', onAbort, { once: true });
    }
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => interrupt('timeout'), options.timeoutMs));

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => options.onStdout?.(chunk));
    const stderrLines = new LineSplitter((line) => options.onStderrLine?.(line), 64 * 1024);
    child.stderr.on('data', (chunk: string) => stderrLines.push(chunk));
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      stderrLines.end();
      finish({ exitCode, signal, exitedInTime: true });
    });
  });
}

/**
 * The Packer SIGINT forwarding: sends `signal` to Packer's whole process
 * group, as a terminal's Ctrl-C does. Packer's top-level process is a
 * panicwrap parent that ignores a SIGINT sent to its pid alone; the group's
 * SIGINT reaches the core process, which cancels the build and deletes its
 * instance, temporary key pair and security group. `runPacker` spawns Packer
 * `detached` (a group of its own) so that this reaches it and nothing else.
 */
export function forwardSignalToPacker(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
