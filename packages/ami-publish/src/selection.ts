/**
 * What rollback, promotion and the revert could select from a pointer,
 * read from its history and each AMI's rejected mark. Those modes choose
 * from it, and pruning keeps every AMI in it: one reading of history, so
 * pruning never removes an AMI that a later rollback would pick.
 */
import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { REJECTED_TAG_KEY } from './rejected-tag.js';
import { currentVersion, type Pointer, type PointerVersion } from './pointer.js';

/** AMI id → the value of its rejected tag (the run that rejected it); AMIs without the tag are absent. */
export type Rejections = ReadonlyMap<string, string>;

/** The versions each mode could select from one pointer. */
export interface Selectable {
  /** The newest version: what every reader resolves. */
  current?: PointerVersion;
  /** What a promotion from this pointer copies: the current version, unless its AMI is rejected. */
  promotable?: PointerVersion;
  /** What `rollback-to: previous` selects: the newest earlier value whose AMI is not rejected. */
  previous?: PointerVersion;
  /** The earlier values passed over on the way to `previous` because their AMI is rejected, newest first. */
  skipped: PointerVersion[];
  /** What a revert republishes: the version before the current one (live before the newest write). */
  liveBefore?: PointerVersion;
  /** What `rollback-to: <label>` selects: every labelled version. */
  labelled: PointerVersion[];
  /** What `rollback-to: <version>` may select and pruning keeps restorable: the newest `window` versions. */
  recent: PointerVersion[];
}

/**
 * The earlier values of `pointer`, newest first, each once (at its newest
 * version), leaving out the current value: the candidates of `previous`.
 */
export function earlierValues(pointer: Pointer): PointerVersion[] {
  const current = currentVersion(pointer);
  const seen = new Set(current ? [current.value] : []);
  const earlier: PointerVersion[] = [];
  for (const entry of [...pointer.versions].reverse()) {
    if (seen.has(entry.value)) continue;
    seen.add(entry.value);
    earlier.push(entry);
  }
  return earlier;
}

/**
 * What each mode could select from `pointer`, given which AMIs are rejected
 * and how many of the newest versions stay restorable by number.
 */
export function selectable(pointer: Pointer, rejections: Rejections, window = pointer.versions.length): Selectable {
  const current = currentVersion(pointer);
  const skipped: PointerVersion[] = [];
  let previous: PointerVersion | undefined;
  for (const candidate of earlierValues(pointer)) {
    if (!rejections.has(candidate.value)) {
      previous = candidate;
      break;
    }
    skipped.push(candidate);
  }
  const liveBefore = pointer.versions.at(-2);
  return {
    ...(current ? { current } : {}),
    ...(current && !rejections.has(current.value) ? { promotable: current } : {}),
    ...(previous ? { previous } : {}),
    skipped,
    ...(liveBefore ? { liveBefore } : {}),
    labelled: pointer.versions.filter((entry) => entry.labels.length > 0),
    recent: window > 0 ? pointer.versions.slice(-window) : [],
  };
}

/** One AMI a pointer keeps selectable, and why. */
export interface SelectableAmi {
  amiId: string;
  reason: string;
}

/**
 * The AMIs of every version some mode could select from `pointer`, each with
 * why: its current value, what `previous` selects, what a revert
 * republishes, every labelled version's value, and the newest `window`
 * versions' values. Pruning keeps them all.
 */
export function selectableAmis(pointer: Pointer, rejections: Rejections, window: number): SelectableAmi[] {
  const choice = selectable(pointer, rejections, window);
  const { current, previous, liveBefore } = choice;
  if (!current) return [];
  const name = pointer.name;
  const amis: SelectableAmi[] = [
    { amiId: current.value, reason: `current value of ${name} (version ${current.version})` },
  ];
  if (previous) {
    const past = choice.skipped.map((entry) => entry.version).join(', ');
    const skipped = past ? `; rollback-to previous skips rejected version${past.includes(',') ? 's' : ''} ${past}` : '';
    amis.push({ amiId: previous.value, reason: `previous value of ${name} (version ${previous.version})${skipped}` });
  }
  // Listed only when no other rule keeps it: the version before the current one is rejected.
  if (liveBefore && liveBefore.value !== current.value && liveBefore !== previous) {
    amis.push({
      amiId: liveBefore.value,
      reason:
        `version ${liveBefore.version} of ${name} is what a revert republishes ` +
        '(the version before the current one)',
    });
  }
  for (const entry of choice.labelled) {
    amis.push({
      amiId: entry.value,
      reason: `value of labelled version ${entry.version} of ${name} (${entry.labels.join(', ')})`,
    });
  }
  for (const entry of choice.recent) {
    if (entry.version === current.version) continue;
    amis.push({
      amiId: entry.value,
      reason: `version ${entry.version} of ${name} is within the rollback window (newest ${window} versions)`,
    });
  }
  return amis;
}

/** DescribeImages takes at most this many values in one filter. */
const IDS_PER_CALL = 100;

/**
 * Which of `amiIds` carry the rejected tag. An AMI that does not exist is not
 * rejected (whoever selects it finds out that it is gone); a filter, not
 * ImageIds, so that one missing AMI does not fail the whole call.
 */
export async function readRejections(
  ec2: EC2Client,
  amiIds: Iterable<string>,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const ids = [...new Set(amiIds)].filter((id) => id.startsWith('ami-'));
  const rejections = new Map<string, string>();
  for (let start = 0; start < ids.length; start += IDS_PER_CALL) {
    const Values = ids.slice(start, start + IDS_PER_CALL);
    const response = await ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values }], IncludeDeprecated: true }),
      { abortSignal: signal },
    );
    for (const image of response.Images ?? []) {
      const by = image.Tags?.find((tag) => tag.Key === REJECTED_TAG_KEY)?.Value;
      if (image.ImageId && by !== undefined) rejections.set(image.ImageId, by);
    }
  }
  return rejections;
}

/** Every value `pointers` have held, for one readRejections call. */
export function valuesOf(pointers: readonly Pointer[]): string[] {
  return [...new Set(pointers.flatMap((pointer) => pointer.versions.map((entry) => entry.value)))];
}
