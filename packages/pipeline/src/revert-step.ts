/**
 * The revert of a local run whose preview failed its smoke test, as the
 * workflow reverts a rollout: tag the AMI img-mgr:rejected and republish
 * what was live before through @img-mgr/ami-publish's conditional revert
 * (never over a newer version another writer put), redeploy the app stack on
 * it, serve the previous revision in the preview again and smoke-test that.
 * Every part is tried once; what it did and whether the reverted preview
 * passed go to the report. A revert that fails (or whose own smoke test
 * fails) is reported loudly and never retried: the run already fails.
 */
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { errorMessage } from '@img-mgr/kernel';
import { stepContext, type CommandContext } from './context.js';
import { deployStep, planStacks } from './deploy-step.js';
import { previewSetup, PreviewSmokeError, servePreview } from './preview-step.js';
import type { Step } from './progress.js';
import { revertSummary, type RevertReport } from './report.js';

/** Tags put on the parameter (as publish does). */
const PARAMETER_TAGS = { application: 'img-mgr', 'managed-by': 'img-mgr-pipeline' };

/**
 * Reverts after `failure` (the preview's failed smoke test, or the line of
 * what failed in a region of a rollout in waves); resolves with what it did
 * (also in `ctx.report.revert`). With `preview: false` (another region of a
 * rollout, which has no preview) it stops after the redeploy. Throws only
 * when the run is cancelled or times out.
 */
export async function revertStep(
  ctx: CommandContext,
  failure: PreviewSmokeError | string,
  options: { preview: boolean } = { preview: true },
): Promise<RevertReport> {
  const rejected = ctx.report.parameter?.amiId ?? ctx.report.ami?.id;
  const reason = typeof failure === 'string' ? failure : failure.smoke.message;
  const what = typeof failure === 'string' ? 'failed' : 'failed the smoke test';
  const step = ctx.progress.step('revert', `${rejected ?? 'the AMI'} ${what}: going back`);
  const report: RevertReport = { reason, redeployed: false };
  ctx.report.revert = report;
  const stop = (what: string, error: unknown): RevertReport => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    report.error = `${what}: ${errorMessage(error)}`;
    step.fail(`REVERT FAILED (not retried): ${report.error}`);
    ctx.progress.warn(`the revert failed and is not retried: ${report.error}`);
    return report;
  };
  if (!rejected) return stop('reject', new Error('this run published no AMI'));
  report.rejectedAmi = rejected;

  // 1. Reject the AMI and republish what was live before, only while the parameter still holds it.
  try {
    const publish = await import('@img-mgr/ami-publish');
    const before = ctx.report.parameter;
    const outcome = await publish.runPublishAmi(
      {
        mode: 'rollback',
        regions: [ctx.target.region],
        // The version this run replaced; when the publish changed nothing, the one before it (past rejections).
        to:
          before?.changed && before.previousVersion !== undefined
            ? { kind: 'version', version: before.previousVersion }
            : { kind: 'previous' },
        reject: { amiId: rejected, region: ctx.target.region, by: `img-mgr-pipeline-${Date.now()}` },
        parameterName: ctx.options.parameterName,
        labels: [],
        tags: PARAMETER_TAGS,
        dataType: 'aws:ec2:image',
        waitTimeoutMs: Math.min(ctx.remainingMs(), 10 * 60_000),
      },
      stepContext(ctx, step),
    );
    if (outcome.error) throw outcome.error;
    const result = outcome.report?.results[0];
    if (!result) throw new Error('the parameter was not written');
    report.restoredAmi = result.amiId;
    if (result.version !== undefined) report.version = result.version;
    step.detail(
      `tagged ${rejected} img-mgr:rejected; ${ctx.options.parameterName} version ${result.version ?? '?'} = ` +
        `${result.amiId} (the value of version ${result.rolledBackTo ?? '?'})`,
    );
  } catch (error: unknown) {
    return stop('republish', error);
  }

  // 2. Redeploy the app stack: it takes the parameter's value again.
  try {
    const app = (await planStacks(ctx)).find((plan) => plan.role === 'app');
    if (!app) throw new Error('there is no app stack to redeploy');
    const stack = await deployStep(ctx, app);
    report.redeployed = true;
    report.stack = stack.name;
    step.detail(`redeployed ${stack.name}: ${stack.status}${stack.imageId ? `, AMI ${stack.imageId}` : ''}`);
  } catch (error: unknown) {
    return stop('redeploy', error);
  }

  // 3. The previous revision in the preview, through the same smoke test.
  if (!options.preview) {
    step.done(revertSummary(report));
    return report;
  }
  try {
    await revertPreview(ctx, step, report);
  } catch (error: unknown) {
    if (error instanceof PreviewSmokeError) {
      report.preview = { ...report.preview, passed: false, error: error.smoke.message };
      return stop('the reverted preview', error.smoke);
    }
    return stop('the reverted preview', error);
  }
  step.done(revertSummary(report));
  return report;
}

/** Serves the restored AMI's app revision in the preview and smoke-tests it; records it in `report.preview`. */
async function revertPreview(ctx: CommandContext, step: Step, report: RevertReport): Promise<void> {
  const app = ctx.app;
  const restored = report.restoredAmi;
  if (!app || !restored) return;
  const tags = await imageTags(ctx, restored);
  const commit = tags['app-revision'];
  if (!commit) {
    report.preview = { off: `${restored} has no app-revision tag, so its app revision is not known` };
    step.detail(`preview not restored: ${report.preview.off}`);
    return;
  }
  const setup = await previewSetup(ctx, step);
  if (typeof setup === 'string') {
    report.preview = { off: setup, commit };
    return;
  }
  const revision = {
    repo: app.repo,
    ref: tags['flask-ref'] || commit,
    commit,
    ...(tags.fingerprint ? { fingerprint: tags.fingerprint } : {}),
  };
  report.preview = { commit };
  const served = await servePreview(ctx, step, setup, revision);
  if (typeof served === 'string') {
    report.preview = { off: served, commit };
    return;
  }
  ctx.report.preview = served;
  report.preview = {
    commit,
    ...(served.url ? { url: served.url } : {}),
    passed: true,
    ...(served.smoke ? { samples: served.smoke.samples, elapsedMs: served.smoke.elapsedMs } : {}),
  };
}

/** The AMI's tags (empty when it cannot be read). */
async function imageTags(ctx: CommandContext, amiId: string): Promise<Record<string, string>> {
  const ec2 = ctx.clients.get(EC2Client, ctx.target.region);
  const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), { abortSignal: ctx.signal });
  return Object.fromEntries((images.Images?.[0]?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}
