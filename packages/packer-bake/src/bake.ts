/**
 * One bake: fingerprint → look for an AMI already baked from it → preflight
 * of the template's subnet, VPC and key → Packer (init, validate, build) →
 * AMI ids. Everything it reads and talks to comes from the caller's
 * `Context` (log, cancellation signal, environment, AWS clients); what
 * happens along the way is reported as `BakeEvent`s.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, TimeoutError, type Context } from '@img-mgr/kernel';
import { mergeAmis, type BuildResult } from './artifacts.js';
import { resolvePacker, type PackerBinary, type ToolCache } from './binary.js';
import { bakeFingerprint } from './fingerprint.js';
import { findBakedAmi, findBakedCopies, tagBakedRegions, type BakedAmi } from './images.js';
import { writeManifest } from './manifest.js';
import {
  cancelSignal,
  packerArgs,
  packerBuild,
  packerInit,
  packerValidate,
  type PackerEvent,
  type PackerSetup,
} from './packer-steps.js';
import { preflightTemplate } from './preflight.js';
import { requestPaths, type BakeRequest } from './request.js';
import { subnetVariables, type SubnetRequest } from './subnet.js';
import type { TemplateInfo } from './template.js';
import { UnfinishedBuild } from './unfinished-build.js';

export type BakeEvent =
  | { kind: 'fingerprint'; fingerprint: string; template: TemplateInfo }
  | { kind: 'found'; ami: BakedAmi }
  | { kind: 'packer'; binary: PackerBinary }
  | PackerEvent;

export interface BakeOptions {
  onEvent?: (event: BakeEvent) => void;
  /** How long to wait for Packer after an interrupt (default 7 s: the runner sends SIGTERM at 7.5 s). */
  graceMs?: number;
  /** Where to install a Packer release that PATH does not have (the action lends @actions/tool-cache). */
  toolCache?: ToolCache;
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

/**
 * Bakes an AMI, or finds the one already baked from the same inputs.
 * Cancelling `context.signal` interrupts Packer, waits for its cleanup and
 * throws CancelledError.
 */
export async function bakeAmi(request: BakeRequest, context: Context, options: BakeOptions = {}): Promise<BakeResult> {
  const started = Date.now();
  const onEvent = options.onEvent ?? (() => undefined);
  const { fingerprint, template, configFiles, varFiles, packer: onPath } = await bakeFingerprint(request, context);
  onEvent({ kind: 'fingerprint', fingerprint, template });
  const manifestPath =
    request.manifestPath ??
    join(context.env.RUNNER_TEMP || tmpdir(), `bake-ami-${request.runId}`, 'packer-manifest.json');
  const result = { fingerprint, region: request.region, manifestPath, runId: request.runId };

  if (request.force) {
    context.log.info('force is set: baking without looking for an AMI with the same fingerprint');
  } else {
    const found = await findBaked(request, fingerprint, context);
    if (found) {
      onEvent({ kind: 'found', ami: found.ami });
      const builds = [found.build];
      await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: true, builds });
      const { amis } = found.build;
      return {
        ...result,
        skipped: true,
        amiId: found.ami.imageId,
        amis,
        builds,
        durationMs: Date.now() - started,
        found: found.ami,
      };
    }
  }

  // The subnet, VPC and KMS key the template names, checked before Packer creates anything, then the
  // subnet the build runs in when the template names none. Looked up only when Packer is to build, so a
  // skipped bake costs no call. A cancellation during the lookups is a cancellation, not a failed check.
  const { variables, region } = request;
  const buildVariables = await preflightTemplate({ configFiles, variables, varFiles, region }, context)
    .then(async (settings) => {
      // A template that names its VPC keeps it: a network-stack subnet could be in another one.
      const setsNetwork = settings.some((setting) => setting.option === 'subnet_id' || setting.option === 'vpc_id');
      return subnetVariables(subnetRequest(request), { variables: template.variables, setsNetwork }, context);
    })
    .catch((error: unknown) => {
      throwIfCancelled(context.signal);
      throw error;
    });
  throwIfCancelled(context.signal);

  const install = { version: request.packerVersion, ...(options.toolCache ? { toolCache: options.toolCache } : {}) };
  const packer = onPath ?? (await resolvePacker(install, context));
  onEvent({ kind: 'packer', binary: packer });
  context.log.info(`Using Packer ${packer.version} at ${packer.path} (${packer.source})`);
  const unfinished = new UnfinishedBuild({ region: request.region, runId: request.runId });
  const setup: PackerSetup = {
    packer,
    cwd: requestPaths(request).cwd,
    env: { ...context.env, CHECKPOINT_DISABLE: '1' },
    template,
    args: packerArgs(request, template, fingerprint, varFiles, context, buildVariables),
    graceMs: options.graceMs ?? 7_000,
    onEvent: (event) => {
      unfinished.observe(event);
      onEvent(event);
    },
  };
  throwIfCancelled(context.signal);
  await packerInit(setup, request, context);
  await packerValidate(setup, context);
  const builds = await buildOrClean(setup, request.timeoutMs, unfinished, context);

  const amis = mergeAmis(builds);
  let amiId = amis[request.region];
  if (!amiId) {
    const [firstRegion = '', firstAmi = ''] = Object.entries(builds[0]?.amis ?? {})[0] ?? [];
    context.log.warn(`no AMI was built in ${request.region}; ami-id is ${firstAmi} from ${firstRegion}`);
    amiId = firstAmi;
  }
  if (builds.length > 1) {
    context.log.info(`${builds.length} builds produced AMIs; ami-id and amis take the first build's AMI per region`);
  }
  // A later skip finds every region's copy through this tag (the build region's AMI is the one it finds first).
  await tagBakedRegions({ amiId, region: request.region }, Object.keys(amis), context);
  await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: false, builds });
  return { ...result, skipped: false, amiId, amis, builds, durationMs: Date.now() - started, packer };
}

