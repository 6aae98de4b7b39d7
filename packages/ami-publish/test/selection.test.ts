/**
 * One rule for choosing and for pruning: for every history shape (rejected
 * previous, rejected current, labels, another parameter holding an AMI) and
 * every rollback-window the input allows (1 to 100), every AMI that
 * rollback (previous, a label, a version in the window), promotion or the
 * revert would select is one that pruning keeps. Pure: no AWS.
 */
import type { Image } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  planPrune,
  pointerReferences,
  resolveRollbackTarget,
  selectable,
  type Pointer,
  type References,
  type Rejections,
  type RollbackTarget,
} from '../src/index.js';

/** A pointer from its values, oldest first; `labels` maps a version number to its labels. */
function history(name: string, values: string[], labels: Record<number, string[]> = {}): Pointer {
  return {
    region: 'us-east-1',
    name,
    versions: values.map((value, index) => ({ version: index + 1, value, labels: labels[index + 1] ?? [] })),
  };
}

const ami = (letter: string): string => `ami-0000000${letter}`;
const [A, B, C, D, E, X] = ['a', 'b', 'c', 'd', 'e', 'f'].map(ami) as [string, string, string, string, string, string];

interface Scenario {
  name: string;
  /** The pointer pruning runs for, and other environments' pointers under the reference path. */
  pointers: Pointer[];
  rejected: string[];
  /** What `rollback-to: previous` selects on the first pointer (undefined: it refuses). */
  previous: string | undefined;
  /** AMIs that must be kept whatever the window. */
  alwaysKept: string[];
  /** AMIs no mode selects below this window, so pruning may remove them. */
  removableBelow?: Record<string, number>;
}

const scenarios: Scenario[] = [
  {
    name: 'rejected previous (a reverted rollout): previous skips it to the older good AMI',
    // v3 (C) failed and was reverted to B as v4: previous from B skips C and lands on A.
    pointers: [history('/dev', [A, B, C, B], { 4: ['rollback-from-v3'] })],
    rejected: [C],
    previous: A,
    alwaysKept: [A, B],
  },
  {
    name: 'rejected current (the revert has not run yet)',
    pointers: [history('/dev', [A, B, C])],
    rejected: [C],
    previous: B,
    alwaysKept: [B, C],
    removableBelow: { [A]: 3 },
  },
  {
    name: 'two rejected in a row before the current value',
    pointers: [history('/dev', [A, B, C, D])],
    rejected: [B, C],
    previous: A,
    alwaysKept: [A, C, D],
    removableBelow: { [B]: 3 },
  },
  {
    name: 'every earlier value rejected: previous refuses, the revert target stays',
    pointers: [history('/dev', [A, B, C])],
    rejected: [A, B],
    previous: undefined,
    alwaysKept: [B, C],
    removableBelow: { [A]: 3 },
  },
  {
    name: 'labels: a labelled version stays selectable by its label, rejected or not',
    pointers: [history('/dev', [A, B, C, D, E], { 1: ['release-1'], 2: ['release-2'] })],
    rejected: [B, D],
    previous: C,
    alwaysKept: [A, B, C, D, E],
  },
  {
    name: "other parameters: prod's current and previous stay, whatever dev's window",
    pointers: [history('/dev', [A, B, C, D]), history('/prod', [X, A, B])],
    rejected: [C],
    previous: B,
    alwaysKept: [A, B, C, D],
    removableBelow: { [X]: 3 },
  },
];

/** rollback-window: 1 to 100 (the action's input range). */
const WINDOWS = Array.from({ length: 100 }, (_, index) => index + 1);

/** The AMI each mode selects from `pointer` with these rejections and window. */
function selections(pointer: Pointer, rejections: Rejections, window: number): Map<string, string> {
  const picks = new Map<string, string>();
  const pick = (mode: string, target: RollbackTarget): void => {
    try {
      picks.set(mode, resolveRollbackTarget(pointer, target, rejections).value);
    } catch {
      // This mode has nothing to select here (for example, every earlier value is rejected).
    }
  };
  pick('rollback-to previous', { kind: 'previous' });
  for (const entry of pointer.versions.slice(-window))
    pick(`rollback-to ${entry.version}`, { kind: 'version', version: entry.version });
  for (const label of pointer.versions.flatMap((entry) => entry.labels))
    pick(`rollback-to ${label}`, { kind: 'label', label });
  const liveBefore = pointer.versions.at(-2);
  // The revert: rollback-to <the version live before the run's publish>.
  if (liveBefore) pick('revert', { kind: 'version', version: liveBefore.version });
  const promotable = selectable(pointer, rejections).promotable;
  if (promotable) picks.set(`promote-from ${pointer.name}`, promotable.value);
  return picks;
}

const cases = scenarios.flatMap((scenario) => WINDOWS.map((window) => ({ ...scenario, window })));

describe('pruning keeps every AMI a rollback, a promotion or a revert could select', () => {
  it.each(cases)(
    '$name; rollback-window $window',
    ({ pointers, rejected, previous, alwaysKept, removableBelow, window }) => {
      const rejections: Rejections = new Map(rejected.map((amiId) => [amiId, '4242']));
      const references: References = new Map();
      for (const pointer of pointers) pointerReferences(references, pointer, window, rejections);
      const [first] = pointers as [Pointer];
      expect(selections(first, rejections, window).get('rollback-to previous')).toBe(previous);

      const selected = pointers.flatMap((pointer) => [...selections(pointer, rejections, window)]);
      for (const [mode, amiId] of selected) expect(references.has(amiId), `${mode} selects ${amiId}`).toBe(true);
      for (const amiId of alwaysKept) expect(references.has(amiId), amiId).toBe(true);
      for (const [amiId, below] of Object.entries(removableBelow ?? {}))
        expect(references.has(amiId), `${amiId} at window ${window}`).toBe(window >= below);

      // Pruning with keep-amis 1 (the least): newest first, only the newest is kept for being new.
      const all = [...new Set(pointers.flatMap((pointer) => pointer.versions.map((entry) => entry.value)))];
      const images: Image[] = all.map((ImageId, index) => ({
        ImageId,
        State: 'available',
        CreationDate: `2026-11-${String(index + 1).padStart(2, '0')}T00:00:00.000Z`,
      }));
      const plan = planPrune(images, references, 1);
      for (const [mode, amiId] of selected) {
        expect(plan.find((entry) => entry.amiId === amiId)?.action, `${mode} selects ${amiId}`).toBe('keep');
      }
    },
  );

  it('the reason names what rollback-to previous skips, and the revert target when nothing else keeps it', () => {
    const references: References = new Map();
    const rejections: Rejections = new Map([
      [B, '1'],
      [C, '2'],
    ]);
    pointerReferences(references, history('/dev', [A, B, C, D]), 1, rejections);
    expect(Object.fromEntries(references)).toEqual({
      [D]: ['current value of /dev (version 4)'],
      [A]: ['previous value of /dev (version 1); rollback-to previous skips rejected versions 3, 2'],
      [C]: ['version 3 of /dev is what a revert republishes (the version before the current one)'],
    });
  });
});
