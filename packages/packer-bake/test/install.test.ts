import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedChecksum, MIRROR_ENV, packerVersion, releasePlatform, resolvePacker, supportsInit } from '../src/index.js';

/**
 * The tool-cache install path against a release server on 127.0.0.1 that
 * serves a stand-in Packer (a script answering `version`) the way
 * releases.hashicorp.com lays out its files.
 */
let server: Server;
let mirror: string;
let requests: string[] = [];
const files = new Map<string, Buffer>();
const work = mkdtempSync(join(tmpdir(), 'bake-install-'));

function releaseZip(version: string): Buffer {
  const dir = mkdtempSync(join(work, 'release-'));
  const script = join(dir, 'packer');
  writeFileSync(script, `#!/bin/sh\necho "Packer v${version}"\n`);
  chmodSync(script, 0o755);
  const zip = join(dir, 'packer.zip');
  execFileSync('zip', ['-q', '-j', zip, script]);
  return readFileSync(zip);
}

function publish(version: string, options: { corrupt?: boolean } = {}): void {
  const zipName = `packer_${version}_${releasePlatform()}.zip`;
  const zip = releaseZip(version);
  const sha = createHash('sha256').update(options.corrupt ? Buffer.from('something else') : zip).digest('hex');
  files.set(`/${version}/${zipName}`, zip);
  files.set(`/${version}/packer_${version}_SHA256SUMS`, Buffer.from(`${'0'.repeat(64)}  packer_${version}_darwin_arm64.zip\n${sha}  ${zipName}\n`));
}

beforeAll(async () => {
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache');
  process.env.RUNNER_TEMP = join(work, 'temp');
  publish('9.9.9');
  publish('9.9.8', { corrupt: true });
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = files.get(request.url ?? '');
    response.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: '/nonexistent', [MIRROR_ENV]: mirror });

describe('Packer install through the tool cache', () => {
  it('downloads the release zip and SHA256SUMS, verifies and caches it, then reuses the cache', async () => {
    requests = [];
    const lines: string[] = [];
    const installed = await resolvePacker({ version: '9.9.9', env: env(), log: (line) => lines.push(line) });
    expect(installed.source).toBe('download');
    expect(installed.path.startsWith(join(work, 'tool-cache', 'packer', '9.9.9'))).toBe(true);
    expect(await packerVersion(installed.path)).toBe('9.9.9');
    expect(requests).toEqual([`/9.9.9/packer_9.9.9_${releasePlatform()}.zip`, '/9.9.9/packer_9.9.9_SHA256SUMS']);
    expect(lines.join('\n')).toContain('Verified packer_9.9.9_');

    requests = [];
    const again = await resolvePacker({ version: '9.9.9', env: env() });
    expect(again).toEqual({ ...installed, source: 'tool-cache' });
    expect(requests).toEqual([]);
  });

  it('refuses a download whose checksum does not match SHA256SUMS', async () => {
    await expect(resolvePacker({ version: '9.9.8', env: env() })).rejects.toThrow(
      /^Checksum mismatch for packer_9\.9\.8_\w+\.zip: SHA256SUMS says [0-9a-f]{64}, the download is [0-9a-f]{64}$/,
    );
  });

  it("requires Packer on PATH when packer-version is 'path', naming the fix", async () => {
    await expect(resolvePacker({ version: 'path', env: env() })).rejects.toThrow(/Packer is not on PATH. Set 'packer-version'/);
  });

  it('reads SHA256SUMS lines and knows which versions have packer init', () => {
    expect(expectedChecksum(`${'a'.repeat(64)}  packer_1.11.2_linux_amd64.zip\n`, 'packer_1.11.2_linux_amd64.zip')).toBe('a'.repeat(64));
    expect(expectedChecksum(`${'a'.repeat(64)}  packer_1.11.2_linux_arm64.zip\n`, 'packer_1.11.2_linux_amd64.zip')).toBeUndefined();
    expect([supportsInit('1.6.6'), supportsInit('1.7.0'), supportsInit('1.11.2'), supportsInit('2.0.0')]).toEqual([false, true, true, true]);
  });
});
