/** Where the repository and its tools are (repoRoot and toolsBin are the kernel's, shared with the CLI). */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { toolsBin } from '@img-mgr/kernel/repo';

export { repoRoot, toolsBin } from '@img-mgr/kernel/repo';

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
