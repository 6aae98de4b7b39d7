/** `status`: where the pointer points (with its history) and each stack's state, resolved AMI and outputs. */
import { stepContext, type CommandContext } from './context.js';
import { asStepError } from './step-errors.js';
import { ExitCode } from './exit-codes.js';
import { planStacks } from './deploy-step.js';
import type { PreviewReport, StatusReport } from './report.js';
import { describeStackInfo } from './stack-info.js';
import { secretOutputs, stackInputs } from './stack-secrets.js';
import { recordedPreview } from './preview.js';

/** Reads the pointer and both stacks into the report. */
export async function statusStep(ctx: CommandContext): Promise<StatusReport> {
  const { options, target } = ctx;
  const step = ctx.progress.step('status', `${options.parameterName} and the stacks in ${target.region}`);
  try {
    const publish = await import('@img-mgr/ami-publish');
    const context = stepContext(ctx, step);
    const pointer = await publish.describePointer(
      { region: target.region, parameterName: options.parameterName },
      context,
    );
    const toReport = (entry: {
      version: number;
      value: string;
      labels: string[];
      modified?: string;
    }): StatusReport['parameter']['history'][number] => ({
      version: entry.version,
      value: entry.value,
      labels: entry.labels,
      ...(entry.modified ? { modified: entry.modified } : {}),
    });
    const plans = await planStacks(ctx);
    const stacks = await Promise.all(
      plans.map(async (plan) => {
        const info = await describeStackInfo(plan.name, target.region, context);
        return { ...info, secretOutputs: await secretOutputs(await stackInputs(plan, ctx.root), info.outputs) };
      }),
    );
    const status: StatusReport = {
      parameter: {
        name: options.parameterName,
        region: target.region,
        exists: pointer.exists,
        ...(pointer.current ? { current: toReport(pointer.current) } : {}),
        history: pointer.versions.map(toReport),
      },
      stacks: stacks.map((stack) => ({
        name: stack.name,
        exists: stack.exists,
        status: stack.status,
        outputs: stack.outputs,
        secretOutputs: stack.secretOutputs,
        ...(stack.imageId ? { imageId: stack.imageId } : {}),
        ...(stack.launchTemplateAmi ? { launchTemplateAmi: stack.launchTemplateAmi } : {}),
      })),
    };
    ctx.report.status = status;
    const app = status.stacks.find((stack) => stack.outputs.Url);
    if (app) ctx.report.appUrl = app.outputs.Url;
    if (target.kind === 'local') ctx.report.preview = previewReport(ctx.stateDir);
    step.done(
      `${pointer.current ? `${pointer.current.value} (version ${pointer.current.version})` : 'parameter not set'}; ` +
        stacks.map((stack) => `${stack.name} ${stack.status}`).join(', '),
    );
    return status;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.environment, 'status');
    step.fail(failure.message);
    throw failure;
  }
}

/** The recorded local preview, as `status` shows it. */
function previewReport(stateDir: string): PreviewReport {
  const preview = recordedPreview(stateDir);
  if (!preview) return { running: false, off: "not running (a local 'run --keep' starts it)" };
  return {
    running: true,
    url: preview.url,
    repo: preview.repo,
    ref: preview.ref,
    commit: preview.commit,
    bucket: preview.bucket,
    pid: preview.pid,
    kept: true,
  };
}
