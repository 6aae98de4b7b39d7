/**
 * Stopping a process: SIGTERM first, SIGKILL after the grace when SIGTERM is ignored, and "gone" only when
 * the system no longer runs it. Real child processes (node), by child and by recorded pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { groupAlive, isAlive, stopProcess, waitFor } from '../src/index.js';

const children: ChildProcess[] = [];
const members: number[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pid of members.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A node child that prints `ready` once its handlers are in place; `ignoreTerm` makes it ignore SIGTERM. */
async function child(options: { ignoreTerm?: boolean; detached?: boolean } = {}): Promise<ChildProcess> {
  const script =
    (options.ignoreTerm ? "process.on('SIGTERM', () => {});" : '') +
    "setInterval(() => {}, 1000); process.stdout.write('ready');";
  const started = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: options.detached ?? false,
  });
  children.push(started);
  await once(started.stdout, 'data');
  return started;
}

describe('stopProcess', () => {
  it('stops a child with SIGTERM and resolves once it has exited', async () => {
    const running = await child();
    expect(await stopProcess(running)).toBe('terminated');
    expect(running.signalCode).toBe('SIGTERM');
  });

  it('sends SIGKILL after the grace when SIGTERM is ignored, and waits until the child is gone', async () => {
    const stubborn = await child({ ignoreTerm: true });
    const started = Date.now();
    expect(await stopProcess(stubborn, { graceMs: 300 })).toBe('killed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(stubborn.signalCode).toBe('SIGKILL');
  });

  it('stops a recorded pid (not a child object) and its whole group, escalating the same way', async () => {
    const stubborn = await child({ ignoreTerm: true, detached: true });
    const pid = stubborn.pid ?? 0;
    expect(isAlive(pid)).toBe(true);
    expect(await stopProcess(pid, { group: true, graceMs: 200 })).toBe('killed');
    expect(isAlive(pid)).toBe(false);
  });

  it('waits for every member of a group, not only its leader: a member that ignores SIGTERM gets SIGKILL', async () => {
    // The leader exits on SIGTERM; the member it started (same group) ignores SIGTERM.
    const member = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.stdout.write('ready');";
    const script =
      "const { spawn } = require('node:child_process');" +
      `const m = spawn(process.execPath, ['-e', ${JSON.stringify(member)}], { stdio: ['ignore', 'pipe', 'ignore'] });` +
      "m.stdout.once('data', () => process.stdout.write(String(m.pid)));" +
      'setInterval(() => {}, 1000);';
    const leader = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    children.push(leader);
    const [chunk] = (await once(leader.stdout, 'data')) as [Buffer];
    const memberPid = Number(chunk.toString());
    members.push(memberPid);
    const pgid = leader.pid ?? 0;
    expect(isAlive(memberPid)).toBe(true);
    expect(await stopProcess(leader, { group: true, graceMs: 300 })).toBe('killed');
    expect(leader.signalCode).toBe('SIGTERM');
    expect(isAlive(memberPid)).toBe(false);
    expect(groupAlive(pgid)).toBe(false);
  });

  it('reports a process that is already gone as not running, and signals nothing', async () => {
    const running = await child();
    running.kill('SIGTERM');
    await once(running, 'exit');
    expect(await stopProcess(running)).toBe('not-running');
    expect(await stopProcess(running.pid ?? 0)).toBe('not-running');
    expect(await stopProcess(0)).toBe('not-running');
  });
});

describe('waitFor', () => {
  it('is true as soon as the condition holds, false when it never does within the time', async () => {
    let checks = 0;
    expect(await waitFor(() => ++checks >= 3, { timeoutMs: 5_000, intervalMs: 10 })).toBe(true);
    expect(checks).toBe(3);
    const started = Date.now();
    expect(await waitFor(() => false, { timeoutMs: 200, intervalMs: 10 })).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('ends with the error a check throws, and with the reason of an aborted signal', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('the server exited');
        },
        { timeoutMs: 1_000 },
      ),
    ).rejects.toThrow('the server exited');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(waitFor(() => false, { timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow('cancelled');
  });
});
