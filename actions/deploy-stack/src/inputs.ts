/** Reads and checks every input of deploy-stack; loads neither `@actions/core` nor the AWS SDK. */
import {
  booleanInput,
  choiceInput,
  durationInput,
  integerInput,
  listInput,
  rawInput,
  stringInput,
} from '@img-mgr/action-kit/inputs';
import { InputError, resolveRegion, type Env } from '@img-mgr/kernel';
import {
  checkStackName,
  parseParameterOverrides,
  parseTags,
  parseTemplateSource,
  CHANGE_SET_NAME,
  type StackTag,
  type TemplateSource,
} from '@img-mgr/stack-deploy/parsers';

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
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
export function readInputs(env: Env): DeployInputs {
  const cwd = env['GITHUB_WORKSPACE'] || process.cwd();
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
