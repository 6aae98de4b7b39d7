/**
 * runPacker's process handling with small shell scripts standing in for
 * Packer (the real Packer's interrupt and cleanup are tested against moto in
 * actions/bake-ami/test/bake.test.ts).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPacker } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bake-process-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function collect(): { text: () => string; onStdout: (chunk: string) => void } {
  let text = '';
  return { text: () => text, onStdout: (chunk) => (text += chunk) };
}

describe('runPacker', () => {
  it('sends the interrupt to the whole process group on abort, like a terminal Ctrl-C', async () => {
    // The parent ignores SIGINT sent to it and waits for its child, as Packer's panicwrap parent
    // does; only the child, reached through the group, handles it.
    const child = script(
      'child.sh',
      "trap 'echo child got INT; exit 1' INT\necho started\nwhile :; do sleep 0.05; done",
    );
    const parentJs = join(dir, 'parent.cjs');
    writeFileSync(
      parentJs,
      "process.on('SIGINT', () => {});\n" +
        `const c = require('node:child_process').spawn(${JSON.stringify(child)}, { stdio: 'inherit' });\n` +
        "c.on('exit', () => { console.log('parent saw child exit'); process.exit(0); });\n",
    );
    const parent = script('parent.sh', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(parentJs)}`);
    const controller = new AbortController();
    const output = collect();
    const running = runPacker(parent, [], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      signal: controller.signal,
      onStdout: (chunk) => {
        output.onStdout(chunk);
        if (chunk.includes('started')) setTimeout(() => controller.abort(), 100);
      },
    });
    const run = await running;
    expect(run).toMatchObject({ exitCode: 0, interrupted: 'cancelled', exitedInTime: true });
    expect(output.text()).toContain('child got INT');
    expect(output.text()).toContain('parent saw child exit');
  });

  it('stops waiting after the grace period when the process ignores the interrupt, and sends SIGTERM', async () => {
    const stubborn = script('stubborn.sh', "trap '' INT\necho started\nwhile :; do sleep 0.05; done");
    const lines: string[] = [];
    const run = await runPacker(stubborn, [], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      timeoutMs: 200,
      graceMs: 300,
      log: (line) => lines.push(line),
    });
    expect(run).toMatchObject({ exitCode: null, interrupted: 'timeout', exitedInTime: false });
    expect(lines).toEqual([
      'Packer ran past the timeout; interrupting it (SIGINT) so it cleans up',
      'Packer did not exit within 0 s of the interrupt; sending SIGTERM',
    ]);
  });

  it('passes stderr line by line and the exit code through', async () => {
    const failing = script('failing.sh', 'echo "first problem" >&2\nprintf "last problem" >&2\nexit 3');
    const stderr: string[] = [];
    const run = await runPacker(failing, [], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      onStderrLine: (line) => stderr.push(line),
    });
    expect(run).toMatchObject({ exitCode: 3, exitedInTime: true });
    expect(run.interrupted).toBeUndefined();
    expect(stderr).toEqual(['first problem', 'last problem']);
  });
});
