/** Where the repository, its tools and the CLI's state are. */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Env } from '@img-mgr/kernel';
import { repoRoot, toolsBin, toolsDir } from '@img-mgr/kernel/repo';

export { repoRoot, toolsBin } from '@img-mgr/kernel/repo';

/** Full path of `name` in .tools/bin or on PATH, or undefined. */
export function findTool(name: string, env: Env): string | undefined {
  const dirs = [toolsBin(env), ...(env.PATH ?? '').split(delimiter)].filter(Boolean);
  for (const dir of dirs) {
    const full = join(dir, name);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/** The default state folder: packages/pipeline/.state (git-ignored), or IMG_MGR_PIPELINE_STATE_DIR. */
export function defaultStateDir(env: Env): string {
  return env.IMG_MGR_PIPELINE_STATE_DIR ?? join(repoRoot(), 'packages', 'pipeline', '.state');
}

/** The Python of the tools venv (scripts/tools.sh python): it runs moto_server, and the local preview of the app. */
export function toolsPython(env: Env): string {
  return join(toolsDir(env), 'venv', 'bin', 'python');
}
