/**
 * Where this repository and its tools are. Only the CLI (packages/pipeline) and the tests run inside the
 * repository; domain code and action bundles get their environment from a Context and run anywhere.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '@img-mgr/kernel';

/** The repository root: the nearest folder above this file that holds turbo.json. */
export function repoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root (a folder with turbo.json) above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The folder scripts/tools.sh installs into: IMG_MGR_TOOLS_DIR, else .tools/ at the root. */
export function toolsDir(env: Env = process.env): string {
  return env.IMG_MGR_TOOLS_DIR ?? join(repoRoot(), '.tools');
}

/** The tools' executables (moto_server, packer, act, ...): toolsDir()/bin. */
export function toolsBin(env: Env = process.env): string {
  return join(toolsDir(env), 'bin');
}

/** The Python of the tools venv (scripts/tools.sh python): it runs moto_server, and the Flask app locally. */
export function toolsPython(env: Env = process.env): string {
  return join(toolsDir(env), 'venv', 'bin', 'python');
}

/** Full path of `name` in the tools' bin folder or on PATH (in that order), or undefined. */
export function findTool(name: string, env: Env = process.env): string | undefined {
  const dirs = [toolsBin(env), ...(env.PATH ?? '').split(delimiter)].filter(Boolean);
  for (const dir of dirs) {
    const full = join(dir, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/** `path` with the tools' bin folder first, for child processes. */
export function pathWithTools(path = process.env.PATH ?? '', env: Env = process.env): string {
  return [toolsBin(env), path].filter(Boolean).join(delimiter);
}
