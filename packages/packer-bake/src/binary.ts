/** Finding Packer: the one on PATH, or a release installed through the tool cache. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ActionError, InvalidRequestError, type Context, type Env } from '@img-mgr/kernel';
import { verifyDetachedSignature, type TrustedKey } from './signature.js';

const run = promisify(execFile);

/** Where Packer releases come from; the env variable overrides it (mirrors, tests). */
export const RELEASES_URL = 'https://releases.hashicorp.com/packer';
export const MIRROR_ENV = 'IMG_MGR_PACKER_MIRROR';

export interface PackerBinary {
  path: string;
  /** `1.6.6` */
  version: string;
  /** Where it came from. */
  source: 'path' | 'tool-cache' | 'download';
}

/**
 * The tool cache a caller lends for installing a release (an action passes
 * @actions/tool-cache; the CLI has none and uses Packer on PATH). The package
 * stays free of @actions/*: it reads no RUNNER_* variables itself.
 */
export interface ToolCache {
  find(tool: string, version: string): string | Promise<string>;
  downloadTool(url: string): Promise<string>;
  extractZip(file: string): Promise<string>;
  cacheDir(sourceDir: string, tool: string, version: string): Promise<string>;
}

export interface InstallOptions {
  /** Where releases are cached; without one, only Packer on PATH can be used. */
  toolCache?: ToolCache;
  /** Tests only: the key to trust instead of HashiCorp's (a throwaway key signing a local mirror). */
  trustedKey?: TrustedKey;
}

export interface PackerRequest extends InstallOptions {
  /** 'path' to require Packer on PATH (`context.env.PATH`), or a release version such as 1.11.2. */
  version: string;
}

/** Returns the Packer to use, installing the requested release when PATH does not have it. */
export async function resolvePacker(request: PackerRequest, context: Context): Promise<PackerBinary> {
  const { version } = request;
  const onPath = findOnPath('packer', context.env.PATH ?? '');
  if (version === 'path') {
    if (!onPath)
      throw new ActionError(
        'Packer is not on PATH',
        "Set 'packer-version' to a release (for example 1.11.2) to install it",
      );
    return { path: onPath, version: await packerVersion(onPath, context.env), source: 'path' };
  }
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version)) {
    throw new InvalidRequestError(
      'packerVersion',
      `has '${version}', which is not a Packer release version such as 1.11.2`,
    );
  }
  if (onPath) {
    const pathVersion = await packerVersion(onPath, context.env).catch(() => '');
    if (pathVersion === version) return { path: onPath, version, source: 'path' };
    context.log.info(`Packer on PATH is ${pathVersion || 'unknown'}, not ${version}; using the release ${version}`);
  }
  return installPacker(version, context, request);
}

