/**
 * publish-ami's inputs, read from the environment the runner gives the step
 * and turned into the one request @img-mgr/ami-publish runs. Loads neither
 * @actions/* nor the AWS SDK, so a bad input fails at once.
 *
 * action.yml is the only source of defaults: an input that has one is
 * always passed by the runner, so an empty one is an error here.
 */
import { InputError, JsonSyntaxError, parseStrictJson, regionProblem, resolveRegion, type Env } from '@img-mgr/kernel';
import { EnvInputs } from '@img-mgr/action-kit/inputs';
import type { PublishAmiRequest } from '@img-mgr/ami-publish';
// Pure syntax rules only: these subpaths load no AWS SDK.
import { labelsProblem, labelWindowProblem } from '@img-mgr/ami-publish/labels';
import {
  amiIdProblem,
  DATA_TYPES,
  descriptionProblem,
  parameterNameProblem,
  parameterPathProblem,
  parseRollbackTarget,
  PUBLISH_AMI_MODES,
  tagProblem,
  type PublishAmiMode,
} from '@img-mgr/ami-publish/validate';

/** The request, and what the outputs and error lines need besides it. */
export interface PublishInputs {
  request: PublishAmiRequest;
  /** The input that named the AMIs, for error lines. */
  amiInput: 'ami-id' | 'amis';
  /** The region whose result fills the single-value outputs. */
  primaryRegion: string;
}

/** `mode: auto` infers the mode from the inputs that are set, as before the input existed. */
export const MODES = ['auto', ...PUBLISH_AMI_MODES] as const;

/** The input that each mode needs (and that makes `auto` choose it). */
const MODE_INPUT: Record<PublishAmiMode, string> = {
  publish: 'ami-id',
  rollback: 'rollback-to',
  promote: 'promote-from',
  reject: 'reject-ami',
  prune: 'keep-amis',
};

/** Reads and validates every input once. */
export function readInputs(env: Env): PublishInputs {
  const read = new EnvInputs(env);
  const amiId = read.string('ami-id');
  const amisText = read.string('amis');
  const rollbackText = read.string('rollback-to');
  const promoteFrom = read.string('promote-from');
  const rejectAmi = read.string('reject-ami');
  const regionText = read.string('region');
  const keepAmis = read.integer('keep-amis', { min: 1, max: 1000 });
  checkCombinations({ amiId, amisText, rollbackText, promoteFrom, regionText });
  if (promoteFrom !== undefined) {
    const problem = parameterNameProblem(promoteFrom);
    if (problem) throw new InputError('promote-from', problem);
  }
  if (rejectAmi !== undefined) checkAmiId(rejectAmi, 'reject-ami');
  const mode = chooseMode(read.choice('mode', MODES), {
    publish: amiId ?? amisText,
    rollback: rollbackText,
    promote: promoteFrom,
    reject: rejectAmi,
    prune: keepAmis,
  });
  const targets =
    amisText !== undefined
      ? parseAmis(amisText, env)
      : amiId !== undefined
        ? [{ region: resolveRegion(regionText, 'region', env), amiId: checkAmiId(amiId) }]
        : [];
  const regions = mode === 'publish' ? targets.map((target) => target.region) : regionList(regionText, env);
  const primary = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const primaryRegion = primary && regions.includes(primary) ? primary : (regions[0] ?? '');

  const parameterName = read.defaulted('parameter-name');
  const nameProblem = parameterNameProblem(parameterName);
  if (nameProblem) throw new InputError('parameter-name', nameProblem);
  const labels = read.list('labels');
  const labelProblem = labelsProblem(labels, mode === 'rollback' ? 1 : 0);
  if (labelProblem) throw new InputError('labels', labelProblem);
  const labelWindow = read.integer('label-window', { defaulted: true });
  const windowProblem = labelWindowProblem(labelWindow);
  if (windowProblem) throw new InputError('label-window', windowProblem);
  const tags = Object.fromEntries(read.keyValues('tags'));
  for (const [key, value] of Object.entries(tags)) {
    const problem = tagProblem(key, value);
    if (problem) throw new InputError('tags', problem);
  }
  const description = read.string('description');
  const problem = description === undefined ? undefined : descriptionProblem(description);
  if (problem) throw new InputError('description', problem);
  const referencePath = read.defaulted('reference-path');
  const pathProblem = parameterPathProblem(referencePath);
  if (pathProblem) throw new InputError('reference-path', pathProblem);
  const rollbackWindow = read.integer('rollback-window', { defaulted: true, min: 1, max: 100 });
  const dryRun = read.boolean('dry-run');
  if (dryRun && keepAmis === undefined)
    throw new InputError('dry-run', 'only applies to pruning; set keep-amis as well');
  const application = read.defaulted('application');
  // The value of the `application` tag that pruning filters on: a tag value has at most 256 characters.
  const applicationProblem = tagProblem('application', application);
  if (applicationProblem) throw new InputError('application', applicationProblem);
  const dataType = read.choice('data-type', DATA_TYPES);
  const waitTimeoutMs = read.duration('wait-timeout', { maxMs: 6 * 3_600_000 });

  const request: PublishAmiRequest = {
    mode,
    parameterName,
    labels,
    labelWindow,
    tags,
    ...(description !== undefined ? { description } : {}),
    dataType,
    waitTimeoutMs,
    ...(mode === 'publish' ? { targets } : { regions }),
    ...(rollbackText !== undefined ? { to: rollbackTarget(rollbackText) } : {}),
    ...(promoteFrom !== undefined ? { from: promoteFrom } : {}),
    ...(rejectAmi !== undefined
      ? {
          reject: {
            amiId: rejectAmi,
            region: primaryRegion || resolveRegion(undefined, 'region', env),
            by: env.GITHUB_RUN_ID ?? 'manual',
          },
        }
      : {}),
    ...(keepAmis !== undefined
      ? { prune: { keep: keepAmis, application, dryRun, referencePath, rollbackWindow } }
      : {}),
  };
  return { request, amiInput: amisText !== undefined ? 'amis' : 'ami-id', primaryRegion };
}

