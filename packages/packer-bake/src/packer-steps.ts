/**
 * The three Packer steps of a bake: `packer init` (when the template
 * declares plugins), `packer validate` and `packer build`, each streamed
 * through the machine-readable parser into events, each failing with its exit
 * code and last error lines, each interrupted on cancellation (see process.ts).
 */
import { ActionError, CancelledError, formatDuration, TimeoutError, type Context, type Env } from '@img-mgr/kernel';
import { BuilderAnnouncements, type AnnouncedImage, type TemporaryResource } from './announcements.js';
import { ArtifactCollector, type BuildResult } from './artifacts.js';
import { supportsInit, type PackerBinary } from './binary.js';
import { LineSplitter, MachineReadableParser, type UiLine } from './machine-readable.js';
import { runPacker, type PackerRun } from './process.js';
import { BAKE_VARIABLES, type BakeRequest } from './request.js';
import type { TemplateInfo } from './template.js';

export type PackerStep = 'init' | 'validate' | 'build';

export type { TemporaryResource } from './announcements.js';

/** What the Packer steps report while they run. */
export type PackerEvent =
  | { kind: 'step'; step: PackerStep; status: 'started' | 'skipped' | 'finished'; detail?: string }
  | { kind: 'ui'; line: UiLine }
  | { kind: 'resource'; resource: TemporaryResource; id: string; image?: AnnouncedImage }
  | { kind: 'build'; build: BuildResult };

/** Packer failed: its exit code and its last error lines. */
export class PackerError extends ActionError {
  override readonly name = 'PackerError';
  constructor(
    readonly step: PackerStep,
    readonly exitCode: number | null,
    readonly errorLines: string[],
  ) {
    const last = errorLines
      .filter((line) => line.trim() !== '')
      .at(-1)
      ?.trim();
    super(`packer ${step} failed with exit code ${exitCode ?? 'none'}${last ? `: ${last}` : ''}`);
  }
}

/** What every step needs: which Packer, where, with which environment and template, and where events go. */
export interface PackerSetup {
  packer: PackerBinary;
  cwd: string;
  /** Packer's environment, built from the context's (never this process's). */
  env: Env;
  template: TemplateInfo;
  /** `-only`/`-except`, `-var-file` and `-var` arguments of validate and build. */
  args: string[];
  /** How long to wait for Packer after an interrupt. */
  graceMs: number;
  onEvent: (event: PackerEvent) => void;
}

/** `packer init`, or why it is skipped (turned off, no plugins declared, or a Packer before 1.7). */
export async function packerInit(
  setup: PackerSetup,
  request: { init: boolean; githubToken?: string },
  context: Context,
): Promise<void> {
  const { packer, template, onEvent } = setup;
  const skip = (detail: string): void => onEvent({ kind: 'step', step: 'init', status: 'skipped', detail });
  if (!request.init) return skip("turned off by 'init: false'");
  if (!template.declaresPlugins) return skip('the template declares no required_plugins');
  if (!supportsInit(packer.version)) {
    skip(`Packer ${packer.version} has no 'packer init' (1.7.0 and later)`);
    context.log.warn(
      `the template declares required_plugins, which Packer ${packer.version} cannot read; ` +
        "set 'packer-version' to 1.7.0 or later",
    );
    return;
  }
  onEvent({ kind: 'step', step: 'init', status: 'started' });
  const token = request.githubToken ? { PACKER_GITHUB_API_TOKEN: request.githubToken } : {};
  const errors = new Tail(20);
  const output = new LineSplitter((line) => {
    if (line.trim() !== '') onEvent({ kind: 'ui', line: { level: 'say', text: line } });
  });
  const run = await runPacker(packer.path, ['init', template.path], {
    ...runOptions(setup, context),
    env: { ...setup.env, ...token },
    onStdout: (chunk) => output.push(chunk),
    onStderrLine: (line) => {
      errors.push(line);
      onEvent({ kind: 'ui', line: { level: 'error', text: line } });
    },
  });
  output.end();
  checkRun('init', run, errors.lines(), context.signal);
  onEvent({ kind: 'step', step: 'init', status: 'finished' });
}

/** `packer validate` with the bake's arguments. */
export async function packerValidate(setup: PackerSetup, context: Context): Promise<void> {
  const { onEvent } = setup;
  onEvent({ kind: 'step', step: 'validate', status: 'started' });
  const errors = new Tail(40);
  const parser = new MachineReadableParser({
    onUi: (line) => {
      if (line.level === 'error') errors.push(line.text);
      onEvent({ kind: 'ui', line });
    },
    onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
  });
  const run = await runPacker(
    setup.packer.path,
    ['validate', '-machine-readable', ...setup.args, setup.template.path],
    {
      ...runOptions(setup, context),
      onStdout: (chunk) => parser.push(chunk),
      onStderrLine: (line) => errors.push(line),
    },
  );
  parser.end();
  checkRun('validate', run, errors.lines(), context.signal);
  onEvent({ kind: 'step', step: 'validate', status: 'finished' });
}

/**
 * `packer build`, bounded by `timeoutMs` (reaching it interrupts Packer and
 * is a TimeoutError). Returns the builds that produced AMIs; none is a
 * PackerError.
 */
