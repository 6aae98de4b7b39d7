/**
 * publish-ami: one call of @img-mgr/ami-publish's runPublishAmi, whose
 * outcome becomes the step's outputs, its job summary and its one error line.
 */
import { actionContext, info, InputError, runAction, setOutput, warning } from '@img-mgr/action-kit';
import { runPublishAmi, type PublishReport } from '@img-mgr/ami-publish';
import { InvalidRequestError, type Env } from '@img-mgr/kernel';
import type { PublishInputs } from './inputs.js';
import { writeSummary } from './summary.js';

/** The action input that fills each field of the request (`targets` is ami-id or amis). */
const INPUT_OF_FIELD: Record<string, string> = {
  parameterName: 'parameter-name',
  labels: 'labels',
  labelWindow: 'label-window',
  tags: 'tags',
  description: 'description',
  region: 'region',
  to: 'rollback-to',
  from: 'promote-from',
  reject: 'reject-ami',
  amiId: 'reject-ami',
  prune: 'keep-amis',
  keep: 'keep-amis',
  application: 'application',
  referencePath: 'reference-path',
  rollbackWindow: 'rollback-window',
};

/** The main step, given the valid inputs that the entry chunk read (see index.ts). */
export async function run(inputs: PublishInputs): Promise<void> {
  await runAction('publish-ami', ({ signal }) => publish(inputs, signal, process.env));
}

/** Runs the request; outputs and the summary are written even when it failed. */
async function publish(inputs: PublishInputs, signal: AbortSignal, env: Env): Promise<void> {
  const context = actionContext('publish-ami', signal, env);
  const result = await runPublishAmi(inputs.request, context);
  try {
    if (result.report) setPublishOutputs(inputs, result.report);
    if (inputs.request.prune && result.prunes.length > 0) {
      setOutput(
        'pruned-amis',
        result.prunes.flatMap((prune) => prune.removed),
      );
    }
  } finally {
    await writeSummary(inputs.request, result);
  }
  if (result.error !== undefined) throw blame(result.error, inputs);
}

/** A domain error about a request field becomes one naming the action input. */
function blame(error: Error, inputs: PublishInputs): Error {
  if (!(error instanceof InvalidRequestError)) return error;
  const input =
    error.field === 'targets' || (error.field === 'region' && inputs.amiInput === 'amis')
      ? inputs.amiInput
      : (INPUT_OF_FIELD[error.field] ?? error.field);
  return new InputError(input, error.problem);
}

/** Single-value outputs from the primary region; `results` for all of them. */
function setPublishOutputs(inputs: PublishInputs, report: PublishReport): void {
  const primary = report.results.find((result) => result.region === inputs.primaryRegion) ?? report.results[0];
  if (primary && primary.status !== 'failed') {
    setOutput('ami-id', primary.amiId);
    setOutput('version', primary.version);
  }
  setOutput('previous-ami-id', primary?.previousAmiId ?? '');
  setOutput('previous-version', primary?.previousVersion ?? '');
  setOutput(
    'changed',
    report.results.some((result) => result.changed),
  );
  const results = Object.fromEntries(
    report.results.map((result) => [
      result.region,
      {
        parameter: result.parameterName,
        status: result.status,
        'ami-id': result.amiId,
        version: result.version ?? null,
        changed: result.changed,
        'previous-ami-id': result.previousAmiId ?? null,
        'previous-version': result.previousVersion ?? null,
        labels: result.labels,
        ...(result.rolledBackTo !== undefined ? { 'rolled-back-to': result.rolledBackTo } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      },
    ]),
  );
  setOutput('results', results);
  for (const result of report.results) {
    if (result.status === 'unchanged') {
      info(
        `[${result.region}] ${result.parameterName} already held ${result.amiId}: version ${result.version}, ` +
          `changed=false`,
      );
    }
    if (result.status === 'failed') warning(`[${result.region}] ${result.error ?? 'failed'}`);
  }
}
