/** Deploying the stacks through @img-mgr/stack-deploy (change sets, event streaming, root cause). */
import { stepContext, type CommandContext } from './context.js';
import { asStepError } from './step-errors.js';
import { ExitCode } from './exit-codes.js';
import type { Step } from './progress.js';
import type { StackReport } from './report.js';
import { describeStackInfo } from './stack-info.js';
import { envParameterFile, secretOutputs, stackInputs } from './stack-secrets.js';
import { stackPlans, type StackPlan } from './stacks.js';

/** The stacks to deploy, in order, with their parameter files. */
export async function planStacks(ctx: CommandContext): Promise<StackPlan[]> {
  const { readParameterFile } = await import('@img-mgr/stack-deploy/parsers');
  return stackPlans(ctx.options, ctx.root, ctx.target.region, (path) =>
    envParameterFile(readParameterFile, path, ctx.root),
  );
}

/**
 * ImageIdOverride for the app stack. On AWS it is '' so the stack always takes
 * the SSM parameter's newest value (CloudFormation re-resolves it on every
 * update). moto does not: it re-resolves only when the parameter's *name*
 * changes and rebuilds no outputs after a change set, so on an emulator the
 * value the parameter holds now is passed as the override, which makes the
 * launch template follow a publish or a rollback there too.
 */
async function imageOverride(ctx: CommandContext, step: Step): Promise<string> {
  if (!ctx.target.emulated) return '';
  const { describePointer } = await import('@img-mgr/ami-publish');
  const request = { region: ctx.target.region, parameterName: ctx.options.parameterName };
  const pointer = await describePointer(request, stepContext(ctx, step));
  const value = pointer.current?.value ?? '';
  if (value)
    step.detail(
      `emulator: ImageIdOverride=${value} (the value of ${ctx.options.parameterName}; ` +
        'moto does not re-resolve an unchanged SSM parameter on update)',
    );
  return value;
}

/** Creates or updates one stack and records it (and the app URL) in the report. */
export async function deployStep(ctx: CommandContext, plan: StackPlan): Promise<StackReport> {
  const step = ctx.progress.step(
    `deploy ${plan.role}`,
    `stack ${plan.name} (${plan.template.split('/').pop() ?? plan.template})`,
  );
  try {
    const deploy = await import('@img-mgr/stack-deploy');
    if (plan.note) step.detail(plan.note);
    const inputs = await stackInputs(plan, ctx.root);
    const parameters = new Map(inputs.parameters);
    const declared = inputs.facts?.parameters;
    if (plan.role === 'app' && (!declared || declared.has('ImageIdOverride'))) {
      parameters.set('ImageIdOverride', await imageOverride(ctx, step));
    }
    // NoEcho values and secret outputs go to the mask; the report also hides outputs by meaning (secretOutputs).
    const context = stepContext(ctx, step, { groupTitles: false });
    const started = performance.now();
    const existing = await describeStackInfo(plan.name, ctx.target.region, context);
    const result = await deploy.deployStack(
      {
        stackName: plan.name,
        region: ctx.target.region,
        mode: 'create-and-execute',
        template: { kind: 'file', path: plan.template },
        run: { runId: `pipeline-${Date.now()}` },
        parameters,
        capabilities: deploy.IAM_CAPABILITIES,
        tags: [
          { Key: 'application', Value: 'img-mgr' },
          { Key: 'environment', Value: ctx.options.env },
        ],
        waitTimeoutMs: ctx.remainingMs(),
        // On AWS, a stack with an Auto Scaling group is not changed while the account's EBS default key (when
        // EBS encryption by default is on) would stop every launch. moto launches nothing through Auto Scaling's
        // service-linked role and has no GetEbsDefaultKmsKeyId, so the emulator skips it.
        checkLaunchKey: !ctx.target.emulated,
        // CloudFormation's own bound on a create. deploy-stack then makes the new stack with CreateStack,
        // which also gives moto's stacks their outputs and exports (moto builds none after
        // ExecuteChangeSet). An update cannot take it, so it is only sent for a stack that does not exist.
        ...(existing.exists ? {} : { timeoutInMinutes: Math.max(5, Math.ceil(ctx.remainingMs() / 60_000)) }),
      },
      context,
    );
    // Read the stack back: the resolved AMI and outputs as CloudFormation now has them.
    const info = await describeStackInfo(plan.name, ctx.target.region, context);
    const outputs = { ...info.outputs, ...result.outputs };
    const imageId = info.launchTemplateAmi ?? info.imageId;
    const report: StackReport = {
      name: plan.name,
      status: info.status || result.status || '?',
      noChanges: result.noChanges,
      outputs,
      secretOutputs: await secretOutputs({ ...inputs, parameters }, outputs),
      durationMs: performance.now() - started,
      ...(imageId && plan.role === 'app' ? { imageId } : {}),
    };
    ctx.report.stacks = [...ctx.report.stacks.filter((stack) => stack.name !== plan.name), report];
    if (plan.role === 'app' && outputs.Url) ctx.report.appUrl = outputs.Url;
    const text = `${report.status}${report.imageId ? `, AMI ${report.imageId}` : ''}`;
    if (result.noChanges) step.skip(`${text} (no changes)`);
    else step.done(text);
    return report;
  } catch (error: unknown) {
    const failed =
      error && typeof error === 'object' ? (error as { result?: { status?: string } }).result?.status : undefined;
    if (failed) ctx.report.stacks.push({ name: plan.name, status: failed, outputs: {} });
    const failure = asStepError(error, ExitCode.deploy, `deploy ${plan.name}`);
    step.fail(failure.message);
    throw failure;
  }
}
