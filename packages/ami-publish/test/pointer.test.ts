import { describe, expect, it } from 'vitest';
import { planPrune, protectedAmis, resolveRollbackTarget, RollbackTargetError, type Pointer } from '../src/index.js';

const pointer: Pointer = {
  region: 'us-east-1',
  name: '/p',
  versions: [
    { version: 1, value: 'ami-00000001', labels: ['release-1'] },
    { version: 2, value: 'ami-00000002', labels: [] },
    { version: 3, value: 'ami-00000003', labels: [] },
    { version: 4, value: 'ami-00000003', labels: [] },
  ],
};

describe('rollback targets and pruning protection (pure)', () => {
  it('previous is the newest earlier version with a different value', () => {
    expect(resolveRollbackTarget(pointer, { kind: 'previous' }).version).toBe(2);
    expect(resolveRollbackTarget(pointer, { kind: 'version', version: 1 }).value).toBe('ami-00000001');
    expect(resolveRollbackTarget(pointer, { kind: 'label', label: 'release-1' }).version).toBe(1);
    expect(() => resolveRollbackTarget(pointer, { kind: 'label', label: 'nope' })).toThrow(RollbackTargetError);
    expect(() => resolveRollbackTarget({ ...pointer, versions: [] }, { kind: 'previous' })).toThrow(
      /nothing to roll back/,
    );
  });

  it('protects current, previous (distinct), labelled, rollback-window values; keeps newest N; removes rest', () => {
    const reasons = protectedAmis(
      { ...pointer, versions: [{ version: 0, value: 'ami-0000000a', labels: [] }, ...pointer.versions] },
      2,
    );
    expect([...reasons.keys()].sort()).toEqual(['ami-00000001', 'ami-00000002', 'ami-00000003']);
    expect(reasons.get('ami-00000002')).toEqual(['previous value of /p (version 2)']);
    expect(reasons.get('ami-00000003')).toEqual([
      'current value of /p (version 4)',
      'version 3 of /p is within the rollback window (newest 2 versions)',
    ]);
    expect([
      ...protectedAmis(
        { ...pointer, versions: [{ version: 0, value: 'ami-0000000a', labels: [] }, ...pointer.versions] },
        5,
      ).keys(),
    ]).toContain('ami-0000000a');
    const images = ['ami-00000000', 'ami-00000001', 'ami-00000002', 'ami-00000003', 'ami-00000004', 'ami-00000005'].map(
      (ImageId, index) => ({
        ImageId,
        State: 'available' as const,
        CreationDate: `2026-11-0${index + 1}T00:00:00.000Z`,
        BlockDeviceMappings: [{ Ebs: { SnapshotId: `snap-${index}` } }],
      }),
    );
    const plan = planPrune(images, new Map([...reasons, ['ami-00000004', ['used by instance i-1 (stopped)']]]), 1);
    expect(plan.map((entry) => [entry.amiId, entry.action])).toEqual([
      ['ami-00000005', 'keep'],
      ['ami-00000004', 'keep'],
      ['ami-00000003', 'keep'],
      ['ami-00000002', 'keep'],
      ['ami-00000001', 'keep'],
      ['ami-00000000', 'remove'],
    ]);
    expect(plan[5]?.snapshots).toEqual(['snap-0']);
    expect(plan[1]?.reason).toBe('used by instance i-1 (stopped)');
    expect(plan[0]?.reason).toBe('one of the newest 1');
    expect(plan[5]?.reason).toBe('older than the newest 1 and referenced by nothing');
  });
});
