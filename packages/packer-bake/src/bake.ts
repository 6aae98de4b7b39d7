/**
 * One bake: fingerprint → look for an AMI already baked from it → Packer
 * (init, validate, build) with a streaming parse of its output → AMI ids.
 * No @actions/core here: the action shell (or a CLI) supplies `log`,
 * `signal` and `onEvent` and turns the result into outputs.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { KMSClient } from '@aws-sdk/client-kms';
import { CancelledError, TimeoutError } from '@img-mgr/kernel';
import { ArtifactCollector, mergeAmis, type BuildResult } from './artifacts.js';
import { resolvePacker, supportsInit, type PackerBinary } from './binary.js';
import { varFileWithUrlCredentials, variableWithUrlCredentials, urlCredentialsProblem } from './credentials.js';
import { computeFingerprint } from './fingerprint.js';
import { createEc2Client, findBakedAmi, findBakedCopies, tagBakedRegions, type BakedAmi } from './images.js';
import { LineSplitter, MachineReadableParser, type UiLine } from './machine-readable.js';
import { writeManifest } from './manifest.js';
import { preflightTemplate } from './preflight.js';
import { runPacker, type PackerRun } from './process.js';
import { describeFilter, pluginConstraints, readSourceAmiSpec, resolveSourceAmi } from './source-ami.js';
import { inspectTemplate, type TemplateInfo } from './template.js';

/** Variables bake-ami passes to Packer when the template declares them. */
export const BAKE_VARIABLES = {
  fingerprint: 'fingerprint',
  runId: 'run_id',
  appRevision: 'app_revision',
  region: 'region',
} as const;

export interface BakeRequest {
  /** Template file or directory, relative to `workingDirectory`. */
  template: string;
  workingDirectory: string;
  /** The build region: where the fingerprint is looked up and whose AMI is `amiId`. */
  region: string;
  variables: Record<string, string>;
  /** Variable files, relative to `workingDirectory`. */
  varFiles: string[];
  only: string[];
  except: string[];
  /** 'path' or a release version to install. */
  packerVersion: string;
  /** Run `packer init` when the template declares plugins and Packer has init. */
  init: boolean;
  /** Sets PACKER_GITHUB_API_TOKEN for `packer init`. */
  githubToken?: string;
  appRevision?: string;
  /** Build even when an AMI with the fingerprint exists. */
  force: boolean;
  /** Bound of the `packer build`; reaching it is a failure. */
  timeoutMs: number;
  /** Tags everything Packer creates (through the `run_id` variable); see `newRunId`. */
  runId: string;
  /** Where to write the manifest (default: a file in the temp folder named after the run). */
  manifestPath?: string;
}

export type BakeEvent =
  | { kind: 'fingerprint'; fingerprint: string; template: TemplateInfo }
  | { kind: 'found'; ami: BakedAmi }
  | { kind: 'packer'; binary: PackerBinary }
  | { kind: 'step'; step: 'init' | 'validate' | 'build'; status: 'started' | 'skipped' | 'finished'; detail?: string }
  | { kind: 'ui'; line: UiLine }
  | { kind: 'resource'; resource: TemporaryResource; id: string }
  | { kind: 'build'; build: BuildResult };

/** What Packer creates for a build and deletes afterwards. */
export type TemporaryResource = 'instance' | 'key-pair' | 'security-group';

export interface BakeOptions {
  /** bake-ami's own log lines (Packer's UI lines come as `ui` events). */
  log?: (line: string) => void;
  /** Aborting interrupts Packer, waits for its cleanup and throws CancelledError. */
  signal?: AbortSignal;
  onEvent?: (event: BakeEvent) => void;
  /** An EC2 client for the region (default: one from @img-mgr/kernel/aws). */
  ec2?: EC2Client;
  /** A KMS client for the region, asked for only when the template sets kms_key_id (default: one from @img-mgr/kernel/aws). */
  kms?: () => Promise<KMSClient>;
  /** Environment for Packer and the AWS client (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for Packer after an interrupt (default 7 s). */
  graceMs?: number;
}