/** The inputs that choose what is written exclude each other. */
function checkCombinations(given: {
  amiId?: string;
  amisText?: string;
  rollbackText?: string;
  promoteFrom?: string;
  regionText?: string;
}): void {
  const { amiId, amisText, rollbackText, promoteFrom, regionText } = given;
  if (amiId !== undefined && amisText !== undefined) {
    throw new InputError('amis', 'cannot be combined with ami-id; give one of them');
  }
  if (rollbackText !== undefined && (amiId !== undefined || amisText !== undefined)) {
    const other = amiId !== undefined ? 'ami-id' : 'amis';
    throw new InputError('rollback-to', `cannot be combined with ${other}: a rollback republishes an earlier value`);
  }
  if (amisText !== undefined && regionText !== undefined) {
    throw new InputError('region', 'cannot be combined with amis: the map names the regions');
  }
  if (promoteFrom !== undefined) {
    const clash =
      amiId !== undefined
        ? 'ami-id'
        : amisText !== undefined
          ? 'amis'
          : rollbackText !== undefined
            ? 'rollback-to'
            : undefined;
    if (clash) {
      throw new InputError(
        'promote-from',
        `cannot be combined with ${clash}: a promote publishes the AMI that promote-from holds`,
      );
    }
  }
}

/**
 * The mode: the one given, whose input must then be set, or (auto) the first
 * of rollback, promote, publish, reject and prune whose input is set.
 */
export function chooseMode(
  given: (typeof MODES)[number],
  set: Record<PublishAmiMode, string | number | undefined>,
): PublishAmiMode {
  if (given !== 'auto') {
    if (set[given] === undefined) {
      const input = given === 'publish' ? 'ami-id' : MODE_INPUT[given];
      throw new InputError(input, `is required when mode is ${given}${given === 'publish' ? ' (or set amis)' : ''}`);
    }
    // A write of another mode cannot ride along: only reject-ami and keep-amis combine with any mode.
    for (const other of ['publish', 'rollback', 'promote'] as const) {
      if (other !== given && set[other] !== undefined) {
        throw new InputError(MODE_INPUT[other], `cannot be combined with mode ${given}`);
      }
    }
    return given;
  }
  const inferred = (['rollback', 'promote', 'publish', 'reject', 'prune'] as const).find(
    (mode) => set[mode] !== undefined,
  );
  if (!inferred) {
    throw new InputError(
      'ami-id',
      'is required: set ami-id, amis (a region to AMI map), rollback-to, promote-from or reject-ami',
    );
  }
  return inferred;
}

function checkAmiId(amiId: string, input = 'ami-id', region?: string): string {
  const problem = amiIdProblem(amiId);
  if (problem) throw new InputError(input, `${region ? `for ${region} ` : ''}is invalid: ${problem}`);
  return amiId;
}

/** The bake-ami `amis` output: a JSON object of region → AMI id. */
function parseAmis(text: string, env: Env): { region: string; amiId: string }[] {
  let parsed: unknown;
  try {
    // A region named twice would publish only its last AMI: refused, as JSON.parse would keep it silently.
    parsed = parseStrictJson(text);
  } catch (error: unknown) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new InputError('amis', `${error.problem}; expected a map such as {"us-east-1":"ami-0123456789abcdef0"}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(
      'amis',
      'must be a JSON object of region to AMI id, such as {"us-east-1":"ami-0123456789abcdef0"}',
    );
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw new InputError('amis', 'is an empty map; there is nothing to publish');
  return entries.map(([region, amiId]) => {
    const problem = regionProblem(region, env);
    if (problem) throw new InputError('amis', `has key ${problem}`);
    if (typeof amiId !== 'string')
      throw new InputError('amis', `has a ${typeof amiId} for ${region}; expected an AMI id string`);
    return { region, amiId: checkAmiId(amiId, 'amis', region) };
  });
}

/** One or more regions (comma or newline separated) for rollback, promote and runs that write nothing. */
function regionList(text: string | undefined, env: Env): string[] {
  if (text === undefined) return [resolveRegion(undefined, 'region', env)];
  const regions = [...new Set(text.split(/[\s,]+/).filter((region) => region !== ''))];
  for (const region of regions) resolveRegion(region, 'region', env);
  return regions;
}

function rollbackTarget(text: string): NonNullable<PublishAmiRequest['to']> {
  const { target, problem } = parseRollbackTarget(text);
  if (!target) throw new InputError('rollback-to', problem ?? 'is invalid');
  return target;
}
