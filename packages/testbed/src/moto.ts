/** A moto server on a free 127.0.0.1 port, one per test file or suite. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, localAwsEnv } from '@img-mgr/kernel/repo';
import { toolPath } from './paths.js';

export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** Environment for an SDK or action pointed at this server. */
  readonly env: Record<string, string>;
  /** SDK client config (region, endpoint, dummy credentials). */
  readonly clientConfig: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Clears all of moto's state. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials and endpoint variables that send every SDK call to `endpoint`. */
export const awsEnvFor = localAwsEnv;

/** Starts moto_server and waits until it answers. */
export async function startMoto(options: { region?: string; timeoutMs?: number } = {}): Promise<Moto> {
  const region = options.region ?? 'us-east-1';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(toolPath('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitUntilUp(endpoint, child, options.timeoutMs ?? 30_000, () => stderr);
  const env = awsEnvFor(endpoint, region);
  return {
    endpoint,
    port,
    region,
    env,
    clientConfig: { region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: () => stopProcess(child),
  };
}

async function waitUntilUp(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr()}`);
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the process is gone. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
