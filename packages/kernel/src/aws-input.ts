/**
 * AWS errors that a caller's value caused (a template URL that names no
 * object, a bucket that does not exist or may not be written, a role that
 * cannot be assumed), reported as the field that held the value: the line
 * then names the input or flag the user can fix, not a bare `NotFound`.
 */
import { awsErrorClass, awsErrorName } from './aws-errors.js';
import { InvalidRequestError } from './errors.js';

/** AWS's reason in short: its error name and its message when that is short enough to be one line. */
export function awsReason(error: unknown): string {
  const name = awsErrorName(error) || 'Error';
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : '';
  if (message === '' || message === name) return name;
  return message.length <= 200 ? `${name}: ${message}` : `${name} (a message of ${message.length} characters)`;
}

/**
 * `error` as an InvalidRequestError on `field` ("<what>: <AWS's reason>") when
 * AWS refused the value (not found, access denied, invalid or a
 * ValidationError); any other error (throttling, a network failure, a bug)
 * unchanged.
 */
export function asFieldError(error: unknown, field: string, what: string): unknown {
  const kind = awsErrorClass(error);
  if (kind !== 'not-found' && kind !== 'access-denied' && kind !== 'invalid') return error;
  return new InvalidRequestError(field, `${what}: ${awsReason(error)}`);
}
