/** The repository, its tools folder, and a free port. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTool, freePort, pathWithTools, repoRoot, toolsBin } from '../src/index.js';

describe('paths', () => {
  it('finds the repository root (the folder with turbo.json) above the package', () => {
    expect(existsSync(join(repoRoot(), 'turbo.json'))).toBe(true);
    expect(existsSync(join(repoRoot(), 'packages', 'local-host'))).toBe(true);
  });

  it('finds a tool in IMG_MGR_TOOLS_DIR/bin before PATH, and puts that folder first on PATH', () => {
    const tools = mkdtempSync(join(tmpdir(), 'local-host-tools-'));
    const onPath = mkdtempSync(join(tmpdir(), 'local-host-path-'));
    mkdirSync(join(tools, 'bin'));
    writeFileSync(join(tools, 'bin', 'both'), '');
    writeFileSync(join(onPath, 'both'), '');
    writeFileSync(join(onPath, 'path-only'), '');
    const env = { IMG_MGR_TOOLS_DIR: tools, PATH: onPath };
    expect(toolsBin(env)).toBe(join(tools, 'bin'));
    expect(findTool('both', env)).toBe(join(tools, 'bin', 'both'));
    expect(findTool('path-only', env)).toBe(join(onPath, 'path-only'));
    expect(findTool('missing', env)).toBeUndefined();
    expect(pathWithTools(onPath, env)).toBe([join(tools, 'bin'), onPath].join(delimiter));
  });
});

describe('freePort', () => {
  it('gives a loopback port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(port).toBeGreaterThan(0);
  });
});
