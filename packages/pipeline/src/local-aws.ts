/**
 * The embedded AWS: a moto server on a free 127.0.0.1 port. It runs in its
 * own process group (Ctrl-C reaches the CLI, which stops it in order) and
 * records itself in `<state>/local-aws.json`, so that a server kept with
 * `--keep` is found and reused by later commands until `down` stops it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isAlive,
  motoAnswers,
  MotoStartError,
  runsOnPort,
  startMotoServer,
  stillRunningLine,
  stopProcess,
  type MotoServer,
  type ProcessLookup,
} from '@img-mgr/local-host';
import { ExitCode } from './exit-codes.js';
import { PipelineError } from './errors.js';
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
  if (!(await motoAnswers(state.endpoint, 10_000))) {
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
  const logFile = join(options.stateDir, 'moto.log');
  let server: MotoServer;
  try {
    server = await startMotoServer({
      motoServer: options.motoServer,
      logFile,
      detached: true,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (error: unknown) {
    if (error instanceof MotoStartError) throw new PipelineError(ExitCode.environment, error.message);
    throw error;
  }
  const state: LocalAwsState = {
    endpoint: server.endpoint,
    port: server.port,
    pid: server.pid,
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

/**
 * Stops the server (SIGTERM, SIGKILL after 3 s; resolves when it is gone) and removes its state file.
 * A server that survives keeps its record (so `status` and `down` still find it): the line that says so,
 * else undefined.
 */
export async function stopLocalAws(aws: Pick<LocalAws, 'pid' | 'stateFile'>): Promise<string | undefined> {
  if ((await stopProcess(aws.pid)) === 'still-running') {
    return `${stillRunningLine('the local AWS (moto)', aws.pid)}; its record stays in ${aws.stateFile}`;
  }
  rmSync(aws.stateFile, { force: true });
  return undefined;
}
