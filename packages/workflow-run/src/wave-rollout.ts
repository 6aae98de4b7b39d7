/**
 * A later wave of the reusable workflow (waves 2 and 3 of a targets file): the
 * wave's regions in one job, concurrently. Each region gets what wave 1's
 * publish, deploy and smoke steps give aws-region: its own golden parameter
 * (published before its stack changes), its own app stack through
 * stack-deploy (as deploy-stack), then the smoke test through its front door.
 *
 * One job rather than a matrix: a matrix leg cannot see its siblings, and a
 * failed region must put back every region of its wave. When any region
 * fails, each region whose parameter this run changed is reverted as the
 * revert job reverts aws-region: the AMI tagged rejected there, the version
 * live before republished (only while the parameter still holds this run's),
 * the stack redeployed when it runs the rejected AMI, one smoke test. A
 * cancel stops everything at once, with no revert, as in wave 1.
 */
import { errorMessage, InputError, KernelError, TimeoutError, type Context, type Logger } from '@img-mgr/kernel';
import type { RollbackTarget } from '@img-mgr/ami-publish';
import type { DeployRequest } from '@img-mgr/stack-deploy';
import { planRedeploy } from './revert-plan.js';
import { runSmokeStep, type SmokeStepContext, type SmokeStepResult } from './smoke.js';

/** What every region of the wave publishes: its copy of the bake, or, without a bake, a rollback or a promote. */
export type WaveSource =
  | { kind: 'amis'; amis: Readonly<Record<string, string>> }
  | { kind: 'rollback'; to: RollbackTarget }
  | { kind: 'promote'; from: string };

/** The wave's stack, as the deploy job's Deploy step gets it. */
export interface WaveStack {
  stackName: string;
  /** Every region's deploy: template, parameter file, run, role, tags; only `region` and the parameters differ. */
  deploy: (region: string) => Omit<DeployRequest, 'region'>;
  /** Bound of a rollout's deploy wait, and of a revert's redeploy: both fit in the wave job's timeout. */
  deployWaitMs: number;
}

export interface WaveRequest {
  wave: number;
  regions: readonly string[];
  source: WaveSource;
  parameterName: string;
  /** Labels for each region's new version (app-<revision> after a bake). */
  labels: readonly string[];
  stack: WaveStack;
  smoke: { enabled: boolean; samples: string; timeout: string; urls: Readonly<Record<string, string>> };
  /** Who rejects a failed AMI (the run id), in its img-mgr:rejected tag. */
  rejectedBy: string;
  /** Bound of each parameter read-back. */
  publishWaitMs: number;
}

/** What one region of the wave got, and what it runs now. */
export interface RegionRollout {
  region: string;
  /** The AMI this run gave the region ('' when its publish failed before choosing one). */
  amiId: string;
  /**
   * deployed: published, deployed and smoke-tested; failed: this region failed; reverted / revert failed: the
   * wave failed and this region was put back; unchanged: the wave failed, and this run changed nothing here.
   */
  outcome: 'deployed' | 'failed' | 'reverted' | 'revert failed' | 'unchanged';
  /** The parameter's version now. */
  parameterVersion?: number;
  /** This run wrote a new version. */
  changed: boolean;
  previousVersion?: number;
  previousAmiId?: string;
  stackStatus?: string;
  url: string;
  /** The smoke test's result (passed, failed, off, no-url, blocked) after the deploy. */
  smoke?: SmokeStepResult['result'];
  /** What failed in this region, in one line. */
  error?: string;
  /**
   * Where it failed: the publish; the deploy's own checks before the stack changed (a bad input, the launch
   * key's preflight); the deploy itself (CloudFormation refused or rolled back the AMI, or it did not end in
   * time); or the smoke test.
   */
  failedStep?: 'publish' | 'deploy-checks' | 'deploy' | 'smoke';
  /** What the revert did, in one line. */
  revert?: string;
}

