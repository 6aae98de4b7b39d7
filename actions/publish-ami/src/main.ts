import {
  ActionError,
  booleanInput,
  choiceInput,
  durationInput,
  group,
  info,
  InputError,
  integerInput,
  keyValueInput,
  listInput,
  mask,
  runAction,
  setOutput,
  stringInput,
  warning,
} from '@img-mgr/action-kit';
import { InvalidRequestError, regionProblem, resolveRegion, type Context } from '@img-mgr/kernel';
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
import type { PruneReport, PublishReport } from '@img-mgr/ami-publish';
import { readRolloutInputs, type RolloutInputs } from './rollouts.js';
import { writeSummary } from './summary.js';

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
export function readInputs(): PublishInputs {
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
  const rollout = readRolloutInputs({
    amiId: amiId !== undefined,
    amis: amisText !== undefined,
    rollbackTo: rollbackText !== undefined,
  });
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
        ? [{ region: resolveRegion(regionText), amiId: checkAmiId(amiId) }]
        : [];
  const regions = mode === 'publish' ? targets.map((target) => target.region) : regionList(regionText);
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

  const primary = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
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
function regionList(text: string | undefined): string[] {
  if (text === undefined) return [resolveRegion(undefined)];
  const regions = [...new Set(text.split(/[\s,]+/).filter((region) => region !== ''))];
  for (const region of regions) resolveRegion(region);
  return regions;
}

function rollbackTarget(text: string): RollbackTarget {
  const { target, problem } = parseRollbackTarget(text);
  if (!target) throw new InputError('rollback-to', problem ?? 'is invalid');
  return target;
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('publish-ami', async ({ signal }) => {
    const inputs = readInputs();
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const domain = await import('@img-mgr/ami-publish');
    const { clientFactory } = await import('@img-mgr/kernel/aws');
    const env = process.env;
    const context: Context = {
      log: { info, warn: warning, secret: mask, group },
      signal,
      env,
      clients: clientFactory({ caller: 'publish-ami', env, log: info }),
    };
    let report: PublishReport | undefined;
    const prunes: PruneReport[] = [];
    let rejected = false;
    try {
      // First, so that even if the rest fails, rollback-to previous and pruning see the failed AMI as rejected.
      if (inputs.rejectAmi) rejected = await rejectFirst(inputs, inputs.rejectAmi, domain, context);
      report = await blameInputs(inputs, domain, async () => {
        if (inputs.mode === 'promote' && inputs.promoteFrom) {
          const from = inputs.promoteFrom;
          return group(`Promote the AMI of ${from} to ${inputs.parameterName} in ${inputs.regions.join(', ')}`, () =>
            domain.promoteAmi({ ...settings(inputs), regions: inputs.regions, from }, context),
          );
        }
        if (inputs.mode === 'publish') {
          const title = inputs.targets.map((target) => `${target.amiId} (${target.region})`).join(', ');
          return group(`Publish ${title} to ${inputs.parameterName}`, () =>
            domain.publishAmi({ ...settings(inputs), targets: inputs.targets }, context),
          );
        }
        if (inputs.mode === 'rollback' && inputs.rollbackTo) {
          const to = inputs.rollbackTo;
          return group(
            `Roll ${inputs.parameterName} back to ${describeTarget(to)} in ${inputs.regions.join(', ')}`,
            () => domain.rollbackAmi({ ...settings(inputs), regions: inputs.regions, to }, context),
          );
        }
        return undefined;
      });
      if (report) setPublishOutputs(inputs, report);
      if (report && !report.ok) throw new ActionError(domain.describeFailure(report));
      if (inputs.keepAmis !== undefined) {
        const keep = inputs.keepAmis;
        const regions = report ? report.results.map((result) => result.region) : inputs.regions;
        for (const region of regions) {
          prunes.push(
            await group(
              `Prune ${inputs.application} AMIs in ${region} (keep ${keep}${inputs.dryRun ? ', dry run' : ''})`,
              () =>
                domain.pruneAmis(
                  {
                    region,
                    parameterName: inputs.parameterName,
                    application: inputs.application,
                    keep,
                    dryRun: inputs.dryRun,
                    referencePath: inputs.referencePath,
                    rollbackWindow: inputs.rollbackWindow,
                  },
                  context,
                ),
            ),
          );
        }
        setOutput(
          'pruned-amis',
          prunes.flatMap((prune) => prune.removed),
        );
        const failures = prunes.flatMap((prune) => prune.failures.map((failure) => `${prune.region} ${failure}`));
        if (failures.length > 0) throw new ActionError(`Pruning could not remove everything: ${failures.join('; ')}`);
      }
    } finally {
      await writeSummary(inputs, report, prunes, rejected);
    }
  });
}

type Domain = typeof import('@img-mgr/ami-publish');

/**
 * Turns the domain's "this value cannot be used" errors into input errors
 * that name the input the value came from.
 */
async function blameInputs<T>(inputs: PublishInputs, domain: Domain, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error: unknown) {
    if (error instanceof InvalidRequestError) throw new InputError(inputOf(error.field, inputs), error.problem);
    if (error instanceof domain.ImageNotUsableError) {
      throw new InputError(inputs.amiInput, `cannot be published: ${error.message}; nothing was written`);
    }
    if (error instanceof domain.RollbackTargetError) {
      throw new InputError('rollback-to', `cannot be used: ${error.message}; nothing was written`);
    }
    if (error instanceof domain.PromoteSourceError) {
      throw new InputError('promote-from', `cannot be promoted: ${error.message}; nothing was written`);
    }
    throw error;
  }
}

