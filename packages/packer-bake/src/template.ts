/** What bake-ami needs to know about a Packer template before running Packer. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidRequestError } from '@img-mgr/kernel';

export interface TemplateInfo {
  /** The template path as given to Packer (a file or a directory). */
  path: string;
  kind: 'hcl' | 'json';
  /** Every file the fingerprint covers, absolute, sorted by relative path. */
  files: string[];
  /** The folder `files` are relative to. */
  root: string;
  /** Variables the template declares. */
  variables: Set<string>;
  /** True when a `packer { required_plugins { … } }` block is present. */
  declaresPlugins: boolean;
}

/**
 * Names skipped when hashing a template directory: hidden files, Packer's
 * cache and what a build writes there (manifests, logs), so that a build does
 * not change its own fingerprint.
 */
const SKIPPED = new Set(['packer_cache', 'node_modules', 'crash.log', 'packer.log']);
const SKIPPED_PATTERN = /(^|[-_.])manifest\.json$/;

/** Reads the template at `path` (a `.pkr.hcl`/`.pkr.json`/`.json` file or a directory of them). */
export async function inspectTemplate(path: string): Promise<TemplateInfo> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InvalidRequestError('template', `names '${path}', which does not exist`);
  const isDirectory = info.isDirectory();
  const root = isDirectory ? path : join(path, '..');
  const files = isDirectory ? await listFiles(path) : [path];
  const configFiles = isDirectory ? files.filter((file) => /\.pkr\.(hcl|json)$/.test(file)) : files;
  if (configFiles.length === 0) {
    throw new InvalidRequestError(
      'template',
      `names the directory '${path}', which holds no *.pkr.hcl or *.pkr.json files`,
    );
  }
  const kind = configFiles.every((file) => file.endsWith('.json') && !file.endsWith('.pkr.json')) ? 'json' : 'hcl';
  const variables = new Set<string>();
  let declaresPlugins = false;
  for (const file of configFiles) {
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.json')) {
      for (const name of jsonVariables(text)) variables.add(name);
    } else {
      for (const name of hclVariables(text)) variables.add(name);
      declaresPlugins ||= /^\s*required_plugins\s*\{/m.test(text);
    }
  }
  return { path, kind, files, root, variables, declaresPlugins };
}

/** Variable names declared by `variable "name" {` blocks. */
export function hclVariables(text: string): string[] {
  return [...text.matchAll(/^\s*variable\s+"([^"]+)"\s*\{/gm)].map((match) => match[1] ?? '').filter(Boolean);
}

/** Variable names of a legacy JSON template (`variables`) or an HCL2 JSON file (`variable`). */
export function jsonVariables(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as { variables?: unknown; variable?: unknown };
    const block = parsed.variables ?? parsed.variable;
    return block && typeof block === 'object' ? Object.keys(block) : [];
  } catch {
    return [];
  }
}

async function listFiles(dir: string, root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name) || SKIPPED_PATTERN.test(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full, root)));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort((a, b) => compare(relative(root, a), relative(root, b)));
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
