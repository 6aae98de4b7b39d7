/** An isolated GitHub runner environment in a temp folder. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunnerEnv {
  readonly dir: string;
  /** Variables a runner sets for a step: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE, RUNNER_TEMP, … */
  readonly env: Record<string, string>;
  outputs(): Record<string, string>;
  state(): Record<string, string>;
  summary(): string;
  /** Makes the state saved by a main step visible to its post step (STATE_* variables). */
  stateEnv(): Record<string, string>;
  cleanup(): void;
}

/** The name of the variable the runner uses for an input. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** `INPUT_*` variables for the given inputs. */
export function inputEnv(inputs: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), String(value)]));
}

/** Creates temp files for outputs, state and summary, and a RUNNER_TEMP. */
export function createRunnerEnv(runId = String(Date.now())): RunnerEnv {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const runnerTemp = mkdtempSync(join(dir, 'temp-'));
  const env: Record<string, string> = {
    ...files,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REPOSITORY: 'example/flask-aws-storage',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_WORKSPACE: dir,
  };
  const read = (file: string): string => readFileSync(file, 'utf8');
  const api: RunnerEnv = {
    dir,
    env,
    outputs: () => parseCommandFile(read(files.GITHUB_OUTPUT)),
    state: () => parseCommandFile(read(files.GITHUB_STATE)),
    summary: () => read(files.GITHUB_STEP_SUMMARY),
    stateEnv: () => Object.fromEntries(Object.entries(api.state()).map(([key, value]) => [`STATE_${key}`, value])),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return api;
}

/**
 * Parses a GITHUB_OUTPUT/GITHUB_STATE file: `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      const equals = line.indexOf('=');
      result[line.slice(0, equals)] = line.slice(equals + 1);
    }
  }
  return result;
}
