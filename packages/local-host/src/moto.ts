/**
 * moto_server, the local AWS of the CLI and the tests: started on a free 127.0.0.1 port, waited for until it
 * answers, and stopped like every other process here. The CLI records and reuses its server (pipeline's
 * local-aws.ts); the test bed starts one per test file (testbed's moto.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { findTool } from './paths.js';
import { freePort } from './port.js';
import { signalProcess } from './processes.js';
import { stopProcess, type StopOutcome } from './stop.js';
import { waitFor } from './wait.js';

export interface MotoServerOptions {
  /** The moto_server executable (default: the tools' one, else the one on PATH). */
  motoServer?: string;
  /**
   * Where moto writes its output; without it the end of its stderr is kept for the error of a failed start
   * (a detached server's output is then dropped: a pipe to this process would hold it).
   */
  logFile?: string;
  /**
   * In a process group of its own and not waited for: Ctrl-C in a terminal reaches only the command that
   * started it, which then stops it in order, and a kept server outlives that command.
   */
  detached?: boolean;
  /** More environment for moto_server (e.g. INITIAL_NO_AUTH_ACTION_COUNT). */
  env?: Record<string, string>;
  /** How long it has to answer (default 30 s). */
  timeoutMs?: number;
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 3 s; resolves when it is gone. */
  stop(): Promise<StopOutcome>;
}

/** moto_server could not be started or did not answer; the message says where its output is. */
export class MotoStartError extends Error {
  override readonly name = 'MotoStartError';
}

/** Starts moto_server on a free port and resolves once it answers. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const motoServer = options.motoServer ?? findTool('moto_server');
  if (!motoServer) throw new MotoStartError("moto_server is not installed; run 'npm run tools -- python'");
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const out = options.logFile === undefined ? undefined : openSync(options.logFile, 'w');
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: options.detached ?? false,
    stdio: out !== undefined ? ['ignore', out, out] : options.detached ? 'ignore' : ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true', ...options.env },
  });
  if (out !== undefined) closeSync(out);
  if (options.detached) child.unref();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  let spawnError: string | undefined;
  child.once('error', (error) => (spawnError = error.message));
  // 'close' comes after 'exit' once its output is read to the end, so a failed start's message holds all of it.
  let ended: string | undefined;
  child.once('close', (code, signal) => (ended = String(code ?? signal)));
  const output = (): string => (options.logFile ? `; see ${options.logFile}` : stderr ? `: ${stderr.trim()}` : '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const answered = await waitFor(
    async () => {
      if (spawnError !== undefined || ended !== undefined)
        throw new MotoStartError(`moto_server did not start (${spawnError ?? `exit ${ended}`})${output()}`);
      return motoAnswers(endpoint);
    },
    { timeoutMs, intervalMs: 100 },
  );
  if (!answered) {
    if (child.pid !== undefined) signalProcess(child.pid, 'SIGKILL');
    throw new MotoStartError(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms${output()}`);
  }
  return { endpoint, port, pid: child.pid ?? 0, stop: () => stopProcess(child) };
}

/**
 * Whether a moto server answers at `endpoint`: any HTTP answer of its cheap config page counts (its data.json
 * dumps the whole state, and an AWS call would count against INITIAL_NO_AUTH_ACTION_COUNT).
 */
export async function motoAnswers(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/config`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
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
