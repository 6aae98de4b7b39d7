import { describe, expect, it } from 'vitest';
import { awsErrorClass, awsErrorName, errorKind, CancelledError, InputError, TimeoutError } from '../src/index.js';

const sdkError = (name: string): Error => Object.assign(new Error(name), { name, $metadata: {} });

describe('awsErrorClass', () => {
  it('classifies by the SDK error name, and only SDK errors', () => {
    expect(awsErrorClass(sdkError('ParameterNotFound'))).toBe('not-found');
    expect(awsErrorClass(sdkError('InvalidAMIID.NotFound'))).toBe('not-found');
    expect(awsErrorClass(sdkError('InvalidAMIID.Malformed'))).toBe('not-found');
    expect(awsErrorClass(sdkError('AccessDenied'))).toBe('access-denied');
    expect(awsErrorClass(sdkError('UnauthorizedOperation'))).toBe('access-denied');
    expect(awsErrorClass(sdkError('ThrottlingException'))).toBe('throttled');
    expect(awsErrorClass(sdkError('DependencyViolation'))).toBe('in-use');
    expect(awsErrorClass(sdkError('ValidationError'))).toBe('invalid');
    expect(awsErrorClass(sdkError('ValidationError'), { validationMeansMissing: true })).toBe('not-found');
    expect(awsErrorClass(new Error('ParameterNotFound'))).toBe('other');
    expect(awsErrorName(new Error('x'))).toBe('');
  });
});

describe('errorKind', () => {
  it('reads the machine-readable kind, never the message', () => {
    expect(errorKind(new InputError('region', 'is wrong'))).toBe('invalid-input');
    expect(errorKind(new CancelledError('SIGINT'))).toBe('cancelled');
    expect(errorKind(new TimeoutError('no cancel here'))).toBe('timeout');
    expect(errorKind(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('cancelled');
    expect(errorKind(new Error('Cancelled by user'))).toBeUndefined();
  });
});
