import { annotateError, cell, group, info, jobSummary, mask, runAction, setOutput, warning } from '@img-mgr/action-kit';
import type { DeployRequest, DeployResult } from '@img-mgr/stack-deploy';
import type { DeployInputs } from './inputs.js';

/** Action outputs of our own, which a stack output of the same name must not overwrite. */
const RESERVED_OUTPUTS = new Set([
  'stack-id',
  'status',
  'no-changes',
  'change-set-id',
  'change-set-name',
  'outputs-json',
  'plan-markdown',
]);

/** The action's entry point. */
export async function run(inputs: DeployInputs): Promise<void> {
  await runAction('deploy-stack', async ({ signal }) => {
    const { deployStack, DeployFailedError } = await import('@img-mgr/stack-deploy');
    const request: DeployRequest = {
      ...inputs,
      run: { runId: process.env.GITHUB_RUN_ID, runAttempt: process.env.GITHUB_RUN_ATTEMPT },
    };
    let result: DeployResult | undefined;
    try {
      // NoEcho values, and outputs that carry them, reach `mask` before any line that could print them.
      result = await deployStack(request, { log: info, warn: warning, secret: mask, group, signal, env: process.env });
    } catch (error: unknown) {
      if (error instanceof DeployFailedError) {
        result = error.result;
        if (result.failures.length > 0) {
          // The step's own error line is one sentence; the annotation lists every root cause.
          const causes = result.failures.map(
            (failed) => `${failed.logicalId} (${failed.type}) ${failed.status}: ${failed.reason}`,
          );
          annotateError(causes.join('\n'), `Stack ${inputs.stackName} ended in ${result.status ?? 'failure'}`);
        }
        publish(result);
        await writeSummary(inputs, result, error.message);
      }
      throw error;
    }
    publish(result);
    await writeSummary(inputs, result);
    const calls = Object.values(result.apiCalls).reduce((sum, count) => sum + count, 0);
    info(
      `Done: ${inputs.stackName} is ${result.status ?? 'unchanged'}${result.noChanges ? ' (no changes)' : ''}; ${calls} AWS API calls`,
    );
    info(
      `AWS API calls: ${Object.entries(result.apiCalls)
        .map(([operation, count]) => `${operation}=${count}`)
        .join(', ')}`,
    );
  });
}

/** Sets the step outputs; those that carry a NoEcho value were masked by the deploy before it returned. */
function publish(result: DeployResult): void {
  setOutput('stack-id', result.stackId);
  setOutput('status', result.status);
  setOutput('no-changes', result.noChanges);
  setOutput('change-set-id', result.changeSetId);
  setOutput('change-set-name', result.changeSetName);
  setOutput('outputs-json', result.outputs);
  setOutput('plan-markdown', result.planMarkdown);
  for (const [key, value] of Object.entries(result.outputs)) {
    if (RESERVED_OUTPUTS.has(key))
      warning(`Stack output '${key}' has the name of an action output; read it from outputs-json`);
    else setOutput(key, value);
  }
}

async function writeSummary(inputs: DeployInputs, result: DeployResult, failure?: string): Promise<void> {
  const summary = jobSummary().heading(`deploy-stack: ${inputs.stackName}`, 2);
  const status = result.noChanges
    ? 'no changes'
    : (result.status ?? (inputs.mode === 'plan' ? 'planned' : 'not changed'));
  summary.text(
    `**Status:** ${cell(status)} · **Mode:** ${inputs.mode}${result.changeSetName ? ` · **Change set:** \`${cell(result.changeSetName)}\`` : ''}`,
  );
  if (failure) summary.text(`**Failed:** ${cell(failure)}`);
  if (result.changes.length > 0) {
    summary.heading('Changes', 3).table(
      ['Action', 'Logical id', 'Type', 'Replacement'],
      result.changes.map((row) => [
        cell(row.action),
        cell(row.logicalId),
        cell(row.type),
        cell(row.replacement || '-'),
      ]),
    );
  }
  if (result.failures.length > 0) {
    summary.heading('Root cause', 3).table(
      ['Logical id', 'Type', 'Status', 'Reason'],
      result.failures.map((failed) => [
        cell(failed.logicalId),
        cell(failed.type),
        cell(failed.status),
        cell(failed.reason),
      ]),
    );
  }
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0) {
    const hidden = new Set(result.secretOutputs);
    summary.heading('Outputs', 3).table(
      ['Key', 'Value'],
      outputs.map(([key, value]) => [cell(key), hidden.has(key) ? '*** (NoEcho)' : cell(value)]),
    );
  }
  await summary.write();
}
