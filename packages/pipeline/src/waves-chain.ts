/**
 * `run` to several regions (--targets, --regions): bake once in the home
 * region, copy the AMI to every other target region, then roll out wave by
 * wave. The regions of a wave deploy concurrently through the same steps as a
 * single-region run (each its own vpc stack, its own parameter, published
 * before its app stack is updated, its own app stack); then each is checked
 * (region-check.ts; the home region through the local preview). A wave that
 * fails is reverted region by region through the same conditional revert as
 * a failed preview, and the rollout stops: later waves are not touched.
 */
import type { RolloutObservations } from '@img-mgr/rollout/timeline';
import type { Targets, Wave } from '@img-mgr/targets';
import { allRegions } from '@img-mgr/targets';
import { errorMessage } from '@img-mgr/kernel';
import { bakeStep } from './bake-step.js';
import type { CommandContext } from './context.js';
import { copyStep } from './copy-step.js';
import { deployStep, planStacks } from './deploy-step.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { PreviewSmokeError } from './preview-step.js';
import { publishStep } from './publish-step.js';
import { regionCheck } from './region-check.js';
import { regionContext } from './region-context.js';
import { revertSummary, type RegionReport } from './report.js';
import { revertStep } from './revert-step.js';
import { previewSmoke, revertObservation, stackEventsSince } from './run-chain.js';

/** A region of the wave that runs, with its context (the command's own for the home region). */
interface RegionRun {
  ctx: CommandContext;
  report: RegionReport;
  /** What failed in it: the preview's smoke test (home), or any error. */
  failure?: unknown;
  /** The base URL of its smoke test from the wave's smoke-urls, if the targets file gives one. */
  smokeUrl?: string;
}

export async function runWaves(ctx: CommandContext, targets: Targets, observed: RolloutObservations): Promise<void> {
  const home = ctx.target.region;
  ctx.progress.note(
    `rolling out to ${allRegions(targets).length} regions in ${targets.waves.length} waves (${targets.source}); ` +
      `the bake runs in the home region ${home}`,
  );
  // The home network first: the bake runs in its public subnet, as in a single-region run.
  const plans = await planStacks(ctx);
  for (const plan of plans.filter((plan) => plan.role === 'vpc')) await deployStep(ctx, plan);
  const ami = await bakeStep(ctx);
  observed.bake = {
    outcome: ami.skipped ? 'skipped' : 'baked',
    at: new Date().toISOString(),
    amiId: ami.id,
    durationMs: ami.durationMs,
    ...(ami.skipped ? { reason: 'an AMI with the same fingerprint exists' } : {}),
  };
  const copies = await copyStep(ctx, ami, allRegions(targets));
  const regions: RegionReport[] = targets.waves.flatMap((wave) =>
    wave.regions.map((region) => {
      const copy = copies[region];
      return {
        region,
        wave: wave.number,
        home: region === home,
        amiId: region === home ? ami.id : (copy?.amiId ?? ''),
        ...(copy ? { copied: copy.copied } : {}),
        outcome: 'not reached' as const,
      };
    }),
  );
  ctx.report.regions = regions;

  for (const wave of targets.waves) {
    const runs = wave.regions.map((region): RegionRun => {
      const report = regions.find((entry) => entry.region === region) as RegionReport;
      const smokeUrl = wave.smokeUrls?.[region];
      const extra = smokeUrl !== undefined ? { smokeUrl } : {};
      if (region !== home) {
        const regional = regionContext(ctx, region);
        regional.report.ami = { ...ami, id: report.amiId, region, amis: { [region]: report.amiId } };
        return { ctx: regional, report, ...extra };
      }
      return { ctx, report, ...extra };
    });
    await Promise.all(runs.map((run) => rolloutRegion(run, observed)));
    const failed = runs.filter((run) => run.failure !== undefined);
    if (failed.length === 0) continue;
    await revertWave(runs, observed);
    throw waveError(wave, failed, runs, targets);
  }
}