/** The wave failed: every region's outcome is on `regions`; the message names each failed region. */
export class WaveFailedError extends Error {
  override name = 'WaveFailedError';
  constructor(
    message: string,
    readonly regions: RegionRollout[],
    /** The job was cancelled (or timed out) mid-wave: nothing was reverted. */
    readonly cancelled = false,
  ) {
    super(message);
  }
}

/** Rolls the wave out; resolves with every region deployed, or reverts the wave and throws WaveFailedError. */
export async function rolloutWave(request: WaveRequest, context: SmokeStepContext): Promise<RegionRollout[]> {
  checkSources(request);
  const runs = request.regions.map((region) => ({ region, context: regionContext(context, region) }));
  context.log.info(`Wave ${request.wave}: ${request.regions.join(', ')}, concurrently`);
  const results = await Promise.all(runs.map((run) => rolloutRegion(request, run.region, run.context)));
  // A cancel (or the job's timeout) stops the wave at once, with no revert, as in wave 1; what each region got
  // so far still reaches the summary.
  if (context.signal.aborted) {
    throw new WaveFailedError(
      `Wave ${request.wave} was cancelled (${errorMessage(context.signal.reason)}); nothing was reverted`,
      results,
      true,
    );
  }
  const failed = results.filter((result) => result.outcome === 'failed');
  if (failed.length === 0) return results;
  const what = failed.map((result) => `${result.region}: ${result.error ?? 'failed'}`).join('; ');
  if (request.source.kind === 'rollback') {
    // As wave 1's revert job: a rollback's "before" is the very AMI it rolled back from, so nothing is undone.
    throw new WaveFailedError(
      `Wave ${request.wave} failed (${what}); a rollback is not reverted: look at the failed regions`,
      results,
    );
  }
  // As wave 1: only a verdict on the AMI (its deploy or its smoke test failed) reverts. A publish that failed, or a
  // smoke test that could not judge (no Url or bucket, a read AWS refused), is the setup's fault: the wave fails,
  // and what deployed stays.
  if (!failed.some(judgesTheAmi)) {
    throw new WaveFailedError(
      `Wave ${request.wave} failed (${what}); nothing was reverted: no region's deploy or smoke test failed`,
      results,
    );
  }
  context.log.warn(
    `Wave ${request.wave} failed in ${failed.map((result) => result.region).join(', ')}: ` +
      'reverting every region of the wave whose parameter this run changed',
  );
  await Promise.all(
    results.map((result, index) =>
      revertRegion(request, result, (runs[index] as { context: SmokeStepContext }).context),
    ),
  );
  throw new WaveFailedError(
    `Wave ${request.wave} failed (${what}); ${revertedLine(results)}`,
    results,
    context.signal.aborted,
  );
}

/** The region's failure is a verdict on its AMI: the stack refused it, or the site failed its smoke test. */
function judgesTheAmi(result: RegionRollout): boolean {
  return result.failedStep === 'deploy' || (result.failedStep === 'smoke' && result.smoke === 'failed');
}

/** Every region of the wave has its AMI before anything is written (a bake's copies). */
function checkSources(request: WaveRequest): void {
  const { source } = request;
  if (source.kind !== 'amis') return;
  const missing = request.regions.filter((region) => !source.amis[region]);
  if (missing.length > 0)
    throw new InputError('amis', `has no AMI for ${missing.join(', ')} (the bake job's copies of the AMI)`);
}

/** Publish, deploy, smoke-test one region; a failure is recorded on the result, never thrown (the wave decides). */
async function rolloutRegion(request: WaveRequest, region: string, context: SmokeStepContext): Promise<RegionRollout> {
  const result: RegionRollout = { region, amiId: '', outcome: 'failed', changed: false, url: '' };
  try {
    result.failedStep = 'publish';
    await publish(request, region, result, context);
    result.failedStep = 'deploy-checks';
    const deployed = await deploy(request, region, result.amiId, context, result);
    result.stackStatus = deployed.status;
    result.failedStep = 'smoke';
    const smoke = await runSmokeStep(
      {
        enabled: request.smoke.enabled,
        stackOutputsJson: JSON.stringify(deployed.outputs),
        urlOverride: request.smoke.urls[region] ?? '',
        samples: request.smoke.samples,
        timeout: request.smoke.timeout,
        amiId: result.amiId,
        stackName: request.stack.stackName,
        region,
      },
      context,
    );
    result.url = smoke.url;
    result.smoke = smoke.result;
    if (smoke.error !== undefined) throw new Error(smoke.error);
    delete result.failedStep;
    result.outcome = 'deployed';
    context.log.info(`deployed ${result.amiId}${smoke.result === 'passed' ? ', smoke test passed' : ''}`);
  } catch (error: unknown) {
    if (context.signal.aborted) return result;
    result.error = errorMessage(error);
    context.log.warn(`FAILED: ${result.error}`);
  }
  return result;
}

