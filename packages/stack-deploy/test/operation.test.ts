import { describe, expect, it } from 'vitest';
import { chooseOperation } from '../src/operation.js';

const createAndExecute = { mode: 'create-and-execute' as const };

describe('chooseOperation', () => {
  it('uses a CREATE change set for a missing stack by default', () => {
    expect(chooseOperation(undefined, createAndExecute)).toEqual({ kind: 'change-set', changeSetType: 'CREATE' });
  });

  it('uses CreateStack for a missing stack with a creation timeout or termination protection', () => {
    expect(chooseOperation(undefined, { ...createAndExecute, timeoutInMinutes: 5 })).toEqual({
      kind: 'create-stack',
      changeSetType: 'CREATE',
    });
    expect(chooseOperation(undefined, { ...createAndExecute, terminationProtection: true })).toEqual({
      kind: 'create-stack',
      changeSetType: 'CREATE',
    });
  });

  it('keeps a change set when termination protection is false or unset', () => {
    expect(chooseOperation(undefined, { ...createAndExecute, terminationProtection: false }).kind).toBe('change-set');
  });

  it('keeps a change set in plan mode, so that there is something to review', () => {
    expect(chooseOperation(undefined, { mode: 'plan', timeoutInMinutes: 5, terminationProtection: true })).toEqual({
      kind: 'change-set',
      changeSetType: 'CREATE',
    });
  });

  it('uses a CREATE change set for a REVIEW_IN_PROGRESS stack, which CreateStack cannot take', () => {
    const stack = { StackStatus: 'REVIEW_IN_PROGRESS' as const };
    expect(chooseOperation(stack, { ...createAndExecute, terminationProtection: true })).toEqual({
      kind: 'change-set',
      changeSetType: 'CREATE',
    });
  });

  it('uses an UPDATE change set for an existing stack, whatever the request asks', () => {
    for (const status of ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'] as const) {
      expect(chooseOperation({ StackStatus: status }, { ...createAndExecute, timeoutInMinutes: 5 })).toEqual({
        kind: 'change-set',
        changeSetType: 'UPDATE',
      });
    }
  });
});
