import { describe, expect, it } from 'vitest';
import {
  labelIndex,
  labelMoves,
  labelProblem,
  labelsProblem,
  labelWindowProblem,
  outsideLabelWindow,
  rollbackLabel,
  versionWithLabel,
} from '../src/labels.js';
import type { Pointer } from '../src/pointer.js';

const pointer: Pointer = {
  region: 'us-east-1',
  name: '/p',
  versions: [
    { version: 1, value: 'ami-00000001', labels: ['release-1'] },
    { version: 2, value: 'ami-00000002', labels: [] },
    { version: 3, value: 'ami-00000003', labels: ['sha-3', 'run-3'] },
  ],
};

describe('the SSM label rules', () => {
  it('labels follow the SSM rules, at most 10 per version', () => {
    expect(labelProblem('sha-0123abc')).toBeUndefined();
    expect(labelProblem('run_42.attempt-1')).toBeUndefined();
    expect(labelProblem('0123abc')).toMatch(/starts with a digit/);
    expect(labelProblem('AWSome')).toMatch(/starts with 'aws'/);
    expect(labelProblem('Ssm1')).toMatch(/starts with 'ssm'/);
    expect(labelProblem('a:b')).toMatch(/with ':'/);
    expect(labelProblem('x'.repeat(100))).toBeUndefined();
    expect(labelProblem('x'.repeat(101))).toMatch(/101 characters/);
    const ten = Array.from({ length: 10 }, (_, index) => `l${index}`);
    expect(labelsProblem(ten)).toBeUndefined();
    expect(labelsProblem(ten, 1)).toMatch(/at most 9 here \(1 is taken by the rollback label\)/);
    expect(labelsProblem(['a', 'a'])).toBe("lists 'a' twice");
    expect(labelProblem(rollbackLabel(12))).toBeUndefined();
  });

  it('the label window is 1 to 99 versions, so the oldest of the 100 kept is never labelled', () => {
    expect(labelWindowProblem(1)).toBeUndefined();
    expect(labelWindowProblem(99)).toBeUndefined();
    for (const bad of [0, 100, 1.5]) expect(labelWindowProblem(bad), String(bad)).toMatch(/from 1 to 99/);
    // Writing version 4 with a window of 2 keeps versions 3 and 4 labelled.
    expect(outsideLabelWindow(pointer, 4, 2).map((entry) => entry.version)).toEqual([1]);
    expect(outsideLabelWindow(pointer, 4, 4)).toEqual([]);
  });

  it('a label is unique per parameter: it is found on one version, and putting it elsewhere moves it', () => {
    expect(versionWithLabel(pointer, 'release-1')?.version).toBe(1);
    expect(versionWithLabel(pointer, 'nope')).toBeUndefined();
    expect(labelIndex(pointer)).toEqual({ 'release-1': 1, 'sha-3': 3, 'run-3': 3 });
    expect(labelMoves(labelIndex(pointer), ['release-1', 'sha-3', 'new'], 3)).toEqual([
      { label: 'release-1', fromVersion: 1 },
    ]);
  });
});
