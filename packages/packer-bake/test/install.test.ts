import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as toolCache from '@actions/tool-cache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HASHICORP_KEY_ARMORED, HASHICORP_KEY_FINGERPRINT } from '../src/hashicorp-key.js';
import {
  expectedChecksum,
  MIRROR_ENV,
  packerVersion,
  releasePlatform,
  resolvePacker,
  supportsInit,
  type TrustedKey,
} from '../src/index.js';
import { testContext } from './context.js';

/**
 * The tool-cache install path against a release server on 127.0.0.1 that
 * serves a stand-in Packer (a script answering `version`) the way
 * releases.hashicorp.com lays out its files, SHA256SUMS signed with a
 * throwaway gpg key made here and trusted through the test-only seam
 * (`trustedKey`); the production key is the committed HashiCorp one.
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

/** A gpg home with a fresh signing key (no passphrase); its agent is stopped in afterAll. */
interface TestSigner {
  home: string;
  key: TrustedKey;
}

function gpg(home: string, args: string[]): string {
  return execFileSync('gpg', ['--batch', '--no-tty', '--homedir', home, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function makeSigner(name: string): TestSigner {
  const home = mkdtempSync(join(tmpdir(), 'gpgt-'));
  gpg(home, [
    '--passphrase',
    '',
    '--quick-generate-key',
    `${name} <${name}@example.invalid>`,
    'ed25519',
    'sign',
    'never',
  ]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys']))?.[1] ?? '';
  return { home, key: { armored: gpg(home, ['--armor', '--export']), fingerprint } };
}

function sign(signer: TestSigner, data: Buffer): Buffer {
  const file = join(mkdtempSync(join(work, 'sign-')), 'data');
  writeFileSync(file, data);
  gpg(signer.home, [
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--detach-sign',
    '--output',
    `${file}.sig`,
    file,
  ]);
  return readFileSync(`${file}.sig`);
}

let trusted: TestSigner;
let stranger: TestSigner;

/**
 * Publishes a release. `corrupt`: SHA256SUMS (correctly signed) lists the
 * wrong checksum; `tampered`: SHA256SUMS changed after it was signed;
 * `signer`: who signed it (default: the trusted key).
 */
function publish(version: string, options: { corrupt?: boolean; tampered?: boolean; signer?: TestSigner } = {}): void {
  const zipName = `packer_${version}_${releasePlatform()}.zip`;
  const zip = releaseZip(version);
  const sha = createHash('sha256')
    .update(options.corrupt ? Buffer.from('something else') : zip)
    .digest('hex');
  const sums = Buffer.from(`${'0'.repeat(64)}  packer_${version}_darwin_arm64.zip\n${sha}  ${zipName}\n`);
  const signature = sign(options.signer ?? trusted, sums);
  files.set(`/${version}/${zipName}`, zip);
  files.set(
    `/${version}/packer_${version}_SHA256SUMS`,
    options.tampered ? Buffer.from(sums.toString().replace(/^0/, '1')) : sums,
  );
  files.set(`/${version}/packer_${version}_SHA256SUMS.sig`, signature);
}

beforeAll(async () => {
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache');
  process.env.RUNNER_TEMP = join(work, 'temp');
  trusted = makeSigner('trusted');
  stranger = makeSigner('stranger');
  publish('9.9.9');
  publish('9.9.8', { corrupt: true });
  publish('9.9.7', { tampered: true });
  publish('9.9.6', { signer: stranger });
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
  // Signing started a gpg-agent for each test key: stop them.
  for (const signer of [trusted, stranger]) execFileSync('gpgconf', ['--homedir', signer.home, '--kill', 'gpg-agent']);
});

/** A PATH holding gpg and no Packer (this machine has one in /usr/bin). */
const gpgOnly = join(work, 'bin');
mkdirSync(gpgOnly);
symlinkSync(execFileSync('sh', ['-c', 'command -v gpg'], { encoding: 'utf8' }).trim(), join(gpgOnly, 'gpg'));
/** The Context's env of every install here: that PATH and the mirror. */
const env = (): Record<string, string | undefined> => ({ HOME: process.env.HOME, PATH: gpgOnly, [MIRROR_ENV]: mirror });
/** The request every install here uses: the throwaway key trusted through the test seam. */
const install = (version: string): Parameters<typeof resolvePacker>[0] => ({
  version,
  trustedKey: trusted.key,
  toolCache,
});

describe('Packer install through the tool cache', () => {
  it('downloads the release zip and SHA256SUMS, verifies and caches it, then reuses the cache', async () => {
    requests = [];
    const context = testContext(env());
    const lines = context.lines;
    const installed = await resolvePacker(install('9.9.9'), context);
    expect(installed.source).toBe('download');
    expect(installed.path.startsWith(join(work, 'tool-cache', 'packer', '9.9.9'))).toBe(true);
    expect(await packerVersion(installed.path, env())).toBe('9.9.9');
    // The signature is checked before the zip is even downloaded.
    expect(requests).toEqual([
      '/9.9.9/packer_9.9.9_SHA256SUMS',
      '/9.9.9/packer_9.9.9_SHA256SUMS.sig',
      `/9.9.9/packer_9.9.9_${releasePlatform()}.zip`,
    ]);
    expect(lines.join('\n')).toContain(
      `Verified the signature on packer_9.9.9_SHA256SUMS (key ${trusted.key.fingerprint})`,
    );
    expect(lines.join('\n')).toContain('Verified packer_9.9.9_');

    requests = [];
    const again = await resolvePacker({ version: '9.9.9', toolCache }, testContext(env()));
    expect(again).toEqual({ ...installed, source: 'tool-cache' });
    expect(requests).toEqual([]);
  });

  it('refuses a download whose checksum does not match a correctly signed SHA256SUMS', async () => {
    await expect(resolvePacker(install('9.9.8'), testContext(env()))).rejects.toThrow(
      /^Checksum mismatch for packer_9\.9\.8_\w+\.zip: SHA256SUMS says [0-9a-f]{64}, the download is [0-9a-f]{64}$/,
    );
  });

  it('refuses a SHA256SUMS changed after it was signed, before downloading the zip', async () => {
    requests = [];
    await expect(resolvePacker(install('9.9.7'), testContext(env()))).rejects.toThrow(
      new RegExp(
        /^packer_9\.9\.7_SHA256SUMS has a bad signature \(the file was changed after it was signed\); /.source +
          /the download was refused$/.source,
      ),
    );
    expect(requests.some((url) => url.endsWith('.zip'))).toBe(false);
  });

  it('refuses a SHA256SUMS signed by another key than the trusted one', async () => {
    await expect(resolvePacker(install('9.9.6'), testContext(env()))).rejects.toThrow(
      new RegExp(
        `^packer_9\\.9\\.6_SHA256SUMS is not signed by the trusted key ${trusted.key.fingerprint}; ` +
          'the download was refused$',
      ),
    );
  });

  it("trusts HashiCorp's committed key by default, whose fingerprint C874011F...468F gpg confirms", async () => {
    expect(HASHICORP_KEY_FINGERPRINT).toBe('C874011F0AB405110D02105534365D9472D7468F');
    const keyFile = join(mkdtempSync(join(work, 'key-')), 'hashicorp.asc');
    writeFileSync(keyFile, HASHICORP_KEY_ARMORED);
    const shown = execFileSync('gpg', ['--batch', '--with-colons', '--show-keys', keyFile], { encoding: 'utf8' });
    expect(/^fpr:+([0-9A-F]{40}):/m.exec(shown)?.[1]).toBe(HASHICORP_KEY_FINGERPRINT);
    expect(shown).toContain('HashiCorp Security');
    // Without the test seam, the throwaway signature of 9.9.5 is refused: only HashiCorp's key is trusted.
    publish('9.9.5');
    await expect(resolvePacker({ version: '9.9.5', toolCache }, testContext(env()))).rejects.toThrow(
      new RegExp(
        /^packer_9\.9\.5_SHA256SUMS is not signed by the trusted key /.source +
          /C874011F0AB405110D02105534365D9472D7468F; the download was refused$/.source,
      ),
    );
  });

  it('says in one line that the release server cannot be reached (no network), no raw getaddrinfo error', async () => {
    // tool-cache retries a failed connection 3 times, 10-20 s apart; its own test globals shorten the wait.
    const globals = globalThis as Record<string, unknown>;
    globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
    globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;
    try {
      const offline = { ...env(), [MIRROR_ENV]: 'http://releases.invalid' };
      await expect(
        resolvePacker({ version: '9.9.4', trustedKey: trusted.key, toolCache }, testContext(offline)),
      ).rejects.toThrow(
        new RegExp(
          /^Cannot download Packer 9\.9\.4: releases\.invalid cannot be reached \((ENOTFOUND|EAI_AGAIN); /.source +
            /no network\?\)\. Put Packer on PATH and set packer-version to 'path', /.source +
            /or set IMG_MGR_PACKER_MIRROR to a reachable mirror$/.source,
        ),
      );
      const closed = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const closedMirror = testContext({ ...env(), [MIRROR_ENV]: `http://127.0.0.1:${closed}` });
      await expect(
        resolvePacker({ version: '9.9.4', trustedKey: trusted.key, toolCache }, closedMirror),
      ).rejects.toThrow(
        /^Cannot download Packer 9\.9\.4: 127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED; no network\?\)/,
      );
    } finally {
      delete globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS;
      delete globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS;
    }
  });

  it('names a release the mirror does not have by its HTTP status', async () => {
    await expect(resolvePacker(install('9.9.3'), testContext(env()))).rejects.toThrow(
      new RegExp(
        /^Cannot download Packer 9\.9\.3: http:\/\/127\.0\.0\.1:\d+\/9\.9\.3\/packer_9\.9\.3_SHA256SUMS /.source +
          /answered HTTP 404$/.source,
      ),
    );
  });

  it('says in one line that gpg is missing', async () => {
    publish('9.9.2');
    const { verifyDetachedSignature } = await import('../src/signature.js');
    const data = join(mkdtempSync(join(work, 'nogpg-')), 'x');
    writeFileSync(data, 'x');
    await expect(
      verifyDetachedSignature(data, data, trusted.key, { label: 'x', env: env(), gpgBinary: '/nonexistent/gpg' }),
    ).rejects.toThrow(
      /^\/nonexistent\/gpg is not installed; it is needed to check HashiCorp's signature on the Packer download/,
    );
  });

  it("requires Packer on PATH when packer-version is 'path', naming the fix", async () => {
    await expect(resolvePacker({ version: 'path' }, testContext(env()))).rejects.toThrow(
      /Packer is not on PATH. Set 'packer-version'/,
    );
  });

  it('reads SHA256SUMS lines and knows which versions have packer init', () => {
    expect(
      expectedChecksum(`${'a'.repeat(64)}  packer_1.11.2_linux_amd64.zip\n`, 'packer_1.11.2_linux_amd64.zip'),
    ).toBe('a'.repeat(64));
    expect(
      expectedChecksum(`${'a'.repeat(64)}  packer_1.11.2_linux_arm64.zip\n`, 'packer_1.11.2_linux_amd64.zip'),
    ).toBeUndefined();
    expect([supportsInit('1.6.6'), supportsInit('1.7.0'), supportsInit('1.11.2'), supportsInit('2.0.0')]).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });
});
