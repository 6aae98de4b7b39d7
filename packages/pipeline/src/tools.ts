/**
 * Makes sure the tools a local run needs (moto_server, packer) are there, installing them once with
 * scripts/tools.sh.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Env } from '@img-mgr/kernel';
import { ExitCode } from './exit-codes.js';
import { PipelineError } from './errors.js';
import { findTool, repoRoot } from '@img-mgr/local-host';

/** The tools.sh target that installs each tool. */
const INSTALLER: Record<string, string> = { moto_server: 'python', packer: 'packer' };

/** The tool's path (looked up with `env`); installs it with `scripts/tools.sh <target>` when missing. */
export async function ensureTool(
  name: 'moto_server' | 'packer',
  log: (line: string) => void,
  env: Env,
): Promise<string> {
  const found = findTool(name, env);
  if (found) return found;
  const target = INSTALLER[name] ?? name;
  log(`${name} is not installed: running scripts/tools.sh ${target} (once)`);
  const code = await runLogged('bash', [join(repoRoot(), 'scripts', 'tools.sh'), target], log, env);
  const installed = findTool(name, env);
  if (code !== 0 || !installed) {
    throw new PipelineError(
      ExitCode.environment,
      `${name} is not installed and scripts/tools.sh ${target} failed (exit ${code})`,
      `install it with 'npm run tools -- ${target}' and read its message`,
    );
  }
  return installed;
}

function runLogged(command: string, args: string[], log: (line: string) => void, env: Env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