/** The region's parameter: its copy of the bake, a rollback, or a promote, in that region. */
async function publish(request: WaveRequest, region: string, result: RegionRollout, context: Context): Promise<void> {
  const { runPublishAmi } = await import('@img-mgr/ami-publish');
  const { source } = request;
  const settings = {
    parameterName: request.parameterName,
    labels: [...request.labels],
    tags: {},
    dataType: 'aws:ec2:image' as const,
    waitTimeoutMs: request.publishWaitMs,
  };
  const outcome = await runPublishAmi(
    source.kind === 'amis'
      ? { ...settings, mode: 'publish', targets: [{ region, amiId: source.amis[region] ?? '' }] }
      : source.kind === 'rollback'
        ? { ...settings, mode: 'rollback', regions: [region], to: source.to }
        : { ...settings, mode: 'promote', regions: [region], from: source.from },
    context,
  );
  const written = outcome.report?.results.find((entry) => entry.region === region);
  if (written) {
    result.amiId = written.amiId;
    result.changed = written.changed;
    if (written.version !== undefined) result.parameterVersion = written.version;
    if (written.previousVersion !== undefined) result.previousVersion = written.previousVersion;
    if (written.previousAmiId !== undefined) result.previousAmiId = written.previousAmiId;
  }
  if (outcome.error) throw outcome.error;
  if (!written) throw new Error(`the publish to ${request.parameterName} reported nothing for ${region}`);
}

/**
 * The region's app stack on `amiId`, pinned by ImageIdOverride as in the deploy job. With `result`, a failure
 * is a verdict on the AMI (failedStep deploy), as a failed Deploy step is in wave 1, unless it is one of the
 * deploy's own refusals before the stack changed (a bad input, the launch key's preflight: deploy-checks).
 * A deploy that did not end in time is a verdict: instances of a broken AMI that never signal look like that.
 */
async function deploy(
  request: WaveRequest,
  region: string,
  amiId: string,
  context: Context,
  result?: RegionRollout,
  options: { cancelOnAbort?: boolean } = {},
): Promise<{ status: string; outputs: Record<string, string> }> {
  const { deployStack, DeployFailedError } = await import('@img-mgr/stack-deploy');
  const base = request.stack.deploy(region);
  // The parameter's name and the AMI go in as data, never as text of a KEY=VALUE list.
  const parameters = new Map(base.parameters ?? []);
  parameters.set('ImageId', request.parameterName);
  parameters.set('ImageIdOverride', amiId);
  try {
    const deployed = await deployStack(
      { ...base, region, parameters, waitTimeoutMs: request.stack.deployWaitMs, ...options },
      context,
    );
    return { status: deployed.status ?? 'unchanged', outputs: deployed.outputs };
  } catch (error: unknown) {
    const refusedBeforeChange =
      error instanceof KernelError && !(error instanceof DeployFailedError) && !(error instanceof TimeoutError);
    if (result && !refusedBeforeChange) result.failedStep = 'deploy';
    throw error;
  }
}

/**
 * Puts one region of a failed wave back, once, never retried. A region whose parameter this run left as it
 * was (a re-run that found its AMI published) runs what it ran before: reverting it would reject that AMI.
 */
