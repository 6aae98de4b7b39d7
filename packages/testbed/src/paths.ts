/** Where the repository and its tools are. */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding turbo.json). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('testbed: cannot find the repository root (turbo.json)');
    dir = parent;
  }
  return dir;
}

/** The folder scripts/tools.sh installs into. */
export function toolsBin(): string {
  return join(process.env.IMG_MGR_TOOLS_DIR ?? join(repoRoot(), '.tools'), 'bin');
}

/**
 * Full path of a test tool: first .tools/bin (what scripts/tools.sh
 * installed), then PATH. Throws with the fix when it is missing.
 */
export function toolPath(name: string): string {
  const candidates = [toolsBin(), ...(process.env.PATH ?? '').split(delimiter)].filter(Boolean);
  for (const dir of candidates) {
    const full = join(dir, name);
    if (existsSync(full)) return full;
  }
  throw new Error(`testbed: '${name}' is not installed; run 'npm run tools' (scripts/tools.sh) first`);
}

/** PATH with .tools/bin first, for child processes. */
export function pathWithTools(path = process.env.PATH ?? ''): string {
  return [toolsBin(), path].filter(Boolean).join(delimiter);
}
