/** A moto server on a free 127.0.0.1 port, one per test file or suite (local-host starts and stops it). */
import { localAwsEnv, startMotoServer } from '@img-mgr/local-host';
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
  /** SIGTERM, then SIGKILL after 3 s; resolves when the server is gone. */
  stop(): Promise<void>;
}

/** Dummy credentials and endpoint variables that send every SDK call to `endpoint`. */
export const awsEnvFor = localAwsEnv;

/** Starts moto_server and waits until it answers; `env` is more environment for moto_server itself. */
export async function startMoto(
  options: { region?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Moto> {
  const region = options.region ?? 'us-east-1';
  const server = await startMotoServer({
    motoServer: toolPath('moto_server'),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const { endpoint, port } = server;
  return {
    endpoint,
    port,
    region,
    env: awsEnvFor(endpoint, region),
    clientConfig: { region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      await server.stop();
    },
  };
}
