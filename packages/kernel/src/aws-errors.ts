/**
 * AWS error classification: one place that knows which SDK error names mean
 * "not there", "not allowed", "slow down" or "still in use", so callers ask
 * `awsErrorClass(error) === 'not-found'` instead of matching names or text.
 */

/** What an AWS error means for the caller. */
export type AwsErrorClass = 'not-found' | 'access-denied' | 'throttled' | 'in-use' | 'invalid' | 'other';

const NOT_FOUND = /NotFound|^NoSuch|\.Unavailable$|^InvalidAMIID\.|^ValidationError$/;
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthFailure',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'SlowDown',
]);
const IN_USE = new Set(['DependencyViolation', 'InvalidGroup.InUse', 'ResourceInUseException']);

/** The error name of an AWS SDK error ('' for anything else, which has no `$metadata`). */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === 'object' && '$metadata' in error && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return '';
}

/**
 * The class of an AWS SDK error; 'other' for every other thrown value.
 * `ValidationError` counts as not-found only where CloudFormation uses it for
 * a missing stack: callers that can tell (by message) pass `validationMeansMissing`.
 */
export function awsErrorClass(error: unknown, options: { validationMeansMissing?: boolean } = {}): AwsErrorClass {
  const name = awsErrorName(error);
  if (name === '') return 'other';
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  if (THROTTLED.has(name)) return 'throttled';
  if (IN_USE.has(name)) return 'in-use';
  if (name === 'ValidationError') return options.validationMeansMissing ? 'not-found' : 'invalid';
  if (NOT_FOUND.test(name)) return 'not-found';
  if (/Malformed|Invalid|Validation/.test(name)) return 'invalid';
  return 'other';
}
