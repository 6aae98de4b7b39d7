/**
 * Publishing and rolling back the golden-AMI pointer through
 * @img-mgr/ami-publish (validated, idempotent, confirmed by read-back).
 */
import type { PublishAmiResult } from '@img-mgr/ami-publish';
import { InvalidRequestError } from '@img-mgr/kernel';
import { stepContext, type CommandContext } from './context.js';
import { PipelineError, UsageError } from './errors.js';
import { asStepError } from './step-errors.js';
import { ExitCode } from './exit-codes.js';
import type { ParameterReport } from './report.js';

/** Tags put on the parameter (AddTagsToResource; kept across versions). */
const PARAMETER_TAGS = { application: 'img-mgr', 'managed-by': 'img-mgr-pipeline' };

/** Points the parameter at `amiId`; no new version when it already holds it. */
export async function publishStep(ctx: CommandContext, amiId: string): Promise<ParameterReport> {
  const { options, target } = ctx;
  const step = ctx.progress.step('publish', `${options.parameterName} ← ${amiId}`);
  try {
    const publish = await import('@img-mgr/ami-publish');
    const outcome = await publish.runPublishAmi(
      {
        mode: 'publish',
        targets: [{ region: target.region, amiId }],
        parameterName: options.parameterName,
        labels: [],
        tags: PARAMETER_TAGS,
        // Only a bake of this command knows what the AMI holds.
        ...(ctx.report.ami?.id === amiId
          ? {
              description:
                `img-mgr golden AMI (${options.flaskRepo} at ` +
                `${ctx.app?.ref ?? options.flaskRef ?? 'its default branch'})`,
            }
          : {}),
        dataType: 'aws:ec2:image',
        waitTimeoutMs: Math.min(ctx.remainingMs(), 10 * 60_000),
      },
      stepContext(ctx, step),
    );
    const result = regionResult(outcome, 'publish');
    ctx.report.parameter = result;
    const text = `version ${result.version ?? '?'}`;
    if (result.changed) step.done(`${text} (was ${result.previousAmiId ?? 'not set'})`);
    else step.skip(`${text} already holds ${amiId}`);
    return result;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.publish, 'publish');
    step.fail(failure.message);
    throw failure;
  }
}

/** Republishes an earlier value (previous, a version or a label) as a new version. */
export async function rollbackPointerStep(ctx: CommandContext): Promise<ParameterReport> {
  const { options, target } = ctx;
  const step = ctx.progress.step('rollback', `${options.parameterName} → ${options.rollbackTo}`);
  try {
    const publish = await import('@img-mgr/ami-publish');
    const parsed = publish.parseRollbackTarget(options.rollbackTo);
    if (!parsed.target)
      throw new UsageError(
        '--to',
        parsed.problem ?? `has '${options.rollbackTo}', which is not previous, a version or a label`,
      );
    const outcome = await publish.runPublishAmi(
      {
        mode: 'rollback',
        regions: [target.region],
        to: parsed.target,
        parameterName: options.parameterName,
        labels: [],
        tags: PARAMETER_TAGS,
        dataType: 'aws:ec2:image',
        waitTimeoutMs: Math.min(ctx.remainingMs(), 10 * 60_000),
      },
      stepContext(ctx, step),
    );
    const result = regionResult(outcome, 'rollback');
    ctx.report.parameter = result;
    step.done(`version ${result.version ?? '?'} = ${result.amiId} (value of version ${result.rolledBackTo ?? '?'})`);
    return result;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.publish, 'rollback');
    step.fail(failure.message);
    throw failure;
  }
}

/** The flag that fills each request field the CLI sets from its user. */
const FLAG_OF_FIELD: Record<string, string> = { targets: '--ami-id', to: '--to' };

/** The region's result, or the run's failure (a field the user gave is named by its flag). */
function regionResult(outcome: PublishAmiResult, what: string): ParameterReport {
  const { error, report } = outcome;
  if (error instanceof InvalidRequestError && FLAG_OF_FIELD[error.field]) {
    throw new PipelineError(ExitCode.publish, `${what}: ${FLAG_OF_FIELD[error.field]} ${error.problem}`);
  }
  if (error !== undefined) throw error;
  const result = report?.results[0];
  if (!result) throw new PipelineError(ExitCode.publish, 'the pointer was not written');
  return {
    name: result.parameterName,
    region: result.region,
    amiId: result.amiId,
    changed: result.changed,
    ...(result.version !== undefined ? { version: result.version } : {}),
    ...(result.previousAmiId !== undefined ? { previousAmiId: result.previousAmiId } : {}),
    ...(result.previousVersion !== undefined ? { previousVersion: result.previousVersion } : {}),
    ...(result.rolledBackTo !== undefined ? { rolledBackTo: result.rolledBackTo } : {}),
  };
}
