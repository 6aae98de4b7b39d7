/**
 * A process that survives SIGKILL (another user's, or stuck in the kernel) is
 * not reported stopped: its record stays, so `status` and `down` still find
 * it, and one line names its pid and how to stop it. The stop itself is
 * played by a stand-in, because no process of this test can survive SIGKILL.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StopOutcome } from '@img-mgr/local-host';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stopLocalAws } from '../src/local-aws.js';
import { previewStateFile, stopPreview } from '../src/preview.js';

const outcome = vi.hoisted((): { next: StopOutcome } => ({ next: 'still-running' }));
vi.mock('@img-mgr/local-host', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@img-mgr/local-host')>()),
  stopProcess: () => Promise.resolve(outcome.next),
}));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stop-record-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stopping a recorded process', () => {
  it('a local AWS still running after SIGKILL keeps its record, and the line names its pid', async () => {
    outcome.next = 'still-running';
    const stateFile = join(dir, 'local-aws.json');
    writeFileSync(stateFile, '{}');
    expect(await stopLocalAws({ pid: 4242, stateFile })).toBe(
      "the local AWS (moto) (pid 4242) is still running after SIGTERM and SIGKILL; stop it with 'kill -KILL 4242' " +
        `(as its owner, if another user runs it); its record stays in ${stateFile}`,
    );
    expect(existsSync(stateFile)).toBe(true);
  });

  it('a preview group still running after SIGKILL keeps its record, and the line names the group', async () => {
    outcome.next = 'still-running';
    writeFileSync(previewStateFile(dir), '{}');
    const line = await stopPreview(dir, { pid: 4343 });
    expect(line).toMatch(
      /^the local preview of the app \(Flask\) \(pid 4343 and its process group\) is still running /,
    );
    expect(line).toContain("stop it with 'kill -KILL -- -4343'");
    expect(existsSync(previewStateFile(dir))).toBe(true);
  });

  it('a process that is gone has its record removed, and no line', async () => {
    outcome.next = 'killed';
    const stateFile = join(dir, 'local-aws.json');
    writeFileSync(stateFile, '{}');
    writeFileSync(previewStateFile(dir), '{}');
    expect(await stopLocalAws({ pid: 4242, stateFile })).toBeUndefined();
    expect(await stopPreview(dir, { pid: 4343 })).toBeUndefined();
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(previewStateFile(dir))).toBe(false);
  });
});
