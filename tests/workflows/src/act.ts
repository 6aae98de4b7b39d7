/**
 * Runs a caller workflow of workflows-example/ with act in host mode, the way
 * `npm run act` does: from workflows-example/act (so act reads its .actrc),
 * against the fork workspace, with the AWS endpoint and dummy credentials in
 * an --env-file. Nothing is fetched: .actrc maps img-mgr/img-mgr-actions@v1
 * to the workspace's `.img-mgr` snapshot of this repository and the two
 * remote actions to offline stand-ins.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve as resolvePath } from 'node:path';
import { toolPath, toolsBin } from '@img-mgr/testbed';
import { createRunnerShims, findOnPath, type RunnerShims } from './runner-shims.js';

export type ActEvent = 'push' | 'workflow_dispatch' | 'pull_request' | 'schedule';

export interface RunActOptions {
  /** The img-mgr repository (holds workflows-example/ and the reusable workflow). */
  root: string;
  /** The act working directory: the fork workspace. */
  workdir: string;
  /** A workflow file in workflows-example/, e.g. deploy-on-push.yml. */
  workflow: string;
  event: ActEvent;
  /** An event payload: a file in workflows-example/act/ (e.g. push.json) or an absolute path. */
  eventFile: string;
  /** AWS endpoint, region and dummy credentials (a moto server's env). */
  aws: Record<string, string>;
  /** Packer variables, passed as PKR_VAR_<name> (Packer reads them itself). */
  packerVariables?: Record<string, string>;
  /** Further --env entries for the jobs. */
  env?: Record<string, string>;
  /** Repository variables (`vars.*`), as --var entries after .actrc's (e.g. SMOKE_URL). */
  vars?: Record<string, string>;
  /**
   * The img-mgr snapshot act resolves img-mgr/img-mgr-actions@v1 to
   * (IMG_MGR_CHECKOUT in .actrc). Default: the fork workspace's `.img-mgr`.
   */
  checkout?: string;
  /** act --dryrun: plan every job and step, run nothing. */
  dryRun?: boolean;
  /** Kill act after this long (default 240 s). */
  timeoutMs?: number;
  /** Called with each log line as it arrives (the CLI streams them). */
  onLine?: (line: string) => void;
}

export interface ActRun {
  exitCode: number | null;
  /** act's own log: job and step results, and the steps' output as act relayed it. */
  log: string;
  /**
   * The complete output of every step's process, in the order the steps
   * started. Assert a step's own lines here: act can drop the last lines of a
   * failing step from its log (see runner-shims.ts).
   */
  steps: string;
  durationMs: number;
  /** Final result of each job act ran, by the job's display name as act logs it. */
  jobs: Record<string, 'succeeded' | 'failed'>;
  /** The command line, for error messages. */
  command: string;
}

/** Packer variables that point the img-mgr template at a local endpoint (see packer/test.pkrvars.hcl). */
export function localPackerVariables(endpoint: string): Record<string, string> {
  return { ec2_endpoint: endpoint, communicator: 'none', skip_aws_checks: 'true', instance_type: 't3.micro' };
}

/**
 * Git settings (for the jobs' environment) that make `git ls-remote` of the
 * fork's GitHub URL read the local fork instead, so that resolving flask-ref
 * works offline.
 */
export function gitRedirect(from: string, toDir: string): Record<string, string> {
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.file://${toDir}/.insteadOf`, GIT_CONFIG_VALUE_0: from };
}

/** Variables of the parent process that must not reach a job in host mode. */
const RUNNER_VARIABLES = /^(AWS_|GITHUB_|RUNNER_|ACTIONS_|INPUT_|STATE_|PKR_VAR_|ACT$|CI$)/;

/**
 * act's PATH: the runner shims first (a `node` that is the test tools' Node 24
 * when there is one, what `runs.using: node24` gets on GitHub), then the test tools.
 */
function runnerShims(scratch: string, path: string): RunnerShims {
  const node24 = join(toolsBin(), 'node24');
  return createRunnerShims(scratch, path, existsSync(node24) ? node24 : findOnPath('node', path));
}

/** KEY=VALUE lines for act's --env-file (values here are single-line). */
function envFile(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      if (/[\r\n]/.test(value)) throw new Error(`act env ${key}: multi-line values are not supported`);
      return `${key}=${value}\n`;
    })
    .join('');
}

/** Parses act's "🏁  Job succeeded" / "Job failed" lines into a job → result map. */
export function jobResults(log: string): Record<string, 'succeeded' | 'failed'> {
  const results: Record<string, 'succeeded' | 'failed'> = {};
  for (const match of log.matchAll(/^(?:\*DRYRUN\* )?\[([^\]]+)\]\s+🏁\s+Job (succeeded|failed)/gmu)) {
    const [, job = '', result] = match;
    results[job.trim()] = result === 'succeeded' ? 'succeeded' : 'failed';
  }
  return results;
}

/** Runs act once and collects its log. */
export function runAct(options: RunActOptions): Promise<ActRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'img-mgr-act-'));
  const actDir = join(options.root, 'workflows-example', 'act');
  const env: Record<string, string> = { ...options.aws, ...(options.env ?? {}) };
  for (const [name, value] of Object.entries(options.packerVariables ?? {})) env[`PKR_VAR_${name}`] = value;
  writeFileSync(join(scratch, 'act.env'), envFile(env));
  const args = [
    options.event,
    '--workflows',
    join(options.root, 'workflows-example', options.workflow),
    '--directory',
    options.workdir,
    '--eventpath',
    resolvePath(actDir, options.eventFile),
    '--env-file',
    join(scratch, 'act.env'),
    '--action-cache-path',
    join(scratch, 'cache'),
    ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}=${value}`]),
    ...(options.dryRun ? ['--dryrun'] : []),
  ];
  const toolsPath = [toolsBin(), process.env.PATH ?? ''].filter(Boolean).join(delimiter);
  const shims = runnerShims(scratch, toolsPath);
  const processEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !RUNNER_VARIABLES.test(key)) processEnv[key] = value;
  }
  Object.assign(processEnv, {
    PATH: `${shims.binDir}${delimiter}${toolsPath}`,
    ACT_DISABLE_VERSION_CHECK: '1',
    IMG_MGR_ROOT: options.root,
    IMG_MGR_CHECKOUT: options.checkout ?? join(options.workdir, '.img-mgr'),
  });
  const act = toolPath('act');
  const command = `(cd ${actDir} && ${act} ${args.join(' ')})`;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(act, args, { cwd: actDir, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      log += text;
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach((line) => options.onLine?.(line));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timeoutMs = options.timeoutMs ?? 240_000;
    const killer = setTimeout(() => {
      log += `\n[act runner] killed after ${timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(killer);
      rmSync(scratch, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      if (partial) options.onLine?.(partial);
      const steps = shims.transcript();
      rmSync(scratch, { recursive: true, force: true });
      resolve({ exitCode, log, steps, durationMs: Date.now() - started, jobs: jobResults(log), command });
    });
  });
}
