/**
 * The embedded AWS: a moto server on a free 127.0.0.1 port. It runs in its
 * own process group (Ctrl-C reaches the CLI, which stops it in order) and
 * records itself in `<state>/local-aws.json`, so that a server kept with
 * `--keep` is found and reused by later commands until `down` stops it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, localAwsEnv } from '@img-mgr/kernel/repo';
import { ExitCode } from './exit-codes.js';
import { PipelineError } from './errors.js';
import { isAlive, runsOnPort, type ProcessLookup } from './processes.js';
import { hasFields, readStateFile, writeStateFile } from './state-file.js';

/** What the state file records. */
export interface LocalAwsState {
  endpoint: string;
  port: number;
  pid: number;
  startedAt: string;
  logFile: string;
  /** Kept on purpose (--keep); otherwise the file only exists while its command runs. */
  kept: boolean;
}

export interface LocalAws extends LocalAwsState {
  /** Found running from an earlier command rather than started now. */
  reused: boolean;
  stateFile: string;
}

const STATE_FILE = 'local-aws.json';

/** A parsed local-aws.json has these fields. */
function isLocalAwsState(value: unknown): value is LocalAwsState {
  return hasFields(value, {
    endpoint: 'string',
    port: 'number',
    pid: 'number',
    startedAt: 'string',
    logFile: 'string',
    kept: 'boolean',
  });
}

/** The record of the local AWS as written (running or not); a corrupt file is an error naming it. */
export function readLocalAwsRecord(stateDir: string): LocalAwsState | undefined {
  return readStateFile(join(stateDir, STATE_FILE), isLocalAwsState, 'the kept local AWS');
}

/**
 * The recorded local AWS when its process still runs (answering or not) and
 * is the recorded moto_server on the recorded port; a stale record is
 * removed. A corrupt record is an error naming the file.
 */
export function recordedLocalAws(stateDir: string, lookup: ProcessLookup = {}): LocalAws | undefined {
  const stateFile = join(stateDir, STATE_FILE);
  const state = readLocalAwsRecord(stateDir);
  if (!state) return undefined;
  if (!isAlive(state.pid, lookup) || !runsOnPort(state.pid, 'moto_server', ['-p', '--port'], state.port, lookup)) {
    rmSync(stateFile, { force: true });
    return undefined;
  }
  return { ...state, reused: true, stateFile };
}

/** The local AWS recorded in `stateDir` when it runs and answers; throws when it runs and does not answer. */
export async function findLocalAws(stateDir: string): Promise<LocalAws | undefined> {
  const state = recordedLocalAws(stateDir);
  if (!state) return undefined;
  if (!(await answers(state.endpoint, 10_000))) {
    throw new PipelineError(
      ExitCode.environment,
      `the kept local AWS (moto, pid ${state.pid}) does not answer at ${state.endpoint}`,
      "stop it with 'img-mgr-pipeline down' and start again",
    );
  }
  return state;
}

/** Starts moto_server, waits until it answers and records it in `stateDir`. */
export async function startLocalAws(options: {
  motoServer: string;
  stateDir: string;
  keep: boolean;
  timeoutMs?: number;
}): Promise<LocalAws> {
  mkdirSync(options.stateDir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logFile = join(options.stateDir, 'moto.log');
  const out = openSync(logFile, 'w');
  const child = spawn(options.motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  closeSync(out);
  child.unref();
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? -1));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(endpoint))) {
    const failed = await Promise.race([spawnError, delay(100).then(() => undefined)]);
    if (failed || exitCode !== null || pid === undefined) {
      throw new PipelineError(
        ExitCode.environment,
        `moto_server did not start (${failed?.message ?? `exit ${exitCode}`}); see ${logFile}`,
      );
    }
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      throw new PipelineError(
        ExitCode.environment,
        `moto_server did not answer on ${endpoint} in time; see ${logFile}`,
      );
    }
  }
  const state: LocalAwsState = {
    endpoint,
    port,
    pid: pid ?? 0,
    startedAt: new Date().toISOString(),
    logFile,
    kept: options.keep,
  };
  const stateFile = join(options.stateDir, STATE_FILE);
  writeStateFile(stateFile, state);
  return { ...state, reused: false, stateFile };
}

/** Marks a running local AWS as kept (a reused or new server asked to stay). */
export function markKept(aws: LocalAws): void {
  const state: LocalAwsState = {
    endpoint: aws.endpoint,
    port: aws.port,
    pid: aws.pid,
    startedAt: aws.startedAt,
    logFile: aws.logFile,
    kept: true,
  };
  writeStateFile(aws.stateFile, state);
}

/** Stops the server (SIGTERM, SIGKILL after 3 s) and removes its state file. */
export async function stopLocalAws(aws: Pick<LocalAws, 'pid' | 'stateFile'>): Promise<void> {
  if (isAlive(aws.pid)) {
    signal(aws.pid, 'SIGTERM');
    const deadline = Date.now() + 3_000;
    while (isAlive(aws.pid) && Date.now() < deadline) await delay(50);
    if (isAlive(aws.pid)) {
      signal(aws.pid, 'SIGKILL');
      // A killed process lingers until the kernel reaps it; `down` reports it stopped only when it is gone.
      const killDeadline = Date.now() + 2_000;
      while (isAlive(aws.pid) && Date.now() < killDeadline) await delay(50);
    }
  }
  rmSync(aws.stateFile, { force: true });
}

/** The environment that sends every SDK call and Packer to `endpoint` (the kernel's, shared with the test bed). */
export { localAwsEnv };

/** Any HTTP answer counts (moto's data.json is slow: it dumps the whole state). */
async function answers(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/`, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
