/** Reads and checks every input of publish-ami; loads neither `@actions/core` nor the AWS SDK. */
import {
  booleanInput,
  choiceInput,
  durationInput,
  integerInput,
  keyValueInput,
  listInput,
  stringInput,
} from '@img-mgr/action-kit/inputs';
import { InputError, regionProblem, resolveRegion, type Env } from '@img-mgr/kernel';
// Pure syntax rules only: this subpath loads no AWS SDK, so bad inputs fail fast.
import {
  amiIdProblem,
  DATA_TYPES,
  DEFAULT_LABEL_WINDOW,
  DEFAULT_REFERENCE_PATH,
  DEFAULT_ROLLBACK_WINDOW,
  descriptionProblem,
  labelsProblem,
  labelWindowProblem,
  parameterNameProblem,
  parameterPathProblem,
  parseRollbackTarget,
  tagProblem,
  type DataType,
  type RollbackTarget,
} from '@img-mgr/ami-publish/validate';
import { readRolloutInputs, type RolloutInputs } from './rollouts.js';

/** Every input, read and checked once. */
export interface PublishInputs extends RolloutInputs {
  /** publish: ami-id or amis; rollback: rollback-to; promote: promote-from; reject: reject-ami alone; prune: keep-amis alone. */
  mode: 'publish' | 'rollback' | 'promote' | 'reject' | 'prune';
  /** The input that named the AMIs ('ami-id' or 'amis'), for error messages. */
  amiInput: 'ami-id' | 'amis';
  targets: { region: string; amiId: string }[];
  /** Regions a rollback or a prune-only run works on. */
  regions: string[];
  /** The region whose result fills the single-value outputs. */
  primaryRegion: string;
  rollbackTo?: RollbackTarget;
  parameterName: string;
  labels: string[];
  /** Only the newest N versions keep labels. */
  labelWindow: number;
  tags: Record<string, string>;
  description?: string;
  dataType: DataType;
  keepAmis?: number;
  /** Pruning keeps AMIs of aws:ec2:image parameters under this path. */
  referencePath: string;
  /** Pruning keeps the AMIs of each pointer's newest K versions. */
  rollbackWindow: number;
  application: string;
  dryRun: boolean;
  waitTimeoutMs: number;
}