/** The action input that fills each field of the domain requests. */
const INPUT_OF_FIELD: Record<string, string> = {
  parameterName: 'parameter-name',
  labels: 'labels',
  labelWindow: 'label-window',
  tags: 'tags',
  description: 'description',
  region: 'region',
  from: 'promote-from',
  amiId: 'reject-ami',
  keep: 'keep-amis',
  application: 'application',
  referencePath: 'reference-path',
  rollbackWindow: 'rollback-window',
};

function inputOf(field: string, inputs: PublishInputs): string {
  if (field === 'targets') return inputs.amiInput;
  if (field === 'region' && inputs.amiInput === 'amis') return 'amis';
  return INPUT_OF_FIELD[field] ?? field;
}

/** Tags reject-ami rejected in the run's region (an AMI id lives in one region). */
async function rejectFirst(inputs: PublishInputs, amiId: string, domain: Domain, context: Context): Promise<true> {
  const region = inputs.primaryRegion || resolveRegion(undefined);
  try {
    await group(`Reject ${amiId} in ${region}`, () =>
      domain.rejectAmi({ region, amiId, by: inputs.rejectedBy }, context),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof domain.ImageNotUsableError)
      throw new InputError('reject-ami', `cannot be tagged: ${error.message}; nothing was written`);
    if (error instanceof InvalidRequestError) throw new InputError(inputOf(error.field, inputs), error.problem);
    throw error;
  }
}

function settings(inputs: PublishInputs) {
  return {
    parameterName: inputs.parameterName,
    labels: inputs.labels,
    labelWindow: inputs.labelWindow,
    tags: inputs.tags,
    dataType: inputs.dataType,
    waitTimeoutMs: inputs.waitTimeoutMs,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
  };
}

function describeTarget(target: RollbackTarget): string {
  switch (target.kind) {
    case 'previous':
      return 'the previous value';
    case 'version':
      return `version ${target.version}`;
    case 'label':
      return `label ${target.label}`;
  }
}

/** Single-value outputs from the primary region; `results` for all of them. */
function setPublishOutputs(inputs: PublishInputs, report: PublishReport): void {
  const primary = report.results.find((result) => result.region === inputs.primaryRegion) ?? report.results[0];
  if (primary && primary.status !== 'failed') {
    setOutput('ami-id', primary.amiId);
    setOutput('version', primary.version);
  }
  setOutput('previous-ami-id', primary?.previousAmiId ?? '');
  setOutput('previous-version', primary?.previousVersion ?? '');
  setOutput(
    'changed',
    report.results.some((result) => result.changed),
  );
  const results = Object.fromEntries(
    report.results.map((result) => [
      result.region,
      {
        parameter: result.parameterName,
        status: result.status,
        'ami-id': result.amiId,
        version: result.version ?? null,
        changed: result.changed,
        'previous-ami-id': result.previousAmiId ?? null,
        'previous-version': result.previousVersion ?? null,
        labels: result.labels,
        ...(result.rolledBackTo !== undefined ? { 'rolled-back-to': result.rolledBackTo } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      },
    ]),
  );
  setOutput('results', results);
  for (const result of report.results) {
    if (result.status === 'unchanged')
      info(
        `[${result.region}] ${result.parameterName} already held ${result.amiId}: version ${result.version}, changed=false`,
      );
    if (result.status === 'failed') warning(`[${result.region}] ${result.error ?? 'failed'}`);
  }
}
