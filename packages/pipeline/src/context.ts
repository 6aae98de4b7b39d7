/**
 * The one context of a command, built once by `commandContext` at the CLI's
 * edge (runner.ts) and passed down: the environment aimed at the chosen AWS,
 * the one client factory, the mask, the cancellation signal. A step only
 * chooses where its lines go (`stepContext`).
 */
import { delimiter } from 'node:path';
import type { ClientFactory, Context, Env, Logger } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import type { AppSource } from './app-revision.js';
import type { Options } from './args.js';
import { toolsBin } from '@img-mgr/local-host';
import type { Progress, Step } from './progress.js';
import type { Redactor } from './redactor.js';
import type { RunReport } from './report.js';
import type { AwsTarget } from './target.js';

export interface CommandContext {
  options: Options;
  target: AwsTarget;
  progress: Progress;
  report: RunReport;
  /** Aborted on Ctrl-C/SIGTERM (reason CancelledError) or at --timeout (reason TimeoutError). */
  signal: AbortSignal;
  /** Time left before --timeout, in ms (at least 1 s, so a step always gets a bound). */
  remainingMs(): number;
  /** The repository root (packer/, cloudformation/). */
  root: string;
  /** The folder for state and generated files. */
  stateDir: string;
  /** The app revision to bake (run, bake), resolved before the AWS target was opened. */
  app?: AppSource;
  /**
   * The environment of every AWS client and child process: the CLI's, aimed at the target, with the
   * test bed's tools on PATH (first against an emulator, so its Packer is used; last on real AWS, so the
   * user's own Packer wins).
   */
  env: Env;
  /** Every AWS client of the command; its retry lines go to the step that runs. */
  clients: ClientFactory;
  /** What must never be printed; every line the CLI writes goes through it. */
  redactor: Redactor;
}

/** What `commandContext` is built from. */
export type CommandParts = Omit<CommandContext, 'env' | 'clients' | 'remainingMs'>;

/** Builds the command's context once the target is open: its environment and client factory come from it. */
export function commandContext(parts: CommandParts): CommandContext {
  const deadline = Date.now() + parts.options.timeoutMs;
  const env = withTools(parts.target.env, parts.target.emulated);
  if (parts.target.kind === 'aws') {
    // A real account's keys, as configure-aws-credentials masks them for a workflow.
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) parts.redactor.add(env[name] ?? '');
  }
  return {
    ...parts,
    env,
    clients: clientFactory({ caller: 'pipeline', env, log: (line) => parts.progress.detail(line) }),
    remainingMs: () => Math.max(1_000, deadline - Date.now()),
  };
}

function withTools(env: Env, toolsFirst: boolean): Env {
  const path = env.PATH ?? '';
  const tools = toolsBin(env);
  return { ...env, PATH: (toolsFirst ? [tools, path] : [path, tools]).filter(Boolean).join(delimiter) };
}

/** How a step shows what domain code logs. */
export interface StepLogOptions {
  /** Show a log group's title as a detail line (default true; deploy's stack events speak for themselves). */
  groupTitles?: boolean;
}

/** The kernel Context a step hands to domain code: the command's, with the lines going to `step`. */
export function stepContext(ctx: CommandContext, step: Step, options: StepLogOptions = {}): Context {
  return { log: stepLogger(ctx.redactor, step, options), signal: ctx.signal, env: ctx.env, clients: ctx.clients };
}

function stepLogger(redactor: Redactor, step: Step, options: StepLogOptions): Logger {
  const info = (line: string): void => {
    if (line.trim() !== '') step.detail(line.trimEnd());
  };
  return {
    info,
    warn: (line) => step.detail(`warning: ${line}`),
    secret: (value) => redactor.add(value),
    group: async (title, body) => {
      if (options.groupTitles !== false) info(title);
      return body();
    },
  };
}
