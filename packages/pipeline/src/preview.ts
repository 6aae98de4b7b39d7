/**
 * The local preview's process: the Flask app, run by the tools venv's Python
 * on 127.0.0.1, in its own process group, recorded in `<state>/preview.json`
 * so that `status` shows it and `down` stops it. It lives as long as the
 * local AWS it talks to.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isAlive,
  runsOnPort,
  signalProcess,
  stillRunningLine,
  stopProcess,
  type ProcessLookup,
} from '@img-mgr/local-host';
import { hasFields, readStateFile, writeStateFile } from './state-file.js';

/** What preview.json records. */
export interface PreviewState {
  url: string;
  port: number;
  pid: number;
  startedAt: string;
  logFile: string;
  appDir: string;
  repo: string;
  ref: string;
  commit: string;
  bucket: string;
  /** The local AWS it talks to. */
  endpoint: string;
}

const STATE_FILE = 'preview.json';

/** The preview's record file in `stateDir`. */
export function previewStateFile(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

function isPreviewState(value: unknown): value is PreviewState {
  return hasFields(value, {
    url: 'string',
    port: 'number',
    pid: 'number',
    startedAt: 'string',
    logFile: 'string',
    appDir: 'string',
    repo: 'string',
    ref: 'string',
    commit: 'string',
    bucket: 'string',
    endpoint: 'string',
  });
}

/** The recorded preview when its process is still the app on its port; a stale record is removed. */
export function recordedPreview(stateDir: string, lookup: ProcessLookup = {}): PreviewState | undefined {
  const file = previewStateFile(stateDir);
  const state = readStateFile(file, isPreviewState, 'the local preview of the app');
  if (!state) return undefined;
  if (!isAlive(state.pid, lookup) || !runsOnPort(state.pid, 'flask', ['--port', '-p'], state.port, lookup)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return state;
}

/** Starts the app in `appDir` on `port` with `env`; its output goes to `logFile`. Resolves with its pid. */
export function spawnApp(options: {
  python: string;
  appDir: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logFile: string;
}): { pid: number; exited: () => number | undefined } {
  const out = openSync(options.logFile, 'w');
  // `flask` as its own argument (not `-m flask`), so that the recorded pid can be told apart from any other Python.
  const child = spawn(
    options.python,
    [
      '-m',
      'flask',
      '--app',
      'app',
      'run',
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--no-reload',
      '--no-debugger',
    ],
    {
      cwd: options.appDir,
      detached: true,
      stdio: ['ignore', out, out],
      env: options.env,
    },
  );
  closeSync(out);
  child.unref();
  let exitCode: number | undefined;
  child.once('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : -1)));
  child.once('error', () => (exitCode = 127));
  return { pid: child.pid ?? 0, exited: () => exitCode };
}

/** Records a started preview. */
export function recordPreview(stateDir: string, state: PreviewState): void {
  writeStateFile(previewStateFile(stateDir), state);
}

/**
 * Stops the preview's process group (SIGTERM, SIGKILL after 3 s) and removes its record. A group that
 * survives keeps its record (so `status` and `down` still find it): the line that says so, else undefined.
 */
export async function stopPreview(stateDir: string, state: Pick<PreviewState, 'pid'>): Promise<string | undefined> {
  if ((await stopProcess(state.pid, { group: true })) === 'still-running') {
    const what = 'the local preview of the app (Flask)';
    return `${stillRunningLine(what, state.pid, { group: true })}; its record stays in ${previewStateFile(stateDir)}`;
  }
  rmSync(previewStateFile(stateDir), { force: true });
  return undefined;
}

/**
 * Stops the recorded preview, if one runs; says what it did. A corrupt
 * record cannot name a process to stop: it is removed, and the line names it.
 */
export async function stopRecordedPreview(stateDir: string): Promise<string | undefined> {
  let state: PreviewState | undefined;
  try {
    state = recordedPreview(stateDir);
  } catch (error: unknown) {
    rmSync(previewStateFile(stateDir), { force: true });
    return `removed ${previewStateFile(stateDir)}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!state) return undefined;
  return (
    (await stopPreview(stateDir, state)) ?? `stopped the local preview of the app at ${state.url} (pid ${state.pid})`
  );
}

/** For a hard exit: kills the recorded preview at once, synchronously. */
export function killRecordedPreview(stateDir: string): void {
  try {
    const state = recordedPreview(stateDir);
    if (state) signalProcess(state.pid, 'SIGKILL', { group: true });
    rmSync(previewStateFile(stateDir), { force: true });
  } catch {
    // nothing recorded that can be read: nothing to kill
  }
}

/** The last `count` non-empty lines of the app's log, colour codes removed. */
export function logTail(logFile: string, count = 3): string[] {
  try {
    return readFileSync(logFile, 'utf8')
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(-count);
  } catch {
    return [];
  }
}
