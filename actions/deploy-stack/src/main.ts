import {
  annotateError,
  booleanInput,
  cell,
  choiceInput,
  durationInput,
  group,
  info,
  integerInput,
  jobSummary,
  listInput,
  mask,
  rawInput,
  runAction,
  setOutput,
  stringInput,
  warning,
  InputError,
} from '@img-mgr/action-kit';
import { InvalidRequestError, resolveRegion, type Context } from '@img-mgr/kernel';
import {
  checkStackName,
  parseParameterOverrides,
  parseTags,
  parseTemplateSource,
  CHANGE_SET_NAME,
  type StackTag,
  type TemplateSource,
} from '@img-mgr/stack-deploy/parsers';
import type { DeployRequest, DeployResult } from '@img-mgr/stack-deploy';

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
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

/** The action input that fills each field of the DeployRequest, to name it in an error line. */
const INPUT_OF_FIELD: Readonly<Record<keyof DeployRequest, string | undefined>> = {
  stackName: 'stack-name',
  region: 'region',
  mode: 'mode',
  template: 'template',
  changeSetName: 'change-set-name',
  run: undefined,
  parameters: 'parameter-overrides',
  capabilities: 'capabilities',
  tags: 'tags',
  roleArn: 'role-arn',
  notificationArns: 'notification-arns',
  terminationProtection: 'termination-protection',
  disableRollback: 'disable-rollback',
  timeoutInMinutes: 'timeout-in-minutes',
  waitTimeoutMs: 'wait-timeout',
  failOnEmptyChangeSet: 'fail-on-empty-changeset',
  recreateFailedStack: 'recreate-failed-stack',
  cancelOnAbort: 'cancel-on-abort',
  templateBucket: 'template-bucket',
};

/** A domain error about a request field, as the error about the action input that filled it. */
function asInputError(thrown: unknown): unknown {
  if (!(thrown instanceof InvalidRequestError)) return thrown;
  const input = INPUT_OF_FIELD[thrown.field as keyof DeployRequest];
  return input ? new InputError(input, thrown.problem) : thrown;
}

export interface DeployInputs {
  stackName: string;
  template: TemplateSource | undefined;
  mode: 'create-and-execute' | 'plan' | 'execute';
  changeSetName: string | undefined;
  parameters: Map<string, string>;
  capabilities: string[];
  tags: StackTag[];
  roleArn: string | undefined;
  notificationArns: string[];
  terminationProtection: boolean | undefined;
  disableRollback: boolean;
  timeoutInMinutes: number | undefined;
  waitTimeoutMs: number;
  failOnEmptyChangeSet: boolean;
  recreateFailedStack: boolean;
  cancelOnAbort: boolean;
  templateBucket: string | undefined;
  region: string;
}

/** Reads and validates every input once, before any AWS code is loaded. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): DeployInputs {
  try {
    return readEveryInput(env);
  } catch (error: unknown) {
    throw asInputError(error);
  }
}

function readEveryInput(env: NodeJS.ProcessEnv): DeployInputs {
  const cwd = env.GITHUB_WORKSPACE || process.cwd();
  const stackName = checkStackName(stringInput('stack-name', { required: true }));
  const mode = choiceInput('mode', ['create-and-execute', 'plan', 'execute'], 'create-and-execute');
  const region = resolveRegion(stringInput('region'), 'region', env);
  const templateText = stringInput('template');
  if (!templateText && mode !== 'execute') throw new InputError('template', `is required in ${mode} mode`);
  const changeSetName = stringInput('change-set-name', {
    pattern: CHANGE_SET_NAME,
    patternHint: 'a change-set name starts with a letter and has only letters, digits and hyphens (at most 128)',
  });
  if (mode === 'execute' && !changeSetName) throw new InputError('change-set-name', 'is required in execute mode');
  const capabilities = listInput('capabilities');
  const unknownCapability = capabilities.find((capability) => !CAPABILITIES.includes(capability));
  if (unknownCapability)
    throw new InputError('capabilities', `has '${unknownCapability}'; use ${CAPABILITIES.join(', ')}`);
  const roleArn = stringInput('role-arn', {
    pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
    patternHint: 'must be an IAM role ARN',
  });
  const notificationArns = listInput('notification-arns');
  const badTopic = notificationArns.find((arn) => !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/.test(arn));
  if (badTopic) throw new InputError('notification-arns', `has '${badTopic}', which is not an SNS topic ARN`);
  const terminationText = rawInput('termination-protection');
  return {
    stackName,
    mode,
    region,
    template: templateText && mode !== 'execute' ? parseTemplateSource(templateText, { cwd, region }) : undefined,
    changeSetName,
    parameters: parseParameterOverrides(rawInput('parameter-overrides'), { cwd }),
    capabilities,
    tags: parseTags(rawInput('tags')),
    roleArn,
    notificationArns,
    terminationProtection: terminationText === '' ? undefined : booleanInput('termination-protection', false),
    disableRollback: booleanInput('disable-rollback', false),
    timeoutInMinutes: integerInput('timeout-in-minutes', { min: 1, max: 43_200 }),
    waitTimeoutMs: durationInput('wait-timeout', 60 * 60_000),
    failOnEmptyChangeSet: booleanInput('fail-on-empty-changeset', false),
    recreateFailedStack: booleanInput('recreate-failed-stack', true),
    cancelOnAbort: booleanInput('cancel-on-abort', true),
    templateBucket: stringInput('template-bucket', {
      pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      patternHint: 'must be an S3 bucket name',
    }),
  };
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('deploy-stack', async ({ signal }) => {
    const inputs = readInputs();
    const { deployStack, DeployFailedError } = await import('@img-mgr/stack-deploy');
    const { clientFactory } = await import('@img-mgr/kernel/aws');
    const request: DeployRequest = {
      ...inputs,
      run: { runId: process.env.GITHUB_RUN_ID, runAttempt: process.env.GITHUB_RUN_ATTEMPT },
    };
    let result: DeployResult | undefined;
    try {
      // NoEcho values, and outputs that carry them, reach `mask` before any line that could print them.
      const context: Context = {
        log: { info, warn: warning, secret: mask, group },
        signal,
        env: process.env,
        clients: clientFactory({ caller: 'deploy-stack', env: process.env, log: warning }),
      };
      result = await deployStack(request, context);
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
      throw asInputError(error);
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