/**
 * The AMI already baked with `fingerprint` and its copies in every region
 * it was baked for, as the build a skip returns; undefined when there is
 * none or a region's copy is gone.
 */
async function findBaked(
  request: BakeRequest,
  fingerprint: string,
  context: Context,
): Promise<{ ami: BakedAmi; build: BuildResult } | undefined> {
  const query = { fingerprint, region: request.region };
  const ami = await findBakedAmi(query, context);
  if (!ami) {
    context.log.info(`No available AMI owned by this account has fingerprint ${fingerprint}; baking`);
    return undefined;
  }
  const amis = await findBakedCopies(ami, query, context);
  if (!amis) return undefined;
  context.log.info(
    `Skipping Packer: ${ami.imageId} (${ami.name}) in ${request.region} was already baked from these inputs ` +
      `(${Object.keys(amis).join(', ')})`,
  );
  const artifactId = Object.entries(amis)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, id]) => `${region}:${id}`)
    .join(',');
  return { ami, build: { name: 'existing', amis, artifactId, builderId: 'bake-ami.existing' } };
}

/** How long the clean-up after a failed or cancelled build may take once Packer has exited. */
const CLEANUP_AFTER_EXIT_MS = { cancelled: 2_000, failed: 60_000 };

/**
 * `packer build`; when it does not finish, removes what it left (see
 * unfinished-build.ts) before throwing its error. On cancellation the AMI
 * Packer already announced is deregistered at once, alongside Packer's own
 * clean-up, and both are bounded by the grace (7 s by default); the pass
 * after Packer exits has 2 s more. So a cancelled bake is done about 9 s
 * after the runner's SIGINT: after its SIGTERM at 7.5 s (which only counts
 * as a second cancel request), inside the 10 s before it kills the process tree.
 */
async function buildOrClean(
  setup: PackerSetup,
  timeoutMs: number,
  unfinished: UnfinishedBuild,
  context: Context,
): Promise<BuildResult[]> {
  let early: Promise<string[]> | undefined;
  const onAbort = (): void => {
    early = unfinished.discardImages(context, AbortSignal.timeout(setup.graceMs));
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await packerBuild(setup, timeoutMs, context);
  } catch (error: unknown) {
    await early;
    const budget = context.signal.aborted ? CLEANUP_AFTER_EXIT_MS.cancelled : CLEANUP_AFTER_EXIT_MS.failed;
    const signal = AbortSignal.timeout(budget);
    await unfinished.discardImages(context, signal);
    // Interrupted, Packer may have been stopped before it removed its key pair and security group.
    if (context.signal.aborted || error instanceof TimeoutError) await unfinished.sweep(context, signal, budget);
    throw error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
}

function subnetRequest(request: BakeRequest): SubnetRequest {
  const { region, subnetId, networkStackName } = request;
  return { region, ...(subnetId ? { subnetId } : {}), ...(networkStackName ? { networkStackName } : {}) };
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError(cancelSignal(signal));
}