/** Deploys one region of a wave and checks it; a failure is kept on `run` (the wave decides what follows). */
async function rolloutRegion(run: RegionRun, observed: RolloutObservations): Promise<void> {
  const { ctx, report } = run;
  try {
    const plans = await planStacks(ctx);
    // The home region's network was deployed before the bake.
    if (!report.home) for (const plan of plans.filter((plan) => plan.role === 'vpc')) await deployStep(ctx, plan);
    const published = await publishStep(ctx, report.amiId);
    if (published.version !== undefined) report.parameterVersion = published.version;
    if (report.home)
      observed.publish = {
        at: new Date().toISOString(),
        parameter: published.name,
        amiId: published.amiId,
        unchanged: !published.changed,
        ...(published.version !== undefined ? { version: published.version } : {}),
      };
    const app = plans.find((plan) => plan.role === 'app');
    if (!app) return;
    const since = new Date();
    try {
      const stack = await deployStep(ctx, app);
      if (stack.imageId) report.runs = stack.imageId;
    } finally {
      if (report.home) observed.stack = { name: app.name, events: await stackEventsSince(ctx, app.name, since) };
    }
    // The home region's front door is the local preview when there is one; any other region's, regionCheck.
    const previewed = report.home && ctx.target.kind === 'local' && ctx.options.preview;
    if (previewed) {
      const smoke = await previewSmoke(ctx, observed);
      if (smoke) throw smoke;
      report.check = ctx.report.preview?.running
        ? 'smoke test of the local preview passed'
        : `local preview off: ${ctx.report.preview?.off ?? 'off'}`;
    } else {
      report.check = await regionCheck(ctx, app, report.amiId, run.smokeUrl);
    }
    report.outcome = 'deployed';
  } catch (error: unknown) {
    // A cancel or the --timeout stops the whole run at once, with no revert (as in a single-region run).
    if (ctx.signal.aborted) throw error;
    run.failure = error;
    report.outcome = 'failed';
    report.error = errorMessage(error);
  }
}

/**
 * Reverts every region of the failed wave whose parameter this run changed: the AMI rejected there, the
 * parameter back on what ran before (only while it still holds this run's AMI), the app stack redeployed. The
 * home region's preview is restored when its smoke test failed. Concurrently, each region once, never retried.
 */
async function revertWave(runs: RegionRun[], observed: RolloutObservations): Promise<void> {
  await Promise.all(
    runs.map(async (run) => {
      const { ctx, report } = run;
      // A region whose parameter this run left as it was (a re-run whose bake was skipped) runs what it ran
      // before: reverting it would reject that AMI and move the region back, whether it failed or not.
      if (!ctx.report.parameter?.changed) return;
      const reason = run.failure
        ? `${report.region}: ${report.error ?? 'failed'}`
        : `wave ${report.wave} failed in another region`;
      const smoke = run.failure instanceof PreviewSmokeError ? run.failure : undefined;
      const revert = await revertStep(ctx, smoke ?? reason, { preview: smoke !== undefined });
      if (report.home) observed.revert = revertObservation(revert, smoke?.smoke.url ?? '');
      report.outcome = revert.error ? 'revert failed' : 'reverted';
      report.revert = revertSummary(revert);
      const app = ctx.report.stacks.find((stack) => stack.name === revert.stack);
      if (app?.imageId) report.runs = app.imageId;
      if (revert.version !== undefined) report.parameterVersion = revert.version;
    }),
  );
}

/** The run's failure: the wave, the region(s) and what failed, what was reverted, what was not touched. */
function waveError(wave: Wave, failed: RegionRun[], runs: RegionRun[], targets: Targets): PipelineError {
  const first = failed[0]?.failure;
  const exitCode =
    first instanceof PreviewSmokeError || failed.some((run) => run.failure instanceof PreviewSmokeError)
      ? ExitCode.preview
      : first instanceof PipelineError
        ? first.exitCode
        : ExitCode.deploy;
  const what = failed.map((run) => `${run.report.region}: ${run.report.error ?? 'failed'}`).join('; ');
  const reverted = runs.filter((run) => run.report.revert).map((run) => run.report.region);
  const later = targets.waves.filter((other) => other.number > wave.number).flatMap((other) => other.regions);
  const hint = [
    reverted.length > 0 ? `reverted wave ${wave.number} (${reverted.join(', ')})` : 'nothing to revert',
    later.length > 0 ? `not reached: ${later.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const failure = new PipelineError(exitCode, `wave ${wave.number} failed: ${what}`, hint);
  failure.step = `wave ${wave.number}`;
  return failure;
}