export interface BakeResult {
  skipped: boolean;
  fingerprint: string;
  region: string;
  /** The AMI in the build region. */
  amiId: string;
  /** Region → AMI over all builds. */
  amis: Record<string, string>;
  builds: BuildResult[];
  manifestPath: string;
  durationMs: number;
  runId: string;
  /** The AMI found when skipped. */
  found?: BakedAmi;
  packer?: PackerBinary;
}

/** Packer failed: its exit code and its last error lines. */
export class PackerError extends Error {
  override readonly name = 'PackerError';
  constructor(
    readonly step: 'init' | 'validate' | 'build',
    readonly exitCode: number | null,
    readonly errorLines: string[],
  ) {
    const last = errorLines.filter((line) => line.trim() !== '').at(-1)?.trim();
    super(`packer ${step} failed with exit code ${exitCode ?? 'none'}${last ? `: ${last}` : ''}`);
  }
}

/** A run id unique to one bake: the workflow run, its attempt and a random part. */
export function newRunId(env: NodeJS.ProcessEnv = process.env): string {
  const random = randomBytes(3).toString('hex');
  if (env.GITHUB_RUN_ID) return `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${random}`;
  return `local-${Date.now()}-${random}`;
}

const TEMP_RESOURCES: [TemporaryResource, RegExp][] = [
  ['key-pair', /Creating temporary key ?pair: (\S+)/],
  ['security-group', /Creating temporary security group for this instance: (\S+)/],
  ['instance', /Instance ID: (i-[0-9a-f]+)/],
];

