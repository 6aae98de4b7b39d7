/** Running the CLI in tests: the built binary as a child process, or main() in this process. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/index.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = join(packageDir, 'lib', 'cli.js');

/**
 * Compiles src/ to lib/ so the tests run the same cli.js that `npm run
 * pipeline` runs. Test files run in parallel workers: the build is
 * serialised by a lock folder and skipped when lib/ is newer than every
 * source, so no worker's CLI reads lib/ while another rewrites it.
 */
export function buildCli(): void {
  mkdirSync(join(packageDir, 'lib'), { recursive: true });
  const lock = join(packageDir, 'lib', '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`buildCli: ${lock} is held for over 2 minutes; remove it if no test runs`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (isBuilt()) return;
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

/** lib/cli.js exists and is newer than every file in src/. */
function isBuilt(): boolean {
  let built: number;
  try {
    built = statSync(cliPath).mtimeMs;
  } catch {
    return false;
  }
  const sources = join(packageDir, 'src');
  return readdirSync(sources).every((name) => statSync(join(sources, name)).mtimeMs < built);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node lib/cli.js ...args`; `onStderr` may act on the output so far (e.g. send a signal). */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onStderr?: (stderr: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    // What processIo gives the CLI: this process's environment, read once at the edge.
    env: { ...process.env },
  });
  return { code, stdout, stderr };
}
