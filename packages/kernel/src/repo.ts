/**
 * Where this repository and its test tools are, and a free loopback port: what the CLI
 * (packages/pipeline) and the test bed (packages/testbed) share. Never for domain code or an action
 * bundle: those get their environment from a Context and run outside the repository.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './context.js';

/** The repository root: the nearest folder above this file that holds turbo.json. */
export function repoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root (a folder with turbo.json) above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The folder scripts/tools.sh installs into: IMG_MGR_TOOLS_DIR, else .tools/ at the root. */
export function toolsDir(env: Env = process.env): string {
  return env.IMG_MGR_TOOLS_DIR ?? join(repoRoot(), '.tools');
}

/** The tools' executables (moto_server, packer, act, ...): toolsDir()/bin. */
export function toolsBin(env: Env = process.env): string {
  return join(toolsDir(env), 'bin');
}

/** A free TCP port on 127.0.0.1 (asked of the system, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment that sends every SDK call (and Packer) to a local AWS at `endpoint`, with dummy keys. */
export function localAwsEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