/** Bakes an AMI, or finds the one already baked from the same inputs. */
export async function bakeAmi(request: BakeRequest, options: BakeOptions = {}): Promise<BakeResult> {
  const started = Date.now();
  const { log = () => undefined, signal, onEvent = () => undefined, env = process.env } = options;
  const cwd = resolve(request.workingDirectory);
  const templatePath = resolve(cwd, request.template);
  const template = await inspectTemplate(templatePath);
  const varFiles = request.varFiles.map((file) => (isAbsolute(file) ? file : resolve(cwd, file)));
  for (const name of [BAKE_VARIABLES.fingerprint, BAKE_VARIABLES.runId]) {
    if (name in request.variables) throw new Error(`The variable '${name}' is set by bake-ami; remove it from 'variables'`);
  }
  const withCredentials = variableWithUrlCredentials(request.variables);
  if (withCredentials !== undefined) throw new Error(`The variables ${urlCredentialsProblem(withCredentials)}`);
  const fileWithCredentials = await varFileWithUrlCredentials(varFiles);
  if (fileWithCredentials !== undefined) throw new Error(`The var file '${fileWithCredentials}' holds a URL with credentials (user:token@), which would reach Packer's log and the AMI's tags; use a URL without them`);
  const ec2 = options.ec2 ?? createEc2Client(request.region, { log, env });
  const configFiles = template.files.filter((file) => /\.pkr\.(hcl|json)$/.test(file) || (template.kind === 'json' && file.endsWith('.json')));
  // What the build depends on beyond its files: the base image now, the Packer that bakes, the plugins it may use.
  let packer: PackerBinary | undefined = request.packerVersion === 'path' ? await resolvePacker({ version: 'path', log, env }) : undefined;
  const packerVersion = packer?.version ?? request.packerVersion;
  const sourceAmi = await sourceAmiOf(configFiles, request, varFiles, ec2, log, signal);
  const plugins = (await Promise.all(configFiles.filter((file) => file.endsWith('.hcl')).map(async (file) => pluginConstraints(await readFile(file, 'utf8'))))).flat();
  const fingerprint = await computeFingerprint({
    templateFiles: template.files,
    templateRoot: template.root,
    variables: request.variables,
    varFiles,
    ...(request.appRevision ? { appRevision: request.appRevision } : {}),
    only: request.only,
    except: request.except,
    sourceAmi,
    packerVersion,
    plugins,
  });
  onEvent({ kind: 'fingerprint', fingerprint, template });
  log(
    `Fingerprint ${fingerprint} (${template.files.length} template file(s), ${Object.keys(request.variables).length} variable(s), ${varFiles.length} var-file(s), ` +
      `app revision ${request.appRevision || 'none'}, source AMI ${sourceAmi || 'none'}, Packer ${packerVersion}, plugins ${plugins.join('; ') || 'none'})`,
  );
  const manifestPath = request.manifestPath ?? join(env.RUNNER_TEMP || tmpdir(), `bake-ami-${request.runId}`, 'packer-manifest.json');

  if (!request.force) {
    const found = await findBakedAmi(ec2, fingerprint, signal ? { signal } : {});
    const amis = found ? await findBakedCopies(found, fingerprint, request.region, { ec2, log, env, ...(signal ? { signal } : {}) }) : undefined;
    if (found && amis) {
      onEvent({ kind: 'found', ami: found });
      log(`Skipping Packer: ${found.imageId} (${found.name}) in ${request.region} was already baked from these inputs (${Object.keys(amis).join(', ')})`);
      const artifactId = Object.entries(amis)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, ami]) => `${region}:${ami}`)
        .join(',');
      const builds: BuildResult[] = [{ name: 'existing', amis, artifactId, builderId: 'bake-ami.existing' }];
      await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: true, builds });
      return {
        skipped: true,
        fingerprint,
        region: request.region,
        amiId: found.imageId,
        amis,
        builds,
        manifestPath,
        durationMs: Date.now() - started,
        runId: request.runId,
        found,
      };
    }
    if (!found) log(`No available AMI owned by this account has fingerprint ${fingerprint}; baking`);
  } else {
    log('force is set: baking without looking for an AMI with the same fingerprint');
  }

  // The subnet, VPC and KMS key the template names, checked before Packer creates anything.
  // A cancellation during the lookups is a cancellation, not a failed check.
  await preflightTemplate(configFiles, request.variables, varFiles, {
    ec2,
    region: request.region,
    log,
    env,
    ...(options.kms ? { kms: options.kms } : {}),
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    throwIfAborted(signal);
    throw error;
  });
  throwIfAborted(signal);

  packer ??= await resolvePacker({ version: request.packerVersion, log, env });
  onEvent({ kind: 'packer', binary: packer });
  log(`Using Packer ${packer.version} at ${packer.path} (${packer.source})`);
  const packerEnv: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: '1' };
  const runOptions = { cwd, log, graceMs: options.graceMs ?? 7_000, ...(signal ? { signal } : {}) };
  const varArgs = variableArgs(request, template, fingerprint, varFiles, log);
  throwIfAborted(signal);

  // packer init
  if (!request.init) {
    onEvent({ kind: 'step', step: 'init', status: 'skipped', detail: "turned off by 'init: false'" });
  } else if (!template.declaresPlugins) {
    onEvent({ kind: 'step', step: 'init', status: 'skipped', detail: 'the template declares no required_plugins' });
  } else if (!supportsInit(packer.version)) {
    onEvent({ kind: 'step', step: 'init', status: 'skipped', detail: `Packer ${packer.version} has no 'packer init' (1.7.0 and later)` });
    log(`Warning: the template declares required_plugins, which Packer ${packer.version} cannot read; set 'packer-version' to 1.7.0 or later`);
  } else {
    onEvent({ kind: 'step', step: 'init', status: 'started' });
    const initEnv = { ...packerEnv, ...(request.githubToken ? { PACKER_GITHUB_API_TOKEN: request.githubToken } : {}) };
    const errors = new Tail(20);
    const initOutput = new LineSplitter((line) => {
      if (line.trim() !== '') onEvent({ kind: 'ui', line: { level: 'say', text: line } });
    });
    const run = await runPacker(packer.path, ['init', template.path], {
      ...runOptions,
      env: initEnv,
      onStdout: (chunk) => initOutput.push(chunk),
      onStderrLine: (line) => {
        errors.push(line);
        onEvent({ kind: 'ui', line: { level: 'error', text: line } });
      },
    });
    initOutput.end();
    checkRun('init', run, errors.lines(), signal);
    onEvent({ kind: 'step', step: 'init', status: 'finished' });
  }

  // packer validate
  onEvent({ kind: 'step', step: 'validate', status: 'started' });
  {
    const errors = new Tail(40);
    const parser = new MachineReadableParser({
      onUi: (line) => {
        if (line.level === 'error') errors.push(line.text);
        onEvent({ kind: 'ui', line });
      },
      onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
    });
    const run = await runPacker(packer.path, ['validate', '-machine-readable', ...filterArgs(request), ...varArgs, template.path], {
      ...runOptions,
      env: packerEnv,
      onStdout: (chunk) => parser.push(chunk),
      onStderrLine: (line) => errors.push(line),
    });
    parser.end();
    checkRun('validate', run, errors.lines(), signal);
  }
  onEvent({ kind: 'step', step: 'validate', status: 'finished' });

  // packer build
  onEvent({ kind: 'step', step: 'build', status: 'started' });
  const artifacts = new ArtifactCollector();
  const uiErrors = new Tail(20);
  const buildErrors = new Tail(20);
  const stderr = new Tail(20);
  const parser = new MachineReadableParser({
    onUi: (line) => {
      if (line.level === 'error') uiErrors.push(line.text);
      for (const [resource, pattern] of TEMP_RESOURCES) {
        const match = pattern.exec(line.text);
        if (match?.[1]) onEvent({ kind: 'resource', resource, id: match[1] });
      }
      onEvent({ kind: 'ui', line });
    },
    onArtifact: (artifact) => {
      const build = artifacts.add(artifact);
      if (build) onEvent({ kind: 'build', build });
    },
    onBuildError: (build, message) => buildErrors.push(`${build}: ${message}`),
    onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
  });
  const buildArgs = ['build', '-machine-readable', '-color=false', ...filterArgs(request), ...varArgs, template.path];
  log(`Running packer ${buildArgs.map((arg) => redactVariable(arg)).join(' ')}`);
  const run = await runPacker(packer.path, buildArgs, {
    ...runOptions,
    env: packerEnv,
    timeoutMs: request.timeoutMs,
    onStdout: (chunk) => parser.push(chunk),
    onStderrLine: (line) => {
      stderr.push(line);
      onEvent({ kind: 'ui', line: { level: 'error', text: line } });
    },
  });
  parser.end();
  if (run.interrupted === 'timeout') {
    throw new TimeoutError(
      `packer build did not finish within ${formatDuration(request.timeoutMs)}; Packer was interrupted${run.exitedInTime ? ' and cleaned up' : ''}`,
    );
  }
  const errorLines = buildErrors.size() > 0 ? buildErrors.lines() : uiErrors.size() > 0 ? uiErrors.lines() : stderr.lines();
  checkRun('build', run, errorLines, signal);
  onEvent({ kind: 'step', step: 'build', status: 'finished' });

  const builds = artifacts.results();
  if (builds.length === 0) {
    throw new PackerError('build', run.exitCode, ['packer build succeeded but reported no AMI artifact (is the builder amazon-ebs?)']);
  }
  const amis = mergeAmis(builds);
  let amiId = amis[request.region];
  if (!amiId) {
    const [firstRegion = '', firstAmi = ''] = Object.entries(builds[0]?.amis ?? {})[0] ?? [];
    log(`Warning: no AMI was built in ${request.region}; ami-id is ${firstAmi} from ${firstRegion}`);
    amiId = firstAmi;
  }
  if (builds.length > 1) log(`${builds.length} builds produced AMIs; ami-id and amis take the first build's AMI per region`);
  // A later skip finds every region's copy through this tag (the build region's AMI is the one it finds first).
  await tagBakedRegions(ec2, amiId, Object.keys(amis), log, signal);
  await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: false, builds });
  return {
    skipped: false,
    fingerprint,
    region: request.region,
    amiId,
    amis,
    builds,
    manifestPath,
    durationMs: Date.now() - started,
    runId: request.runId,
    packer,
  };
}

