/**
 * `run`: the whole chain against one AWS, with the local preview as its
 * front door, recording what it sees for the rollout timeline.
 */
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import type { RevertObservation, RolloutObservations, StackEventLike } from '@img-mgr/rollout/timeline';
import { bakeStep } from './bake-step.js';
import type { CommandContext } from './context.js';
import { deployStep, planStacks } from './deploy-step.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { previewStep, PreviewSmokeError } from './preview-step.js';
import { revertSummary, type RevertReport } from './report.js';
import { revertStep } from './revert-step.js';
import { publishStep } from './publish-step.js';

/**
 * `run`: the network, the bake, the publish, the other stacks, then the
 * preview as the front door; recording what it sees for the timeline. A
 * preview that fails its smoke test is reverted (revert-step.ts), and the
 * run fails with the smoke test's line and what the revert did.
 */
export async function runChain(ctx: CommandContext, observed: RolloutObservations): Promise<void> {
  // The network first: the bake runs in its public subnet, so an account without a default VPC bakes too.
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
  const published = await publishStep(ctx, ami.id);
  observed.publish = {
    at: new Date().toISOString(),
    parameter: published.name,
    amiId: published.amiId,
    unchanged: !published.changed,
    ...(published.version !== undefined ? { version: published.version } : {}),
  };
  for (const plan of plans.filter((plan) => plan.role !== 'vpc')) {
    const since = new Date();
    try {
      await deployStep(ctx, plan);
    } finally {
      if (plan.role === 'app')
        observed.stack = { name: plan.name, events: await stackEventsSince(ctx, plan.name, since) };
    }
  }
  const failed = await previewSmoke(ctx, observed);
  if (!failed) return;
  const revert = await revertStep(ctx, failed);
  observed.revert = revertObservation(revert, failed.smoke.url);
  // The run fails with the smoke test's line (exit 8); the hint says what the revert did.
  throw new PipelineError(
    ExitCode.preview,
    failed.message,
    `${revertSummary(revert)}; ${failed.hint ?? ''}`.replace(/; $/, ''),
  );
}

/**
 * The app itself, served locally, as the run's front door (local runs with the preview on): records the smoke
 * test for the timeline; resolves with the failed smoke test (for the revert), or undefined.
 */
export async function previewSmoke(
  ctx: CommandContext,
  observed: RolloutObservations,
): Promise<PreviewSmokeError | undefined> {
  // Only the embedded AWS lives as long as the preview needs it.
  if (ctx.target.kind !== 'local' || !ctx.options.preview) return undefined;
  try {
    const preview = await previewStep(ctx);
    observed.smoke = preview.running
      ? {
          at: new Date().toISOString(),
          url: preview.url ?? '',
          passed: true,
          ...(preview.smoke
            ? {
                samples: preview.smoke.samples,
                revisionsSeen: preview.smoke.revisionsSeen,
                elapsedMs: preview.smoke.elapsedMs,
              }
            : {}),
        }
      : { url: 'the local preview', off: preview.off ?? 'off' };
    return undefined;
  } catch (error: unknown) {
    if (!(error instanceof PreviewSmokeError)) throw error;
    observed.smoke = { at: new Date().toISOString(), url: error.smoke.url, passed: false, error: error.smoke.message };
    return error;
  }
}

/** The stack's events since `since` (oldest last, as CloudFormation lists them); none when they cannot be read. */
export async function stackEventsSince(ctx: CommandContext, stackName: string, since: Date): Promise<StackEventLike[]> {
  try {
    const cfn = ctx.clients.get(CloudFormationClient, ctx.target.region);
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }), { abortSignal: ctx.signal });
    // A second of slack: the emulator and CloudFormation stamp events with their own clocks.
    return (page.StackEvents ?? []).filter((event) => (event.Timestamp?.getTime() ?? 0) >= since.getTime() - 1_000);
  } catch {
    return [];
  }
}

/** What the timeline shows of a revert. */
export function revertObservation(revert: RevertReport, url: string): RevertObservation {
  const preview = revert.preview;
  return {
    at: new Date().toISOString(),
    redeployed: revert.redeployed,
    ...(revert.rejectedAmi ? { rejectedAmi: revert.rejectedAmi } : {}),
    ...(revert.restoredAmi ? { restoredAmi: revert.restoredAmi } : {}),
    ...(revert.version !== undefined ? { version: revert.version } : {}),
    ...(revert.error ? { error: revert.error } : {}),
    ...(preview && (preview.passed !== undefined || preview.off)
      ? {
          smoke: {
            at: new Date().toISOString(),
            url: preview.url ?? url,
            ...(preview.off ? { off: preview.off } : { passed: preview.passed === true }),
            ...(preview.samples !== undefined ? { samples: preview.samples } : {}),
            ...(preview.elapsedMs !== undefined ? { elapsedMs: preview.elapsedMs } : {}),
            ...(preview.commit && preview.passed ? { revisionsSeen: { [preview.commit]: preview.samples ?? 0 } } : {}),
            ...(preview.error ? { error: preview.error } : {}),
          },
        }
      : {}),
  };
}
