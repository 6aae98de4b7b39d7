/**
 * Writing one region's pointer: an idempotent PutParameter, a read-back that
 * confirms SSM accepted the value, then labels and tags.
 */
import {
  AddTagsToResourceCommand,
  GetParameterCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  UnlabelParameterVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { ActionError, awsErrorClass, awsErrorName, poll, type Context } from '@img-mgr/kernel';
import {
  DEFAULT_LABEL_WINDOW,
  labelIndex,
  labelMoves,
  outsideLabelWindow,
  REFUSED_LABEL_HINT,
  type MovedLabel,
} from './labels.js';
import { currentVersion, readPointer, type Pointer } from './pointer.js';
import type { DataType } from './validate.js';

/** How a region's pointer is written (everything but the value). */
export interface WriteSettings {
  parameterName: string;
  /** Labels for the version that holds the value; a label on another version moves. */
  labels: string[];
  /** Tags for the parameter (AddTagsToResource; PutParameter cannot tag with Overwrite). */
  tags: Record<string, string>;
  description?: string;
  dataType: DataType;
  /** Bound of the read-back that confirms the new version. */
  waitTimeoutMs: number;
  /**
   * Only the newest `labelWindow` versions keep labels (default 50): labels
   * on older versions are removed before writing, so the oldest of SSM's 100
   * kept versions never carries one and PutParameter never wedges on
   * ParameterMaxVersionLimitExceeded. Counted in versions, not time.
   */
  labelWindow?: number;
  /** First pause between checks of a pending AMI or an unconfirmed version (tests shorten it). */
  pollIntervalMs?: number;
}

/** Labels removed from a version that fell out of the label window. */
export interface UnlabelledVersion {
  version: number;
  labels: string[];
}

/** What happened to one region's pointer. */
export interface RegionResult {
  region: string;
  parameterName: string;
  /** published: a new version was written; unchanged: it already held the AMI; failed: see error. */
  status: 'published' | 'unchanged' | 'failed';
  /** The AMI the parameter was to hold. */
  amiId: string;
  /** The version that holds it (absent when failed before writing). */
  version?: number;
  /** The value and version before this step (absent for a new parameter). */
  previousAmiId?: string;
  previousVersion?: number;
  changed: boolean;
  /** Labels on `version` after the step. */
  labels: string[];
  movedLabels: MovedLabel[];
  /** Labels removed from versions older than the label window. */
  unlabelled: UnlabelledVersion[];
  /** For a rollback: the version whose value was republished. */
  rolledBackTo?: number;
  error?: string;
}

/**
 * Checks around a conditional write. SSM's PutParameter has no compare-and-swap,
 * so a condition is checked as late as possible and the version it returns is checked after.
 */
export interface PutGuard {
  /** Runs immediately before the PutParameter (after the label window is trimmed); refuses by throwing. */
  beforePut: () => Promise<void>;
  /** Runs with the version the PutParameter returned, before anything else; reports a race by throwing. */
  afterPut: (version: number) => Promise<void>;
}

/**
 * Makes `pointer` hold `amiId`: no new version when it already does
 * (labels and tags are still completed, so a re-run repairs a half-done run).
 * `guard` (if any) runs around the PutParameter, only when a new version is written.
 */
export async function writePointer(
  ssm: SSMClient,
  pointer: Pointer,
  amiId: string,
  settings: WriteSettings,
  context: Context,
  guard?: PutGuard,
): Promise<RegionResult> {
  const { region, name } = pointer;
  const log = (line: string): void => context.log.info(`[${region}] ${line}`);
  const current = currentVersion(pointer);
  const before = {
    ...(current ? { previousAmiId: current.value, previousVersion: current.version } : {}),
  };
  const labelsBefore = labelIndex(pointer);
  const unchanged = current?.value === amiId;
  // The version that will hold the value: SSM numbers versions one by one.
  const newest = unchanged ? current.version : (current?.version ?? 0) + 1;
  const unlabelled = await trimLabelWindow(ssm, pointer, newest, settings.labelWindow ?? DEFAULT_LABEL_WINDOW, context);
  let version: number;
  let changed: boolean;
  if (unchanged) {
    version = current.version;
    changed = false;
    log(`${name} already holds ${amiId} (version ${version}); no new version written`);
  } else {
    await guard?.beforePut();
    version = await putVersion(ssm, pointer, amiId, settings, context);
    changed = true;
    await guard?.afterPut(version);
    log(
      `PutParameter ${name} = ${amiId} returned version ` +
        `${version}${current ? ` (was ${current.value}, version ${current.version})` : ' (new parameter)'}`,
    );
    await confirmVersion(ssm, region, name, version, amiId, settings, context);
    log(`Confirmed: ${name}:${version} reads back ${amiId}`);
  }
  const existing = current && !changed ? current.labels : [];
  const toAttach = settings.labels.filter((label) => !existing.includes(label));
  const movedLabels = labelMoves(labelsBefore, toAttach, version);
  if (toAttach.length > 0) {
    await attachLabels(ssm, name, version, toAttach, context.signal);
    for (const moved of movedLabels) log(`Moved label ${moved.label} from version ${moved.fromVersion} to ${version}`);
    log(`Labelled version ${version}: ${toAttach.join(', ')}`);
  }
  const tagKeys = Object.keys(settings.tags);
  if (tagKeys.length > 0) {
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: name,
        Tags: Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
      { abortSignal: context.signal },
    );
    log(`Tagged ${name}: ${tagKeys.join(', ')}`);
  }
  return {
    region,
    parameterName: name,
    status: changed ? 'published' : 'unchanged',
    amiId,
    version,
    ...before,
    changed,
    labels: [...new Set([...existing, ...settings.labels])],
    movedLabels,
    unlabelled,
  };
}

