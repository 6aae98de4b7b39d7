/** Finding Packer: the one on PATH, or a release installed through the tool cache. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

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

export interface ResolveOptions {
  /** 'path' to require Packer on PATH, or a release version such as 1.11.2. */
  version: string;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Returns the Packer to use, installing the requested release when PATH does not have it. */
export async function resolvePacker(options: ResolveOptions): Promise<PackerBinary> {
  const { version, log = () => undefined, env = process.env } = options;
  const onPath = findOnPath('packer', env.PATH ?? '');
  if (version === 'path') {
    if (!onPath) {
      throw new Error("Packer is not on PATH. Set 'packer-version' to a release (for example 1.11.2) to install it");
    }
    return { path: onPath, version: await packerVersion(onPath), source: 'path' };
  }
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version)) {
    throw new Error(`'${version}' is not a Packer release version such as 1.11.2`);
  }
  if (onPath) {
    const pathVersion = await packerVersion(onPath).catch(() => '');
    if (pathVersion === version) return { path: onPath, version, source: 'path' };
    log(`Packer on PATH is ${pathVersion || 'unknown'}, not ${version}; using the release ${version}`);
  }
  return installPacker(version, { log, env });
}

/** `packer version` → `1.6.6`. */
export async function packerVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' }, timeout: 30_000 });
  const match = /Packer v?(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
  if (!match?.[1]) throw new Error(`Cannot read the version from '${binary} version': ${stdout.trim().slice(0, 200)}`);
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
 * Installs a Packer release through @actions/tool-cache: reuses a cached
 * copy, else downloads the zip and its SHA256SUMS, verifies the checksum and
 * caches the extracted binary.
 */
export async function installPacker(
  version: string,
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<PackerBinary> {
  const { log = () => undefined, env = process.env } = options;
  const toolCache = await import('@actions/tool-cache');
  const binaryName = process.platform === 'win32' ? 'packer.exe' : 'packer';
  const cached = toolCache.find('packer', version);
  if (cached) {
    log(`Using Packer ${version} from the tool cache (${cached})`);
    return { path: join(cached, binaryName), version, source: 'tool-cache' };
  }
  const base = (env[MIRROR_ENV] || RELEASES_URL).replace(/\/+$/, '');
  const zipName = `packer_${version}_${releasePlatform()}.zip`;
  const zipUrl = `${base}/${version}/${zipName}`;
  const sumsUrl = `${base}/${version}/packer_${version}_SHA256SUMS`;
  log(`Downloading ${zipUrl}`);
  const zipPath = await toolCache.downloadTool(zipUrl);
  const sumsPath = await toolCache.downloadTool(sumsUrl);
  const expected = expectedChecksum(await readFile(sumsPath, 'utf8'), zipName);
  if (!expected) throw new Error(`${sumsUrl} lists no checksum for ${zipName}`);
  const actual = await sha256File(zipPath);
  if (actual !== expected) {
    throw new Error(`Checksum mismatch for ${zipName}: SHA256SUMS says ${expected}, the download is ${actual}`);
  }
  log(`Verified ${zipName} against packer_${version}_SHA256SUMS (sha256 ${actual})`);
  const extracted = await toolCache.extractZip(zipPath);
  const dir = await toolCache.cacheDir(extracted, 'packer', version);
  const path = join(dir, binaryName);
  if (!existsSync(path)) throw new Error(`${zipName} does not contain ${binaryName}`);
  return { path, version, source: 'download' };
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