/**
 * The source AMI id the template's source_ami_filter resolves to in the
 * build region now (or its literal source_ami); '' when the template names
 * none. A filter that matches nothing is noted in the fingerprint and left
 * for Packer to report.
 */
async function sourceAmiOf(
  configFiles: string[],
  request: BakeRequest,
  varFiles: string[],
  ec2: EC2Client,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const spec = await readSourceAmiSpec(configFiles, request.variables, varFiles);
  if (spec.kind === 'none') return '';
  if (spec.kind === 'literal') return spec.amiId;
  const described = describeFilter(spec.filter);
  const resolved = await resolveSourceAmi(ec2, spec.filter, signal);
  if (!resolved) {
    log(`Warning: source_ami_filter ${described} matches no AMI in ${request.region}; Packer will report it`);
    return `unresolved ${described}`;
  }
  log(`Source AMI ${resolved}: the newest match of source_ami_filter ${described} in ${request.region}`);
  return resolved;
}

/** `-var` and `-var-file` arguments: the user's, then bake-ami's for variables the template declares. */
function variableArgs(
  request: BakeRequest,
  template: TemplateInfo,
  fingerprint: string,
  varFiles: string[],
  log: (line: string) => void,
): string[] {
  const variables: Record<string, string> = { ...request.variables };
  const offer = (name: string, value: string | undefined, required: boolean): void => {
    if (value === undefined || name in variables) return;
    if (template.variables.has(name)) variables[name] = value;
    else if (required) log(`Warning: the template declares no '${name}' variable; bake-ami cannot pass it (see the README)`);
  };
  offer(BAKE_VARIABLES.fingerprint, fingerprint, true);
  offer(BAKE_VARIABLES.runId, request.runId, true);
  offer(BAKE_VARIABLES.appRevision, request.appRevision, false);
  offer(BAKE_VARIABLES.region, request.region, false);
  return [
    ...varFiles.map((file) => `-var-file=${file}`),
    ...Object.entries(variables).flatMap(([key, value]) => ['-var', `${key}=${value}`]),
  ];
}

function filterArgs(request: BakeRequest): string[] {
  return [
    ...(request.only.length > 0 ? [`-only=${request.only.join(',')}`] : []),
    ...(request.except.length > 0 ? [`-except=${request.except.join(',')}`] : []),
  ];
}

/** Variable values stay out of our own log line (they may be secrets); Packer's output is masked by the runner. */
function redactVariable(arg: string): string {
  const equals = arg.indexOf('=');
  return equals > 0 && !arg.startsWith('-') ? `${arg.slice(0, equals)}=…` : arg;
}

function checkRun(step: 'init' | 'validate' | 'build', run: PackerRun, errorLines: string[], signal?: AbortSignal): void {
  if (run.interrupted === 'cancelled' || signal?.aborted) {
    throw new CancelledError(cancelSignal(signal));
  }
  if (run.exitCode !== 0) {
    throw new PackerError(step, run.exitCode, errorLines.length > 0 ? errorLines : [`packer ${step} exited with ${run.exitCode ?? run.signal}`]);
  }
}

function cancelSignal(signal?: AbortSignal): NodeJS.Signals | undefined {
  const reason = signal?.reason as { signal?: NodeJS.Signals } | undefined;
  return reason?.signal;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError(cancelSignal(signal));
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
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
