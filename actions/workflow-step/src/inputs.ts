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
  type RedeployRequest,
  type RolloutFacts,
  type RunRecord,
  type SmokeStepRequest,
  type TargetsRequest,
  type CopyAmiRequest,
  type WaveInputs,
} from '@img-mgr/workflow-run';

/** What the step can do, as the `step` input names it. */
export const STEPS = [
  'check-run',
  'resolve-app-revision',
  'find-runner-address',
  'explain-refused-token',
  'smoke-test',
  'plan-redeploy',
  'summarize-rollout',
  'summarize-revert',
  'plan-targets',
  'copy-ami',
  'rollout-wave',
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
  | { step: 'smoke-test'; request: SmokeStepRequest }
  | { step: 'plan-redeploy'; request: RedeployRequest }
  | { step: 'plan-targets'; request: TargetsRequest }
  | { step: 'copy-ami'; request: CopyAmiRequest }
  | { step: 'rollout-wave'; wave: WaveInputs }
  | { step: 'summarize-rollout'; facts: RolloutFacts; record: RunRecord }
  | {
      step: 'summarize-revert';
      facts: RevertFacts;
      record: RunRecord;
      revertSmokeReport: string;
      /** The version this run's publish wrote (the rejected AMI's). */
      parameterVersion: string;
    };

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
    case 'smoke-test':
      return {
        step,
        request: {
          enabled: read.boolean('smoke-test'),
          stackOutputsJson: text('stack-outputs'),
          urlOverride: text('smoke-url'),
          samples: read.defaulted('smoke-samples'),
          timeout: read.defaulted('smoke-timeout'),
          amiId: read.string('ami-id', { required: true }),
          stackName: read.string('stack-name', { required: true }),
          region: read.string('aws-region', { required: true }),
        },
      };
    case 'plan-redeploy':
      return {
        step,
        request: {
          stackName: read.string('stack-name', { required: true }),
          rejectedAmiId: read.string('ami-id', { required: true }),
          restoredAmiId: text('restored-ami-id'),
          region: read.string('aws-region', { required: true }),
        },
      };
    case 'plan-targets':
      return {
        step,
        request: {
          file: text('targets'),
          awsRegion: read.string('aws-region', { required: true }),
          environment: text('environment'),
          // The caller's checkout: the file is a path in the caller's repository.
          workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
          template: text('template'),
          launchKmsKey: text('launch-kms-key'),
          roleToAssume: text('role-to-assume'),
        },
      };
    case 'copy-ami':
      return {
        step,
        request: {
          amiId: read.string('ami-id', { required: true }),
          region: read.string('aws-region', { required: true }),
          fingerprint: read.string('fingerprint', { required: true }),
          copyRegions: read.string('copy-regions', { required: true }),
          // Real copies take minutes; the job's timeout-minutes bounds the rest.
          timeoutMs: 45 * 60_000,
        },
      };
    case 'rollout-wave':
      return {
        step,
        wave: {
          wave: read.string('wave', { required: true }),
          regions: read.string('wave-regions', { required: true }),
          amis: text('amis'),
          rollbackTo: text('rollback-to'),
          promoteFrom: text('promote-from'),
          appRevision: text('app-revision'),
          parameterName: read.string('parameter-name', { required: true }),
          stackName: read.string('stack-name', { required: true }),
          template: read.string('template', { required: true }),
          parameterFile: text('parameter-file'),
          parameterFiles: text('parameter-files'),
          cloudformationRoleArn: text('cloudformation-role-arn'),
          launchKmsKey: text('launch-kms-key'),
          smokeTest: read.boolean('smoke-test'),
          smokeSamples: read.defaulted('smoke-samples'),
          smokeTimeout: read.defaulted('smoke-timeout'),
          smokeUrls: text('smoke-urls'),
          // The caller's checkout: template and parameter-file are paths in it.
          workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
          runId: env.GITHUB_RUN_ID ?? '',
          runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
        },
      };
    case 'summarize-rollout':
      return {
        step,
        record: runRecord(read, text),
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
          deployOutcome: text('deploy-outcome'),
        },
      };
    case 'summarize-revert':
      return {
        step,
        record: runRecord(read, text),
        revertSmokeReport: text('revert-smoke-report'),
        parameterVersion: text('parameter-version'),
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
          failed: read.choice('failed', ['deploy', 'smoke']),
          redeployReason: text('redeploy-reason'),
          redeployOutcome: text('redeploy-outcome'),
        },
      };
    default:
      throw new InputError('step', `must be one of ${STEPS.join(', ')}; got '${step}'`);
  }
}

/** The run's record for a summary's timeline. */
function runRecord(read: EnvInputs, text: (name: string) => string): RunRecord {
  return {
    bakeResult: text('bake-result'),
    bakeSkipped: text('bake-skipped') === 'true',
    bakeAmiId: text('bake-ami-id'),
    deployOutcome: text('deploy-outcome'),
    noChanges: text('no-changes') === 'true',
    smokeReport: text('smoke-report'),
    region: read.string('aws-region') ?? '',
  };
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