export async function packerBuild(setup: PackerSetup, timeoutMs: number, context: Context): Promise<BuildResult[]> {
  const { onEvent } = setup;
  onEvent({ kind: 'step', step: 'build', status: 'started' });
  const artifacts = new ArtifactCollector();
  const uiErrors = new Tail(20);
  const buildErrors = new Tail(20);
  const stderr = new Tail(20);
  const announcements = new BuilderAnnouncements();
  const parser = new MachineReadableParser({
    onUi: (line) => {
      if (line.level === 'error') uiErrors.push(line.text);
      for (const announced of announcements.read(line)) onEvent({ kind: 'resource', ...announced });
      onEvent({ kind: 'ui', line });
    },
    onArtifact: (artifact) => {
      const build = artifacts.add(artifact);
      if (build) onEvent({ kind: 'build', build });
    },
    onBuildError: (build, message) => buildErrors.push(`${build}: ${message}`),
    onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
  });
  const args = ['build', '-machine-readable', '-color=false', ...setup.args, setup.template.path];
  context.log.info(`Running packer ${args.map((arg) => redactVariable(arg)).join(' ')}`);
  const run = await runPacker(setup.packer.path, args, {
    ...runOptions(setup, context),
    timeoutMs,
    onStdout: (chunk) => parser.push(chunk),
    onStderrLine: (line) => {
      stderr.push(line);
      onEvent({ kind: 'ui', line: { level: 'error', text: line } });
    },
  });
  parser.end();
  if (run.interrupted === 'timeout') {
    const cleaned = run.exitedInTime ? ' and cleaned up' : '';
    throw new TimeoutError(
      `packer build did not finish within ${formatDuration(timeoutMs)}; Packer was interrupted${cleaned}`,
    );
  }
  const errorLines = [buildErrors, uiErrors, stderr].find((tail) => tail.size() > 0)?.lines() ?? [];
  checkRun('build', run, errorLines, context.signal);
  onEvent({ kind: 'step', step: 'build', status: 'finished' });
  const builds = artifacts.results();
  if (builds.length === 0) {
    throw new PackerError('build', run.exitCode, [
      'packer build succeeded but reported no AMI artifact (is the builder amazon-ebs?)',
    ]);
  }
  return builds;
}

/**
 * `-only`/`-except`, then `-var-file` and `-var` arguments: the request's,
 * then bake-ami's own for the variables the template declares, then
 * `extra` (the build subnet, chosen after the fingerprint).
 */
export function packerArgs(
  request: BakeRequest,
  template: TemplateInfo,
  fingerprint: string,
  varFiles: string[],
  context: Context,
  extra: Record<string, string> = {},
): string[] {
  const variables: Record<string, string> = { ...request.variables, ...extra };
  const offer = (name: string, value: string | undefined, required: boolean): void => {
    if (value === undefined || name in variables) return;
    if (template.variables.has(name)) variables[name] = value;
    else if (required)
      context.log.warn(`the template declares no '${name}' variable; bake-ami cannot pass it (see the README)`);
  };
  offer(BAKE_VARIABLES.fingerprint, fingerprint, true);
  offer(BAKE_VARIABLES.runId, request.runId, true);
  offer(BAKE_VARIABLES.appRevision, request.appRevision, false);
  offer(BAKE_VARIABLES.region, request.region, false);
  return [
    ...(request.only.length > 0 ? [`-only=${request.only.join(',')}`] : []),
    ...(request.except.length > 0 ? [`-except=${request.except.join(',')}`] : []),
    ...varFiles.map((file) => `-var-file=${file}`),
    ...Object.entries(variables).flatMap(([key, value]) => ['-var', `${key}=${value}`]),
  ];
}

function runOptions(setup: PackerSetup, context: Context) {
  return {
    cwd: setup.cwd,
    env: setup.env,
    graceMs: setup.graceMs,
    signal: context.signal,
    log: (line: string) => context.log.info(line),
  };
}

/** Variable values stay out of our own log line (they may be secrets); Packer's output is masked by the runner. */
function redactVariable(arg: string): string {
  const equals = arg.indexOf('=');
  return equals > 0 && !arg.startsWith('-') ? `${arg.slice(0, equals)}=…` : arg;
}

function checkRun(step: PackerStep, run: PackerRun, errorLines: string[], signal: AbortSignal): void {
  if (run.interrupted === 'cancelled' || signal.aborted) throw new CancelledError(cancelSignal(signal));
  if (run.exitCode !== 0) {
    const lines = errorLines.length > 0 ? errorLines : [`packer ${step} exited with ${run.exitCode ?? run.signal}`];
    throw new PackerError(step, run.exitCode, lines);
  }
}

/** The signal a cancellation came with (SIGINT, SIGTERM), when the abort reason says. */
export function cancelSignal(signal: AbortSignal): NodeJS.Signals | undefined {
  return (signal.reason as { signal?: NodeJS.Signals } | undefined)?.signal;
}

/** The last `size` lines of something (constant memory). */
class Tail {
  private readonly items: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string): void {
    this.items.push(line);
    if (this.items.length > this.max) this.items.shift();
  }
  lines(): string[] {
    return [...this.items];
  }
  size(): number {
    return this.items.length;
  }
}