/** `packer version` → `1.6.6` (run with `env`, the caller's environment). */
export async function packerVersion(binary: string, env: Env): Promise<string> {
  const { stdout } = await run(binary, ['version'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: 30_000 });
  const match = /Packer v?(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
  if (!match?.[1])
    throw new ActionError(`Cannot read the version from '${binary} version': ${stdout.trim().slice(0, 200)}`);
  return match[1];
}

/** True when this Packer has `packer init` (1.7.0 and later). */
export function supportsInit(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > 1 || (major === 1 && minor >= 7);
}

/** The release platform name of this machine, e.g. `linux_amd64`. */
export function releasePlatform(platform = process.platform, arch = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' }[arch as string] ?? arch;
  return `${os}_${cpu}`;
}

/**
 * Installs a Packer release through the caller's tool cache: reuses a cached
 * copy, else downloads SHA256SUMS and its signature, checks the signature
 * with HashiCorp's release key, then downloads the zip, checks it against
 * SHA256SUMS and caches the extracted binary.
 */
export async function installPacker(
  version: string,
  context: Context,
  options: InstallOptions = {},
): Promise<PackerBinary> {
  const log = (line: string): void => context.log.info(line);
  const toolCache = options.toolCache;
  if (!toolCache) {
    throw new ActionError(
      `Packer ${version} is not on PATH and this caller has no tool cache to install it into`,
      "Put Packer on PATH and set packer-version to 'path'",
    );
  }
  const binaryName = process.platform === 'win32' ? 'packer.exe' : 'packer';
  const cached = await toolCache.find('packer', version);
  if (cached) {
    log(`Using Packer ${version} from the tool cache (${cached})`);
    return { path: join(cached, binaryName), version, source: 'tool-cache' };
  }
  const base = (context.env[MIRROR_ENV] || RELEASES_URL).replace(/\/+$/, '');
  const zipName = `packer_${version}_${releasePlatform()}.zip`;
  const zipUrl = `${base}/${version}/${zipName}`;
  const sumsName = `packer_${version}_SHA256SUMS`;
  const sumsUrl = `${base}/${version}/${sumsName}`;
  const sumsPath = await download(toolCache, sumsUrl, version);
  const signaturePath = await download(toolCache, `${sumsUrl}.sig`, version);
  const key = options.trustedKey ?? (await hashicorpKey());
  await verifyDetachedSignature(sumsPath, signaturePath, key, { label: sumsName, env: context.env });
  log(`Verified the signature on ${sumsName} (key ${key.fingerprint.replace(/\s+/g, '')})`);
  const expected = expectedChecksum(await readFile(sumsPath, 'utf8'), zipName);
  if (!expected) throw new ActionError(`${sumsUrl} lists no checksum for ${zipName}`);
  log(`Downloading ${zipUrl}`);
  const zipPath = await download(toolCache, zipUrl, version);
  const actual = await sha256File(zipPath);
  if (actual !== expected) {
    throw new ActionError(`Checksum mismatch for ${zipName}: SHA256SUMS says ${expected}, the download is ${actual}`);
  }
  log(`Verified ${zipName} against packer_${version}_SHA256SUMS (sha256 ${actual})`);
  const extracted = await toolCache.extractZip(zipPath);
  const dir = await toolCache.cacheDir(extracted, 'packer', version);
  const path = join(dir, binaryName);
  if (!existsSync(path)) throw new ActionError(`${zipName} does not contain ${binaryName}`);
  return { path, version, source: 'download' };
}

/** HashiCorp's release key, loaded only when a release is downloaded. */
async function hashicorpKey(): Promise<TrustedKey> {
  const { HASHICORP_KEY_ARMORED, HASHICORP_KEY_FINGERPRINT } = await import('./hashicorp-key.js');
  return { armored: HASHICORP_KEY_ARMORED, fingerprint: HASHICORP_KEY_FINGERPRINT };
}

/** Network error codes that mean the release server cannot be reached at all. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** downloadTool with one-line errors: no network, or the HTTP status of a missing file. */
async function download(toolCache: ToolCache, url: string, version: string): Promise<string> {
  try {
    return await toolCache.downloadTool(url);
  } catch (error: unknown) {
    const { code, httpStatusCode } = error as { code?: string; httpStatusCode?: number };
    const host = new URL(url).host;
    if (code && UNREACHABLE.has(code)) {
      throw new ActionError(
        `Cannot download Packer ${version}: ${host} cannot be reached (${code}; no network?). ` +
          `Put Packer on PATH and set packer-version to 'path', or set ${MIRROR_ENV} to a reachable mirror`,
      );
    }
    if (httpStatusCode !== undefined)
      throw new ActionError(`Cannot download Packer ${version}: ${url} answered HTTP ${httpStatusCode}`);
    throw new ActionError(
      `Cannot download Packer ${version} from ${url}: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
}

/** The checksum SHA256SUMS lists for `fileName` (`<hex>  <name>` lines). */
export function expectedChecksum(sums: string, fileName: string): string | undefined {
  for (const line of sums.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (match?.[2] === fileName) return match[1]?.toLowerCase();
  }
  return undefined;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The full path of `name` on `path`, if any. */
export function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const full = join(dir, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}
