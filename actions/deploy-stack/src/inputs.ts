/**
 * The inputs of deploy-stack, read once into the one DeployRequest. No
 * `@actions/*` and no SDK code here: a bad input fails before either loads.
 * action.yml is the only source of defaults: an input that has one there is
 * always set by the runner, so the code keeps no default of its own for it.
 */
import { InputError, InvalidRequestError, quoteWhole, resolveRegion, type Env } from '@img-mgr/kernel';
import {
  checkCapabilities,
  checkStackName,
  parseParameterOverrides,
  parseTags,
  parseTemplateSource,
  CHANGE_SET_NAME,
} from '@img-mgr/stack-deploy/parsers';
import { KMS_KEY_REFERENCE } from '@img-mgr/stack-deploy/names';
import type { DeployMode, DeployRequest } from '@img-mgr/stack-deploy';
import { EnvInputs } from '@img-mgr/action-kit/inputs';

const MODES = ['create-and-execute', 'plan', 'execute'] as const satisfies readonly DeployMode[];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The action input that fills each field of the DeployRequest, to name it in an error line. */
export const INPUT_OF_FIELD: Readonly<Record<keyof DeployRequest, string | undefined>> = {
  stackName: 'stack-name',
  region: 'region',
  mode: 'mode',
  template: 'template',
  changeSetName: 'change-set-name',
  run: undefined, // GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT
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
  checkLaunchKey: 'check-launch-key',
  launchKmsKey: 'launch-kms-key',
};

/** A domain error about a request field, as the error about the action input that filled it. */
export function asInputError(thrown: unknown): unknown {
  if (!(thrown instanceof InvalidRequestError)) return thrown;
  const input = INPUT_OF_FIELD[thrown.field as keyof DeployRequest];
  return input ? new InputError(input, thrown.problem) : thrown;
}

/** Reads and validates every input (INPUT_* in `env`) into the deploy's request. */
export function readInputs(env: Env): DeployRequest {
  try {
    return requestOf(env);
  } catch (error: unknown) {
    throw asInputError(error);
  }
}

function requestOf(env: Env): DeployRequest {
  const input = new EnvInputs(env);
  const cwd = env.GITHUB_WORKSPACE || process.cwd();
  const stackName = checkStackName(input.string('stack-name', { required: true }));
  const mode = input.choice('mode', MODES);
  const region = resolveRegion(input.string('region'), 'region', env);
  const template = input.string('template');
  if (!template && mode !== 'execute') throw new InputError('template', `is required in ${mode} mode`);
  const changeSetName = input.string('change-set-name', {
    pattern: CHANGE_SET_NAME,
    patternHint: 'a change-set name starts with a letter and has only letters, digits and hyphens (at most 128)',
  });
  if (mode === 'execute' && !changeSetName) throw new InputError('change-set-name', 'is required in execute mode');
  const notificationArns = input.list('notification-arns');
  const badTopic = notificationArns.find((arn) => !SNS_TOPIC_ARN.test(arn));
  if (badTopic) throw new InputError('notification-arns', `has ${quoteWhole(badTopic)}, which is not an SNS topic ARN`);
  return {
    stackName,
    region,
    mode,
    template: template && mode !== 'execute' ? parseTemplateSource(template, { cwd, region }) : undefined,
    changeSetName,
    run: { runId: env.GITHUB_RUN_ID, runAttempt: env.GITHUB_RUN_ATTEMPT },
    parameters: parseParameterOverrides(input.raw('parameter-overrides'), { cwd }),
    capabilities: checkCapabilities(input.list('capabilities', { defaulted: true })),
    tags: parseTags(input.raw('tags')),
    roleArn: input.string('role-arn', { pattern: ROLE_ARN, patternHint: 'must be an IAM role ARN' }),
    notificationArns,
    terminationProtection: input.optionalBoolean('termination-protection'),
    disableRollback: input.boolean('disable-rollback'),
    timeoutInMinutes: input.integer('timeout-in-minutes', { min: 1, max: 43_200 }),
    waitTimeoutMs: input.duration('wait-timeout'),
    failOnEmptyChangeSet: input.boolean('fail-on-empty-changeset'),
    recreateFailedStack: input.boolean('recreate-failed-stack'),
    cancelOnAbort: input.boolean('cancel-on-abort'),
    templateBucket: input.string('template-bucket', { pattern: BUCKET, patternHint: 'must be an S3 bucket name' }),
    checkLaunchKey: input.boolean('check-launch-key'),
    launchKmsKey: input.string('launch-kms-key', {
      pattern: KMS_KEY_REFERENCE,
      patternHint: 'must be a KMS key id, alias/NAME, or a key or alias ARN',
    }),
  };
}
