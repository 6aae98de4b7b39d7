/**
 * The rollout-wave step's inputs, as the workflow passes them (plan-targets'
 * wave outputs, the bake job's copies, the caller's inputs), turned into a
 * WaveRequest. Everything is checked before any AWS call: the JSON values,
 * each caller input against its shape, the template and the parameter file.
 */
import {
  InputError,
  InvalidRequestError,
  JsonSyntaxError,
  parseStrictJson,
  regionProblem,
  type Env,
} from '@img-mgr/kernel';
import { callerInputProblem, checkCallerInputs } from './caller-inputs.js';
import type { WaveRequest, WaveSource } from './wave-rollout.js';

/** The step's inputs, as text. */
export interface WaveInputs {
  /** 2 or 3. */
  wave: string;
  /** JSON array of the wave's regions (plan-targets' wave-N-regions). */
  regions: string;
  /** JSON map region → AMI (the bake job's copies); '' for a rollback or a promote. */
  amis: string;
  rollbackTo: string;
  promoteFrom: string;
  /** The baked app revision ('' without a bake): each new version is labelled app-<revision>, as in wave 1. */
  appRevision: string;
  parameterName: string;
  stackName: string;
  template: string;
  parameterFile: string;
  /** JSON map region → its own parameter file (plan-targets' wave-N-parameter-files); others use parameterFile. */
  parameterFiles: string;
  cloudformationRoleArn: string;
  launchKmsKey: string;
  smokeTest: boolean;
  smokeSamples: string;
  smokeTimeout: string;
  /** JSON map region → smoke URL (plan-targets' wave-N-smoke-urls). */
  smokeUrls: string;
  /** The caller's checkout, where template and parameter-file are. */
  workspace: string;
  runId: string;
  runAttempt: string;
}

/**
 * A rollout's deploy may wait this long, and a revert's redeploy as long again: with a smoke test each, both fit
 * in the wave job's 90 minutes (the deploy role's session), so a revert is never cut off by the job's timeout.
 */
const DEPLOY_WAIT_MS = 35 * 60_000;
/** A parameter's read-back, as publish-ami's wait-timeout default. */
const PUBLISH_WAIT_MS = 10 * 60_000;

/** Checks the inputs and builds the request; a bad one is an InputError that names it. */
export async function waveRequest(inputs: WaveInputs, env: Env = {}): Promise<WaveRequest> {
  checkCallerInputs(
    {
      'parameter-name': inputs.parameterName,
      'stack-name': inputs.stackName,
      template: inputs.template,
      'parameter-file': inputs.parameterFile,
      'cloudformation-role-arn': inputs.cloudformationRoleArn,
      'launch-kms-key': inputs.launchKmsKey,
      'smoke-samples': inputs.smokeSamples,
      'smoke-timeout': inputs.smokeTimeout,
      'rollback-to': inputs.rollbackTo,
      'promote-from': inputs.promoteFrom,
    },
    env,
  );
  const wave = Number(inputs.wave);
  if (!Number.isInteger(wave) || wave < 2) throw new InputError('wave', 'must be the wave number, 2 or more.');
  const regions = regionList(inputs.regions, env);
  const smokeUrls = regionMap(inputs.smokeUrls, 'smoke-urls', env);
  for (const [region, url] of Object.entries(smokeUrls)) {
    const problem = callerInputProblem('smoke-url', url, env);
    if (problem) throw new InputError('smoke-urls', `has, for ${region}, ${problem}`);
  }
  const regionFiles = regionMap(inputs.parameterFiles, 'parameter-files', env);
  for (const [region, path] of Object.entries(regionFiles)) {
    const problem = path === '' ? 'is empty.' : callerInputProblem('parameter-file', path, env);
    if (problem) throw new InputError('parameter-files', `has, for ${region}, a path that ${problem}`);
  }
  const source = await waveSource(inputs, env);
  const { parseParameterOverrides, parseTemplateSource } = await import('@img-mgr/stack-deploy/parsers');
  const cwd = inputs.workspace;
  // Read now, before any AWS call: a file that is missing or bad fails the step with the input's name.
  const parameters = asInput('parameter-file', () => parseParameterOverrides(inputs.parameterFile, { cwd }));
  const regionParameters = new Map(
    Object.entries(regionFiles).map(([region, path]) => [
      region,
      asInput('parameter-files', () => parseParameterOverrides(path, { cwd })),
    ]),
  );
  // Each region reads the template itself (an s3:// template becomes that region's https URL).
  asInput('template', () => parseTemplateSource(inputs.template, { cwd, region: regions[0] ?? 'us-east-1' }));
  return {
    wave,
    regions,
    source,
    parameterName: inputs.parameterName,
    labels: source.kind === 'amis' && inputs.appRevision ? [`app-${inputs.appRevision}`] : [],
    stack: {
      stackName: inputs.stackName,
      deployWaitMs: DEPLOY_WAIT_MS,
      deploy: (region) => ({
        stackName: inputs.stackName,
        mode: 'create-and-execute',
        template: parseTemplateSource(inputs.template, { cwd, region }),
        run: { runId: inputs.runId, runAttempt: inputs.runAttempt },
        parameters: regionParameters.get(region) ?? parameters,
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        tags: [{ Key: 'application', Value: 'img-mgr' }],
        roleArn: inputs.cloudformationRoleArn || undefined,
        // As the deploy job: a first deploy is a CreateStack that CloudFormation stops after an hour.
        timeoutInMinutes: 60,
        waitTimeoutMs: DEPLOY_WAIT_MS,
        checkLaunchKey: true,
        launchKmsKey: inputs.launchKmsKey || undefined,
      }),
    },
    smoke: { enabled: inputs.smokeTest, samples: inputs.smokeSamples, timeout: inputs.smokeTimeout, urls: smokeUrls },
    rejectedBy: inputs.runId || 'manual',
    publishWaitMs: PUBLISH_WAIT_MS,
  };
}