/**
 * Removes the labels of every version outside the label window (see
 * labels.ts): with a window under 100, the oldest version SSM keeps is never
 * labelled, so the next PutParameter can always drop it.
 */
export async function trimLabelWindow(
  ssm: SSMClient,
  pointer: Pointer,
  newest: number,
  window: number,
  context: Context,
): Promise<UnlabelledVersion[]> {
  const stale = outsideLabelWindow(pointer, newest, window);
  const removed: UnlabelledVersion[] = [];
  for (const entry of stale) {
    await ssm.send(
      new UnlabelParameterVersionCommand({ Name: pointer.name, ParameterVersion: entry.version, Labels: entry.labels }),
      {
        abortSignal: context.signal,
      },
    );
    removed.push({ version: entry.version, labels: [...entry.labels] });
    // Keep the in-memory pointer true to SSM for what follows (labels moved, version-limit message).
    entry.labels = [];
  }
  if (removed.length > 0) {
    const list = removed.map((entry) => `${entry.version} (${entry.labels.join(', ')})`).join(', ');
    context.log.info(
      `[${pointer.region}] Unlabelled version${removed.length > 1 ? 's' : ''} ${list}: only the newest ${window} ` +
        `versions keep labels (label-window), so SSM can always drop its oldest version`,
    );
  }
  return removed;
}

async function putVersion(
  ssm: SSMClient,
  pointer: Pointer,
  amiId: string,
  settings: WriteSettings,
  context: Context,
): Promise<number> {
  try {
    const response = await ssm.send(
      new PutParameterCommand({
        Name: pointer.name,
        Value: amiId,
        Type: 'String',
        DataType: settings.dataType,
        ...(settings.description !== undefined ? { Description: settings.description } : {}),
        Overwrite: true,
      }),
      { abortSignal: context.signal },
    );
    if (!response.Version) throw new ActionError(`PutParameter ${pointer.name} answered without a version`);
    return response.Version;
  } catch (error: unknown) {
    if (awsErrorName(error) !== 'ParameterMaxVersionLimitExceeded') throw error;
    throw await versionLimitError(ssm, pointer, context.signal);
  }
}

