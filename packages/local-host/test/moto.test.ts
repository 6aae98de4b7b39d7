// @needs-tools moto_server
/** moto_server started on a free port, answering, and stopped; a failed start says why. */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, motoAnswers, MotoStartError, startMotoServer } from '../src/index.js';

describe('startMotoServer', () => {
  it('starts moto on a free port, answers AWS calls there, and is gone after stop', async () => {
    const moto = await startMotoServer();
    try {
      expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
      expect(await motoAnswers(moto.endpoint)).toBe(true);
      const response = await fetch(`${moto.endpoint}/moto-api/data.json`);
      expect(response.ok).toBe(true);
    } finally {
      expect(await moto.stop()).toBe('terminated');
    }
    expect(isAlive(moto.pid)).toBe(false);
    expect(await motoAnswers(moto.endpoint, 500)).toBe(false);
  });

  it('detached with a log file: its own process group, its output in the file', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'local-host-moto-')), 'moto.log');
    const moto = await startMotoServer({ logFile, detached: true });
    try {
      await fetch(`${moto.endpoint}/moto-api/data.json`);
    } finally {
      await moto.stop();
    }
    expect(readFileSync(logFile, 'utf8')).toContain('/moto-api/data.json');
  });

  it('a moto_server that exits at once fails the start with its exit and its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-host-moto-'));
    const broken = join(dir, 'moto_server');
    writeFileSync(broken, '#!/bin/sh\necho "no such option" >&2\nexit 2\n');
    chmodSync(broken, 0o755);
    const failure = startMotoServer({ motoServer: broken, timeoutMs: 10_000 });
    await expect(failure).rejects.toBeInstanceOf(MotoStartError);
    await expect(failure).rejects.toThrow(/moto_server did not start \(exit 2\): no such option/);
  });
});