/** Runs a parser; its InvalidRequestError becomes the step's one line naming `input`. */
function asInput<T>(input: string, parse: () => T): T {
  try {
    return parse();
  } catch (error: unknown) {
    if (error instanceof InvalidRequestError) throw new InputError(input, error.problem);
    throw error;
  }
}

/** What each region publishes: rollback-to, else promote-from, else the bake's copies. */
async function waveSource(inputs: WaveInputs, env: Env): Promise<WaveSource> {
  if (inputs.rollbackTo) {
    const { parseRollbackTarget } = await import('@img-mgr/ami-publish/validate');
    const parsed = parseRollbackTarget(inputs.rollbackTo);
    if (!parsed.target) throw new InputError('rollback-to', parsed.problem ?? 'is not previous, a version or a label');
    return { kind: 'rollback', to: parsed.target };
  }
  if (inputs.promoteFrom) return { kind: 'promote', from: inputs.promoteFrom };
  const amis = regionMap(inputs.amis, 'amis', env);
  for (const [region, amiId] of Object.entries(amis)) {
    if (!/^ami-[0-9a-f]{8,17}$/.test(amiId))
      throw new InputError('amis', `has, for ${region}, a value that is not an AMI id`);
  }
  return { kind: 'amis', amis };
}

/** A JSON array of distinct regions, at least one. */
function regionList(text: string, env: Env): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string'))
    throw new InputError('wave-regions', 'must be a non-empty JSON array of regions (plan-targets gives it).');
  const regions = value;
  for (const region of regions) {
    const problem = regionProblem(region, env);
    if (problem) throw new InputError('wave-regions', `holds ${problem}`);
  }
  if (new Set(regions).size !== regions.length) throw new InputError('wave-regions', 'lists a region twice.');
  return regions;
}

/** A JSON object whose keys are regions and whose values are strings ('' reads as {}). */
function regionMap(text: string, input: string, env: Env): Record<string, string> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseStrictJson(text);
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError) throw new InputError(input, error.problem);
    throw new InputError(input, 'must be a JSON object of region to value.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(input, 'must be a JSON object of region to value.');
  const map: Record<string, string> = {};
  for (const [region, item] of Object.entries(value)) {
    const problem = regionProblem(region, env);
    if (problem) throw new InputError(input, `has a key that is ${problem}`);
    if (typeof item !== 'string') throw new InputError(input, `has, for ${region}, a value that is not a string`);
    map[region] = item;
  }
  return map;
}