/**
 * SSM keeps 100 versions and drops the oldest on each write, unless the
 * oldest carries a label. Say which label blocks it instead of deleting history.
 */
async function versionLimitError(ssm: SSMClient, pointer: Pointer, signal: AbortSignal): Promise<ActionError> {
  const fresh = await readPointer(ssm, pointer.region, pointer.name, signal);
  const oldest = fresh.versions[0];
  if (!oldest || oldest.labels.length === 0) {
    return new ActionError(
      `${pointer.name} in ${pointer.region} has reached the limit of 100 versions (ParameterMaxVersionLimitExceeded)`,
      'Remove the label from its oldest version and re-run',
    );
  }
  const labels = oldest.labels.join(' ');
  return new ActionError(
    `${pointer.name} in ${pointer.region} has 100 versions and its oldest, version ${oldest.version}, carries ` +
      `label${oldest.labels.length > 1 ? 's' : ''} ${oldest.labels.map((label) => `'${label}'`).join(', ')}, so ` +
      `SSM cannot drop it to write a new one (ParameterMaxVersionLimitExceeded)`,
    `Remove or move that label (aws ssm unlabel-parameter-version --region ${pointer.region} --name ` +
      `${pointer.name} --parameter-version ${oldest.version} --labels ${labels}) and re-run; publish-ami does not ` +
      `delete history`,
  );
}

/**
 * aws:ec2:image values are validated asynchronously: a version number from
 * PutParameter is not yet a value anyone can read. Poll until it reads back.
 */
async function confirmVersion(
  ssm: SSMClient,
  region: string,
  name: string,
  version: number,
  amiId: string,
  settings: WriteSettings,
  context: Context,
): Promise<void> {
  const timeoutMs = settings.waitTimeoutMs;
  await poll(
    async (check) => {
      const value = await readVersion(ssm, name, version, context.signal);
      if (value === amiId) return { done: true, value: undefined };
      if (value !== undefined) {
        throw new ActionError(
          `${name}:${version} in ${region} reads back ${value}, not ${amiId}`,
          'Another writer changed the parameter; re-run',
        );
      }
      const waiting = `${name}:${version} is not readable yet`;
      context.log.info(`[${region}] ${waiting} (SSM validates aws:ec2:image asynchronously); check ${check}`);
      return { done: false };
    },
    {
      timeoutMs,
      timeoutMessage: () =>
        `${name}:${version} in ${region} never read back ${amiId} within ${Math.round(timeoutMs / 1000)} s; ` +
        'SSM did not accept the value (for aws:ec2:image it checks that the AMI exists and is visible to this account)',
      minIntervalMs: settings.pollIntervalMs ?? 1_000,
      signal: context.signal,
    },
  );
}

async function readVersion(
  ssm: SSMClient,
  name: string,
  version: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const response = await ssm.send(new GetParameterCommand({ Name: `${name}:${version}` }), { abortSignal: signal });
    return response.Parameter?.Value;
  } catch (error: unknown) {
    // ParameterNotFound or ParameterVersionNotFound: not visible yet.
    if (awsErrorClass(error) === 'not-found') return undefined;
    throw error;
  }
}

async function attachLabels(
  ssm: SSMClient,
  name: string,
  version: number,
  labels: string[],
  signal: AbortSignal,
): Promise<void> {
  const response = await ssm.send(
    new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: labels }),
    {
      abortSignal: signal,
    },
  );
  const invalid = response.InvalidLabels ?? [];
  if (invalid.length > 0) {
    throw new ActionError(
      `SSM refused label${invalid.length > 1 ? 's' : ''} ${invalid.join(', ')} on ${name}:${version}`,
      REFUSED_LABEL_HINT,
    );
  }
}
