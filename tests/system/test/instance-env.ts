/**
 * What an img-mgr instance gets at boot, read from a deployed launch
 * template's user data, and the Flask app started locally with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, stopProcess, toolsPython, waitFor } from '@img-mgr/testbed';

/** The files user data writes with `cat >PATH <<'EOF' ... EOF`, by path. */
export function userDataFiles(userData: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const match of userData.matchAll(/^cat >(\S+) <<'EOF'\n([\s\S]*?)^EOF$/gm))
    files[match[1] ?? ''] = match[2] ?? '';
  return files;
}

/** KEY=value lines of an env file as a map. */
export function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

export interface RunningApp {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the Flask app in `appDir` with the tools' Python (`flask run`, the
 * app's module `app`) on a free port, with exactly `env` (plus PATH), and
 * waits until it answers.
 */
export async function startApp(appDir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(
    toolsPython(),
    ['-m', 'flask', '--app', 'app', 'run', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    url,
    child,
    output: () => output,
    async stop() {
      await stopProcess(child);
    },
  };
  const answered = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${output}`);
      return fetch(`${url}/favicon.ico`).then(
        () => true,
        () => false,
      );
    },
    { timeoutMs, intervalMs: 200 },
  );
  if (!answered) {
    await app.stop();
    throw new Error(`the app did not answer on ${url} within ${timeoutMs} ms\n${output}`);
  }
  return app;
}
