/** deploy-stack: one deployStack call, its result as step outputs and a job summary. */
import { actionContext, cell, info, jobSummary, runAction, setOutput, warning } from '@img-mgr/action-kit';
import { deployStack, DeployFailedError, type DeployRequest, type DeployResult } from '@img-mgr/stack-deploy';
import { asInputError } from './inputs.js';

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

/** The main step, given the valid request that the entry chunk read (see index.ts). */
export async function run(request: DeployRequest): Promise<void> {
  await runAction('deploy-stack', ({ signal }) => deploy(request, signal));
}

/** Deploys `request`; `signal` is the job's cancellation. */
async function deploy(request: DeployRequest, signal: AbortSignal): Promise<void> {
  // NoEcho values, and outputs that carry them, reach `mask` before any line that could print them.
  const context = actionContext('deploy-stack', signal, process.env);
  let result: DeployResult;
  try {
    result = await deployStack(request, context);
  } catch (error: unknown) {
    if (error instanceof DeployFailedError) {
      // The step's one error line names the first root cause; the log's Root cause block and the job summary
      // list every one of them.
      const failed = error.result;
      publish(failed);
      await writeSummary(request, failed, error.message);
    }
    throw asInputError(error);
  }
  publish(result);
  await writeSummary(request, result);
  const calls = Object.entries(result.apiCalls);
  const total = calls.reduce((sum, [, count]) => sum + count, 0);
  info(
    `Done: ${request.stackName} is ${result.status ?? 'unchanged'}${result.noChanges ? ' (no changes)' : ''}; ` +
      `${total} AWS API calls`,
  );
  info(`AWS API calls: ${calls.map(([operation, count]) => `${operation}=${count}`).join(', ')}`);
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

async function writeSummary(request: DeployRequest, result: DeployResult, failure?: string): Promise<void> {
  const summary = jobSummary().heading(`deploy-stack: ${request.stackName}`, 2);
  const status = result.noChanges
    ? 'no changes'
    : (result.status ?? (request.mode === 'plan' ? 'planned' : 'not changed'));
  const changeSet = result.changeSetName ? ` · **Change set:** \`${cell(result.changeSetName)}\`` : '';
  summary.text(`**Status:** ${cell(status)} · **Mode:** ${request.mode}${changeSet}`);
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
    const rows = outputs.map(([key, value]) => [cell(key), hidden.has(key) ? '*** (NoEcho)' : cell(value)]);
    summary.heading('Outputs', 3).table(['Key', 'Value'], rows);
  }
  await summary.write();
}