/** Reads and validates every input once. */
export function readInputs(env: Env): PublishInputs {
  const amiId = stringInput('ami-id');
  const amisText = stringInput('amis');
  const rollbackText = stringInput('rollback-to');
  const regionText = stringInput('region');
  const keepAmis = integerInput('keep-amis', { min: 1, max: 1000 });
  if (amiId !== undefined && amisText !== undefined)
    throw new InputError('amis', 'cannot be combined with ami-id; give one of them');
  if (rollbackText !== undefined && (amiId !== undefined || amisText !== undefined)) {
    throw new InputError(
      'rollback-to',
      `cannot be combined with ${amiId !== undefined ? 'ami-id' : 'amis'}: a rollback republishes an earlier value`,
    );
  }
  if (amisText !== undefined && regionText !== undefined) {
    throw new InputError('region', 'cannot be combined with amis: the map names the regions');
  }
  const rollout = readRolloutInputs(
    { amiId: amiId !== undefined, amis: amisText !== undefined, rollbackTo: rollbackText !== undefined },
    env,
  );
  const mode =
    rollbackText !== undefined
      ? 'rollback'
      : rollout.promoteFrom
        ? 'promote'
        : amiId !== undefined || amisText !== undefined
          ? 'publish'
          : rollout.rejectAmi
            ? 'reject'
            : 'prune';
  if (mode === 'prune' && keepAmis === undefined) {
    throw new InputError(
      'ami-id',
      'is required: set ami-id, amis (a region to AMI map), rollback-to, promote-from or reject-ami',
    );
  }
  const targets =
    amisText !== undefined
      ? parseAmis(amisText)
      : amiId !== undefined
        ? [{ region: resolveRegion(regionText, 'region', env), amiId: checkAmiId(amiId) }]
        : [];
  const regions = mode === 'publish' ? targets.map((target) => target.region) : regionList(regionText, env);
  const rollbackTo = rollbackText === undefined ? undefined : rollbackTarget(rollbackText);

  const parameterName = stringInput('parameter-name', { default: '/common/img-mgr/golden-ami' });
  const nameProblem = parameterNameProblem(parameterName);
  if (nameProblem) throw new InputError('parameter-name', nameProblem);
  const labels = listInput('labels');
  const labelProblem = labelsProblem(labels, mode === 'rollback' ? 1 : 0);
  if (labelProblem) throw new InputError('labels', labelProblem);
  const labelWindow = integerInput('label-window', { default: DEFAULT_LABEL_WINDOW });
  const windowProblem = labelWindowProblem(labelWindow);
  if (windowProblem) throw new InputError('label-window', windowProblem);
  const tags = Object.fromEntries(keyValueInput('tags'));
  for (const [key, value] of Object.entries(tags)) {
    const problem = tagProblem(key, value);
    if (problem) throw new InputError('tags', problem);
  }
  const description = stringInput('description');
  const problem = description === undefined ? undefined : descriptionProblem(description);
  if (problem) throw new InputError('description', problem);
  const referencePath = stringInput('reference-path', { default: DEFAULT_REFERENCE_PATH });
  const pathProblem = parameterPathProblem(referencePath);
  if (pathProblem) throw new InputError('reference-path', pathProblem);
  const rollbackWindow = integerInput('rollback-window', { default: DEFAULT_ROLLBACK_WINDOW, min: 1, max: 100 });
  const dryRun = booleanInput('dry-run', false);
  if (dryRun && keepAmis === undefined)
    throw new InputError('dry-run', 'only applies to pruning; set keep-amis as well');

  const primary = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  return {
    ...rollout,
    mode,
    amiInput: amisText !== undefined ? 'amis' : 'ami-id',
    targets,
    regions,
    primaryRegion: primary && regions.includes(primary) ? primary : (regions[0] ?? ''),
    ...(rollbackTo ? { rollbackTo } : {}),
    parameterName,
    labels,
    labelWindow,
    tags,
    ...(description !== undefined ? { description } : {}),
    dataType: choiceInput('data-type', DATA_TYPES, 'aws:ec2:image'),
    ...(keepAmis !== undefined ? { keepAmis } : {}),
    referencePath,
    rollbackWindow,
    application: stringInput('application', { default: 'img-mgr' }),
    dryRun,
    waitTimeoutMs: durationInput('wait-timeout', 600_000, { maxMs: 6 * 3_600_000 }),
  };
}

function checkAmiId(amiId: string, input = 'ami-id', region?: string): string {
  const problem = amiIdProblem(amiId);
  if (problem) throw new InputError(input, `${region ? `for ${region} ` : ''}is invalid: ${problem}`);
  return amiId;
}

/** The bake-ami `amis` output: a JSON object of region → AMI id. */
function parseAmis(text: string): { region: string; amiId: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError('amis', 'is not JSON; expected a map such as {"us-east-1":"ami-0123456789abcdef0"}');
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
    const problem = regionProblem(region);
    if (problem) throw new InputError('amis', `has key ${problem}`);
    if (typeof amiId !== 'string')
      throw new InputError('amis', `has a ${typeof amiId} for ${region}; expected an AMI id string`);
    return { region, amiId: checkAmiId(amiId, 'amis', region) };
  });
}

/** One or more regions (comma or newline separated) for rollback and prune-only runs. */
function regionList(text: string | undefined, env: Env): string[] {
  if (text === undefined) return [resolveRegion(undefined, 'region', env)];
  const regions = [...new Set(text.split(/[\s,]+/).filter((region) => region !== ''))];
  for (const region of regions) resolveRegion(region, 'region', env);
  return regions;
}

function rollbackTarget(text: string): RollbackTarget {
  const { target, problem } = parseRollbackTarget(text);
  if (!target) throw new InputError('rollback-to', problem ?? 'is invalid');
  return target;
}
