/**
 * Is a recorded pid still the process we started? A pid is reused by the
 * system once its process is gone, so before a kept server is reused or
 * signalled, its command line must match what was recorded (the program and
 * its port). /proc gives the command line on Linux; elsewhere (macOS) `ps`.
 * And the one way to send a process (or its group) a signal.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Where process information is read; tests point it elsewhere to play a system without /proc. */
export interface ProcessLookup {
  procRoot?: string;
}

/** Alive and not a zombie (a kept server is re-parented to an init that may never reap it). */
export function isAlive(pid: number, lookup: ProcessLookup = {}): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error: unknown) {
    // EPERM: it exists but belongs to another user; runsOnPort() then tells whether it is ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`${lookup.procRoot ?? '/proc'}/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    const state = psField(pid, 'stat');
    return state === undefined ? true : !state.startsWith('Z');
  }
}

/**
 * Some process of the group `pgid` still runs. The group exists until
 * `kill(-pgid, 0)` fails with ESRCH; where /proc lists its members, members
 * that are only zombies (re-parented to an init that may never reap them) do not count.
 */
export function groupAlive(pgid: number, lookup: ProcessLookup = {}): boolean {
  if (!Number.isInteger(pgid) || pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error: unknown) {
    // EPERM: a member exists but belongs to another user, so the group is not gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  const members = groupMembers(pgid, lookup);
  return members === undefined || members.some((pid) => isAlive(pid, lookup));
}

/** The pids whose process group is `pgid`, from /proc; undefined when /proc cannot tell (macOS). */
function groupMembers(pgid: number, lookup: ProcessLookup): number[] | undefined {
  const root = lookup.procRoot ?? '/proc';
  let entries: string[];
  try {
    entries = readdirSync(root).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  return entries.map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`${root}/${pid}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] === String(pgid);
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** The process's arguments (NUL-separated in /proc, space-separated from ps), or undefined when neither can tell. */
export function commandLine(pid: number, lookup: ProcessLookup = {}): string[] | undefined {
  try {
    const raw = readFileSync(`${lookup.procRoot ?? '/proc'}/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch {
    const args = psField(pid, 'args');
    return args === undefined ? undefined : args.split(/\s+/).filter(Boolean);
  }
}

/**
 * The pid runs `program` with `--port`-style argument `port` (e.g. moto_server
 * `-p 5000`, flask `--port 5000`). False when nothing can tell: a process we
 * cannot identify is never signalled.
 */
export function runsOnPort(
  pid: number,
  program: string,
  portFlags: readonly string[],
  port: number,
  lookup: ProcessLookup = {},
): boolean {
  const args = commandLine(pid, lookup);
  if (!args) return false;
  if (!args.some((arg) => arg === program || arg.endsWith(`/${program}`))) return false;
  return args.some(
    (arg, index) =>
      (portFlags.includes(arg) && args[index + 1] === String(port)) ||
      portFlags.some((flag) => arg === `${flag}=${port}`),
  );
}

/**
 * Sends `name` to the process, or to its whole group (`group`: a child started `detached` leads one, and its
 * own children stop with it; when the group is gone, the process alone). A process already gone is no error.
 */
export function signalProcess(pid: number, name: NodeJS.Signals, options: { group?: boolean } = {}): void {
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (options.group && trySignal(-pid, name)) return;
  trySignal(pid, name);
}

function trySignal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    // already gone (ESRCH), or not ours to signal (EPERM): nothing to stop
    return false;
  }
}

function psField(pid: number, field: 'args' | 'stat'): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}
