/**
 * The SSM label rules, in one place: what a label may look like (1 to 100
 * letters, digits and . - _, not starting with a digit, `aws` or `ssm`), how
 * many one version carries (10), that a label is unique per parameter (it
 * moves when put on another version), and the label window that keeps the
 * oldest of SSM's 100 versions unlabelled. Pure rules: this module loads no
 * AWS SDK, so an action can check its inputs before loading one.
 */
import { quoteWhole } from '@img-mgr/kernel';
import type { Pointer, PointerVersion } from './pointer.js';

/** Most labels SSM lets one parameter version carry. */
export const MAX_LABELS_PER_VERSION = 10;

/** SSM keeps this many versions of a parameter. */
export const MAX_KEPT_VERSIONS = 100;

/**
 * How many of the newest versions keep labels by default. Well under SSM's
 * 100 kept versions, so labels can never pin the oldest one.
 */
export const DEFAULT_LABEL_WINDOW = 50;

/** What SSM says about a label it refuses, as a hint after its InvalidLabels answer. */
export const REFUSED_LABEL_HINT = 'Labels cannot start with a digit, aws or ssm';

/** The problem with a label window, if any: 1 to 99 versions. */
export function labelWindowProblem(window: number): string | undefined {
  if (!Number.isInteger(window) || window < 1 || window >= MAX_KEPT_VERSIONS) {
    return (
      `must be a whole number of versions from 1 to ${MAX_KEPT_VERSIONS - 1} (SSM keeps ${MAX_KEPT_VERSIONS}; ` +
      `a label on the oldest blocks every write), got ${window}`
    );
  }
  return undefined;
}

/**
 * The problem with one parameter label, if any: 1 to 100 characters of
 * letters, digits, . - _; not starting with a digit, "aws" or "ssm" (any case).
 */
export function labelProblem(label: string): string | undefined {
  if (label.length === 0) return 'is an empty label';
  if (label.length > 100) return `has a label of ${label.length} characters; SSM allows 100`;
  const bad = /[^A-Za-z0-9_.-]/.exec(label);
  if (bad) return `has label ${quoteWhole(label)} with '${bad[0]}'; labels use only letters, digits and . - _`;
  if (/^\d/.test(label))
    return (
      `has label ${quoteWhole(label)}, which starts with a digit; SSM labels cannot (prefix it, e.g. ` +
      `${quoteWhole(`sha-${label}`, 24)})`
    );
  const prefix = label.slice(0, 3).toLowerCase();
  if (prefix === 'aws' || prefix === 'ssm')
    return `has label ${quoteWhole(label)}, which starts with '${prefix}', a prefix SSM reserves`;
  return undefined;
}

/**
 * The problem with a set of labels for one version, if any. `reserved` is how
 * many slots the caller adds itself (the rollback label).
 */
export function labelsProblem(labels: readonly string[], reserved = 0): string | undefined {
  for (const label of labels) {
    const problem = labelProblem(label);
    if (problem) return problem;
  }
  const duplicate = labels.find((label, index) => labels.indexOf(label) !== index);
  if (duplicate !== undefined) return `lists '${duplicate}' twice`;
  const room = MAX_LABELS_PER_VERSION - reserved;
  if (labels.length > room) {
    return (
      `has ${labels.length} labels; a parameter version carries at most ` +
      `${room}${reserved ? ` here (${reserved} is taken by the rollback label)` : ''}`
    );
  }
  return undefined;
}

/** The label put on a version that a rollback writes. */
export function rollbackLabel(fromVersion: number): string {
  return `rollback-from-v${fromVersion}`;
}

/** The version that carries `label`, if any (labels are unique per parameter). */
export function versionWithLabel(pointer: Pointer, label: string): PointerVersion | undefined {
  return pointer.versions.find((entry) => entry.labels.includes(label));
}

/** label → version number, for every label on any kept version. */
export function labelIndex(pointer: Pointer): Record<string, number> {
  const index: Record<string, number> = {};
  for (const entry of pointer.versions) for (const label of entry.labels) index[label] = entry.version;
  return index;
}

/** A label that was on another version and now is on this one. */
export interface MovedLabel {
  label: string;
  fromVersion: number;
}

/**
 * The labels that putting `labels` on `version` takes from other versions:
 * a label is unique per parameter, so SSM moves it rather than copying it.
 */
export function labelMoves(before: Record<string, number>, labels: readonly string[], version: number): MovedLabel[] {
  return labels
    .filter((label) => before[label] !== undefined && before[label] !== version)
    .map((label) => ({ label, fromVersion: before[label] ?? 0 }));
}

/**
 * The labelled versions older than the newest `window`, counting from
 * `newest` (the version that holds the value after a write): their labels
 * go, so the oldest version SSM keeps is never labelled and the next
 * PutParameter can always drop it.
 */
export function outsideLabelWindow(pointer: Pointer, newest: number, window: number): PointerVersion[] {
  const oldestKept = newest - window + 1;
  return pointer.versions.filter((entry) => entry.version < oldestKept && entry.labels.length > 0);
}