async function revertRegion(request: WaveRequest, result: RegionRollout, context: SmokeStepContext): Promise<void> {
  if (!result.changed) {
    if (result.outcome === 'deployed') result.outcome = 'unchanged';
    result.revert = 'nothing to revert (this run did not change its parameter)';
    return;
  }
  const { region, amiId } = result;
  try {
    const { runPublishAmi } = await import('@img-mgr/ami-publish');
    const previous = result.previousVersion;
    // The revert of wave 1: tag the AMI first, then republish the version live before, unless someone
    // published meanwhile (RevertSupersededError); with no version before, the tag is all there is to do.
    const outcome = await runPublishAmi(
      {
        parameterName: request.parameterName,
        labels: [],
        tags: {},
        dataType: 'aws:ec2:image',
        waitTimeoutMs: request.publishWaitMs,
        reject: { amiId, region, by: request.rejectedBy },
        ...(previous !== undefined
          ? { mode: 'rollback' as const, regions: [region], to: { kind: 'version' as const, version: previous } }
          : { mode: 'reject' as const, regions: [region] }),
      },
      context,
    );
    if (outcome.error) throw outcome.error;
    const restored = outcome.report?.results.find((entry) => entry.region === region);
    if (restored?.version !== undefined) result.parameterVersion = restored.version;
    const restoredAmi = restored?.amiId ?? '';
    const { decision, stack } = await planRedeploy(
      { stackName: request.stack.stackName, rejectedAmiId: amiId, restoredAmiId: restoredAmi, region },
      context,
    );
    let outputs = stack.outputs;
    if (decision.redeploy) {
      // A cancel or the job's timeout now must not roll the stack back onto the rejected AMI: the update that
      // puts the restored one back runs to its end in CloudFormation.
      const redeployed = await deploy(request, region, restoredAmi, context, undefined, { cancelOnAbort: false });
      result.stackStatus = redeployed.status;
      outputs = redeployed.outputs;
    }
    const back = restoredAmi && restoredAmi !== amiId ? `back on ${restoredAmi}` : 'no earlier AMI';
    if (decision.smoke) {
      const smoke = await runSmokeStep(
        {
          enabled: request.smoke.enabled,
          stackOutputsJson: JSON.stringify(outputs),
          urlOverride: request.smoke.urls[region] ?? '',
          samples: request.smoke.samples,
          timeout: request.smoke.timeout,
          amiId: restoredAmi,
          stackName: request.stack.stackName,
          region,
        },
        context,
      );
      if (smoke.error !== undefined)
        throw new Error(`${back}, but the reverted site FAILED its smoke test: ${smoke.error}`);
    }
    result.outcome = 'reverted';
    result.revert = `${amiId} rejected, ${back}; ${decision.reason}`;
    context.log.info(`reverted: ${result.revert}`);
  } catch (error: unknown) {
    result.outcome = 'revert failed';
    result.revert = context.signal.aborted
      ? 'revert cut off: the job was cancelled (a redeploy already started runs on in CloudFormation)'
      : `revert FAILED: ${errorMessage(error)}`;
    context.log.warn(result.revert);
  }
}

/** The reverted regions, in one clause. */
function revertedLine(results: RegionRollout[]): string {
  const by = (outcome: RegionRollout['outcome']) =>
    results.filter((result) => result.outcome === outcome).map((result) => result.region);
  const parts = [
    by('reverted').length > 0 ? `reverted: ${by('reverted').join(', ')}` : 'nothing was reverted',
    by('revert failed').length > 0 ? `revert FAILED: ${by('revert failed').join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/**
 * The context of one region: its lines start with the region, so that the concurrent regions of the wave can
 * be told apart; groups do not nest in a job's log, so a region's group is one title line.
 */
function regionContext(context: SmokeStepContext, region: string): SmokeStepContext {
  const prefix = `[${region}] `;
  // publish-ami's lines already name their region.
  const named = (line: string): string => (line.startsWith(prefix) ? line : prefix + line);
  const log: Logger = {
    info: (line) => context.log.info(named(line)),
    warn: (line) => context.log.warn(named(line)),
    secret: (value) => context.log.secret(value),
    group: async (title, body) => {
      context.log.info(named(title));
      return body();
    },
  };
  return { ...context, log };
}
