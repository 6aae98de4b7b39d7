/** What bake-ami needs to know about a Packer template before running Packer. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidRequestError, quoteWhole } from '@img-mgr/kernel';

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
  /**
   * The names `-only` and `-except` match: each source as `TYPE.NAME` (HCL) or each builder's name (JSON),
   * and in HCL each as `BUILD.TYPE.NAME` too for a named build. Empty when none could be read.
   */
  buildNames: string[];
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
  if (!info) throw new InvalidRequestError('template', `names ${quoteWhole(path)}, which does not exist`);
  const isDirectory = info.isDirectory();
  const root = isDirectory ? path : join(path, '..');
  const files = isDirectory ? await listFiles(path) : [path];
  const configFiles = isDirectory ? files.filter((file) => /\.pkr\.(hcl|json)$/.test(file)) : files;
  if (configFiles.length === 0) {
    throw new InvalidRequestError(
      'template',
      `names the directory ${quoteWhole(path)}, which holds no *.pkr.hcl or *.pkr.json files`,
    );
  }
  const kind = configFiles.every((file) => file.endsWith('.json') && !file.endsWith('.pkr.json')) ? 'json' : 'hcl';
  const variables = new Set<string>();
  const buildNames = new Set<string>();
  let declaresPlugins = false;
  for (const file of configFiles) {
    const text = await readFile(file, 'utf8');
    if (file.endsWith('.json')) {
      for (const name of jsonVariables(text)) variables.add(name);
      for (const name of jsonBuilders(text)) buildNames.add(name);
    } else {
      for (const name of hclVariables(text)) variables.add(name);
      for (const name of hclBuildNames(text)) buildNames.add(name);
      declaresPlugins ||= /^\s*required_plugins\s*\{/m.test(text);
    }
  }
  return { path, kind, files, root, variables, declaresPlugins, buildNames: [...buildNames] };
}

/** Sources (`source "TYPE" "NAME" {` → TYPE.NAME) and, for each named build, BUILD.TYPE.NAME. */
export function hclBuildNames(text: string): string[] {
  const sources = [...text.matchAll(/^\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\{/gm)].map(
    (match) => `${match[1] ?? ''}.${match[2] ?? ''}`,
  );
  const builds = [...text.matchAll(/^\s*build\s*\{\s*\n\s*name\s*=\s*"([^"]+)"/gm)].map((match) => match[1] ?? '');
  return [...sources, ...builds.flatMap((build) => sources.map((source) => `${build}.${source}`))];
}

/** The builders of a legacy JSON template, by name (their `name`, else their `type`). */
function jsonBuilders(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as { builders?: unknown };
    if (!Array.isArray(parsed.builders)) return [];
    return parsed.builders.flatMap((builder: unknown) => {
      const { name, type } = (builder ?? {}) as { name?: unknown; type?: unknown };
      const label = typeof name === 'string' ? name : type;
      return typeof label === 'string' ? [label] : [];
    });
  } catch {
    return [];
  }
}

/**
 * Checks the request against what the template declares, before Packer runs: a variable it does not declare
 * (Packer 1.6 stops validate on it, in several lines), and an `-only`/`-except` pattern that matches none of
 * its builds (Packer then builds nothing, or everything, and says nothing).
 */
export function checkAgainstTemplate(
  request: { variables: Record<string, string>; only: readonly string[]; except: readonly string[] },
  template: TemplateInfo,
): void {
  if (template.variables.size > 0 || template.kind === 'hcl') {
    const undeclared = Object.keys(request.variables).find((name) => !template.variables.has(name));
    if (undeclared !== undefined) {
      throw new InvalidRequestError(
        'variables',
        `sets ${quoteWhole(undeclared, 60)}, which the template does not declare (add a variable block, or drop it)`,
      );
    }
  }
  if (template.buildNames.length === 0) return;
  for (const field of ['only', 'except'] as const) {
    const unmatched = request[field].find((pattern) => !template.buildNames.some((name) => globMatches(pattern, name)));
    if (unmatched !== undefined) {
      const known = template.buildNames.slice(0, 5).join(', ');
      throw new InvalidRequestError(
        field,
        `has ${quoteWhole(unmatched, 60)}, which matches no build of the template (it has ${known})`,
      );
    }
  }
}

/** Packer's -only/-except match: `*` any run of characters, the rest literal. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
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
