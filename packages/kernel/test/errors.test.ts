import { describe, expect, it } from 'vitest';
import { ActionError, errorMessage, InputError } from '../src/index.js';

describe('errorMessage', () => {
  it('keeps an AWS error code in front of its message', () => {
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
    expect(errorMessage(error)).toBe('ThrottlingException: Rate exceeded');
  });

  it('turns any thrown value into one line', () => {
    expect(errorMessage('plain\nstring')).toBe('plain string');
    expect(errorMessage({ code: 42 })).toBe('{"code":42}');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(new InputError('region', 'is bad'))).toBe("Input 'region' is bad");
    expect(errorMessage(new ActionError('Stack is stuck', 'Continue the rollback'))).toBe(
      'Stack is stuck. Continue the rollback',
    );
  });
});
