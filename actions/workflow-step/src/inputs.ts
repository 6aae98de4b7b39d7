/**
 * workflow-step's inputs, read from the environment the runner gives the
 * step: `step` chooses what the step does and which other inputs it reads.
 * Loads no `@actions/*`, so a bad input fails at once.
 */
import { InputError, type Env } from '@img-mgr/kernel';
import { EnvInputs, inputVariable } from '@img-mgr/action-kit/inputs';
import {
  CALLER_INPUTS,
  type BranchCheck,
  type CallerInput,
  type RevertFacts,
  type RoleInputs,
  type RolloutFacts,
} from '@img-mgr/workflow-run';

/** What the step can do, as the `step` input names it. */
export const STEPS = [
  'check-run',
  'resolve-app-revision',
  'find-runner-address',
  'explain-refused-token',
  'summarize-rollout',
  'summarize-revert',
] as const;

/** The inputs of each step, already checked. */
export type StepInputs =
  | {
      step: 'check-run';
      /** The workflow's string inputs this step was given, to check against their shapes. */
      callerInputs: Partial<Record<CallerInput, string>>;
      branch: BranchCheck;
      roles: Omit<RoleInputs, 'bakes'>;
      underAct: boolean;
    }
  | { step: 'resolve-app-revision'; flaskRepo: string; flaskRef: string; awsRegion: string; serverUrl: string }
  | { step: 'find-runner-address'; checkipUrl: string; githubEnv: string }
  | { step: 'explain-refused-token'; role: string }
  | { step: 'summarize-rollout'; facts: RolloutFacts }
  | { step: 'summarize-revert'; facts: RevertFacts };

/** Reads and checks the inputs of the chosen step. */
export function readInputs(env: Env): StepInputs {
  const read = new EnvInputs(env);
  const step = read.string('step', { required: true });
  const text = (name: string): string => read.string(name) ?? '';
  switch (step) {
    case 'check-run':
      return {
        step,
        callerInputs: givenCallerInputs(env),
        branch: {
          ref: env.GITHUB_REF ?? '',
          trustedBranch: read.defaulted('trusted-branch'),
          rollbackTo: text('rollback-to'),
          promoteFrom: text('promote-from'),
          environment: text('environment'),
        },
        roles: {
          roleToAssume: text('role-to-assume'),
          bakeRoleToAssume: text('bake-role-to-assume'),
          cloudformationRoleArn: text('cloudformation-role-arn'),
          environment: text('environment'),
        },
        // act runs without roles: AWS_ENDPOINT_URL and the credentials come from its --env-file.
        underAct: Boolean(env.ACT),
      };
    case 'resolve-app-revision':
      return {
        step,
        flaskRepo: read.string('flask-repo', { required: true }),
        flaskRef: text('flask-ref'),
        awsRegion: read.string('aws-region', { required: true }),
        serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
      };
    case 'find-runner-address': {
      const githubEnv = env.GITHUB_ENV;
      if (!githubEnv) throw new InputError('step', "is find-runner-address, which needs the runner's GITHUB_ENV file");
      return { step, checkipUrl: read.defaulted('checkip-url'), githubEnv };
    }
    case 'explain-refused-token':
      return { step, role: text('role-to-assume') };
    case 'summarize-rollout':
      return {
        step,
        facts: {
          amiId: text('ami-id'),
          previousAmiId: text('previous-ami-id'),
          parameterName: text('parameter-name'),
          parameterVersion: text('parameter-version'),
          stackName: text('stack-name'),
          stackStatus: text('stack-status'),
          rollbackTo: text('rollback-to'),
          promoteFrom: text('promote-from'),
          environment: text('environment'),
        },
      };
    case 'summarize-revert':
      return {
        step,
        facts: {
          amiId: text('ami-id'),
          previousAmiId: text('previous-ami-id'),
          previousVersion: text('previous-version'),
          revertedVersion: text('reverted-version'),
          revertOutcome: text('revert-outcome'),
          parameterName: text('parameter-name'),
          stackName: text('stack-name'),
          environment: text('environment'),
          runId: env.GITHUB_RUN_ID ?? 'manual',
        },
      };
    default:
      throw new InputError('step', `must be one of ${STEPS.join(', ')}; got '${step}'`);
  }
}

/**
 * The caller inputs set in the step's environment, as the runner passes them
 * (trimmed, as every action reads them). One left out of `with:` is not
 * checked; one given empty is, since empty has a meaning of its own.
 */
function givenCallerInputs(env: Env): Partial<Record<CallerInput, string>> {
  const given: Partial<Record<CallerInput, string>> = {};
  for (const name of CALLER_INPUTS) {
    const value = env[inputVariable(name)];
    if (value !== undefined) given[name] = value.trim();
  }
  return given;
}
