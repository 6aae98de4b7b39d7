/** Runs a bundled action the way the runner does: `node actions/<name>/dist/<entry>.js`. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pathWithTools, repoRoot } from '@img-mgr/local-host';
import { createRunnerEnv, inputEnv, type RunnerEnv } from './runner.js';

export interface RunActionOptions {
  inputs?: Record<string, string | number | boolean>;
  /** Extra environment (e.g. a moto server's `env`). */
  env?: Record<string, string>;
  /** 'main' runs `runs.main`; 'post' runs `runs.post`. */
  entry?: 'main' | 'post';
  /** Reuse a runner environment (to run a post step after its main step). */
  runner?: RunnerEnv;
  /** The node binary (default: this process's node). */
  node?: string;
  /** Kill the action after this long (default 120 s) and report it. */
  timeoutMs?: number;
  /**
   * Cancels the way GitHub does: SIGINT when `when` returns true for the log
   * so far (or after `afterMs`), SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
   */
  cancel?: { when?: (log: string) => boolean; afterMs?: number };
  cwd?: string;
}

export interface ActionRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as received. */
  log: string;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  runner: RunnerEnv;
  durationMs: number;
  /** When cancelled: ms from SIGINT to exit. */
  exitAfterCancelMs?: number;
  /** Lines of the log that are `::error::` annotations, without the prefix. */
  errors: string[];
}

interface ActionYaml {
  inputs?: Record<string, { default?: unknown }>;
  runs: { using: string; main: string; post?: string; pre?: string };
}

/** The parsed action.yml of `actions/<name>`. */
export function readActionYaml(name: string): ActionYaml {
  return parse(readFileSync(join(repoRoot(), 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;
}

/** Input defaults from action.yml, as the runner fills them in (expressions skipped). */
export function defaultInputs(name: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const [input, spec] of Object.entries(readActionYaml(name).inputs ?? {})) {
    const value = scalarText(spec.default);
    if (value === undefined) continue;
    if (!value.includes('${{')) defaults[input] = value;
  }
  return defaults;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Environment of the test process without anything a runner step would not inherit. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(INPUT_|STATE_|GITHUB_|RUNNER_|AWS_|ACTIONS_)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = pathWithTools(env.PATH);
  return env;
}

/** Runs actions/<name>'s bundle as a child process and collects what the runner would. */
export function runBundledAction(name: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const runner = options.runner ?? createRunnerEnv();
  const yaml = readActionYaml(name);
  const entry = options.entry === 'post' ? yaml.runs.post : yaml.runs.main;
  if (!entry) throw new Error(`testbed: actions/${name}/action.yml has no runs.${options.entry ?? 'main'}`);
  const script = join(repoRoot(), 'actions', name, entry);
  const env = {
    ...baseEnv(),
    ...runner.env,
    ...(options.entry === 'post' ? runner.stateEnv() : {}),
    ...inputEnv({ ...defaultInputs(name), ...(options.inputs ?? {}) }),
    ...(options.env ?? {}),
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [script], {
      cwd: options.cwd ?? runner.env.GITHUB_WORKSPACE,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let stdout = '';
    let stderr = '';
    let cancelledAt: number | undefined;
    const timers: NodeJS.Timeout[] = [];
    const cancel = (): void => {
      if (cancelledAt !== undefined) return;
      cancelledAt = Date.now();
      child.kill('SIGINT');
      timers.push(setTimeout(() => child.kill('SIGTERM'), 7_500));
      timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
    };
    const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      if (which === 'out') stdout += text;
      else stderr += text;
      if (options.cancel?.when?.(log)) cancel();
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    if (options.cancel?.afterMs !== undefined) timers.push(setTimeout(cancel, options.cancel.afterMs));
    const killer = setTimeout(() => {
      log += `\n[testbed] killed after ${options.timeoutMs ?? 120_000} ms\n`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      timers.forEach(clearTimeout);
      const ended = Date.now();
      resolve({
        exitCode,
        signal,
        log,
        stdout,
        stderr,
        outputs: runner.outputs(),
        summary: runner.summary(),
        runner,
        durationMs: ended - started,
        ...(cancelledAt !== undefined ? { exitAfterCancelMs: ended - cancelledAt } : {}),
        errors: log
          .split('\n')
          .filter((line) => line.startsWith('::error'))
          .map((line) => line.replace(/^::error[^:]*::/, '')),
      });
    });
  });
}
