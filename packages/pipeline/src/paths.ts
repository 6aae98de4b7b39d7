/** Where the repository, its tools and the CLI's state are. */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the folder above this package that holds turbo.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('img-mgr-pipeline: cannot find the repository root (turbo.json)');
    dir = parent;
  }
  return dir;
}

/** The folder scripts/tools.sh installs into (IMG_MGR_TOOLS_DIR, else .tools/). */
export function toolsBin(env = process.env): string {
  return join(env.IMG_MGR_TOOLS_DIR ?? join(repoRoot(), '.tools'), 'bin');
}

/** Full path of `name` in .tools/bin or on PATH, or undefined. */
export function findTool(name: string, env = process.env): string | undefined {
  const dirs = [toolsBin(env), ...(env.PATH ?? '').split(delimiter)].filter(Boolean);
  for (const dir of dirs) {
    const full = join(dir, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/** The default state folder: packages/pipeline/.state (git-ignored), or IMG_MGR_PIPELINE_STATE_DIR. */
export function defaultStateDir(env = process.env): string {
  return env.IMG_MGR_PIPELINE_STATE_DIR ?? join(repoRoot(), 'packages', 'pipeline', '.state');
}

/** The Python of the tools venv (scripts/tools.sh python): it runs moto_server, and the local preview of the app. */
export function toolsPython(env = process.env): string {
  return join(env.IMG_MGR_TOOLS_DIR ?? join(repoRoot(), '.tools'), 'venv', 'bin', 'python');
}
