/**
 * The tools `npm run act` needs, installed once with scripts/tools.sh when
 * missing, as `npm run pipeline` does for its own: act, moto_server, Packer,
 * and the Node 24 that runs the bundled actions like GitHub's node24.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, toolPath } from '@img-mgr/testbed';

/** Each tool, with the scripts/tools.sh target that installs it. */
export const ACT_TOOLS = { act: 'act', moto_server: 'python', packer: 'packer', node24: 'node24' } as const;

/** True when `name` is in the test tools folder or on PATH. */
function installed(name: string): boolean {
  try {
    toolPath(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs whatever of {@link ACT_TOOLS} is missing, one tools.sh target at a
 * time (its output goes to stderr). Throws a one-line error naming the
 * target that failed and the command to run by hand.
 */
export function ensureActTools(log: (line: string) => void, tools: Record<string, string> = ACT_TOOLS): void {
  const targets = [
    ...new Set(
      Object.entries(tools)
        .filter(([name]) => !installed(name))
        .map(([, target]) => target),
    ),
  ];
  for (const target of targets) {
    log(`installing ${target} once with scripts/tools.sh ${target}`);
    const result = spawnSync('bash', [join(repoRoot(), 'scripts', 'tools.sh'), target], { stdio: ['ignore', 2, 2] });
    if (result.status !== 0) {
      throw new Error(
        `scripts/tools.sh ${target} failed (exit ${result.status ?? result.signal}); ` +
          `run 'npm run tools -- ${target}' and read its message`,
      );
    }
  }
  const missing = Object.keys(tools).filter((name) => !installed(name));
  if (missing.length) throw new Error(`still missing after scripts/tools.sh: ${missing.join(', ')}`);
}
