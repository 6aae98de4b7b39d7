/** Running the CLI in tests: the built binary as a child process, or main() in this process. */
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/index.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = join(packageDir, 'lib', 'cli.js');

/** Compiles src/ to lib/ so the tests run the same cli.js that `npm run pipeline` runs. */
export function buildCli(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'pipe' });
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node lib/cli.js ...args`; `onStderr` may act on the output so far (e.g. send a signal). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; onStderr?: (stderr: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, CI: 'true', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs main() in this process with captured output (no TTY, so plain progress). */
export async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    interactive: false,
    columns: () => 120,
    env: {},
  });
  return { code, stdout, stderr };
}

