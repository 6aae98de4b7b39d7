/** Turning what a step threw into the error (and exit code) the CLI reports. */
import { errorMessage } from '@img-mgr/kernel';
import { PipelineError, UsageError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * Wraps whatever a step threw into a PipelineError with the step's exit code (keeps usage, timeout and cancel
 * codes) and the step's name in `step` (an error that already names its step keeps it).
 */
export function asStepError(thrown: unknown, exitCode: ExitCodeValue, what: string): PipelineError | UsageError {
  if (thrown instanceof UsageError) return thrown;
  if (thrown instanceof PipelineError) {
    thrown.step ??= what;
    return thrown;
  }
  const failure = wrap(thrown, exitCode, what);
  failure.step = what;
  return failure;
}

function wrap(thrown: unknown, exitCode: ExitCodeValue, what: string): PipelineError {
  const name = thrown instanceof Error ? thrown.name : '';
  if (name === 'CancelledError' || name === 'AbortError')
    return new PipelineError(ExitCode.cancelled, `${what}: cancelled`);
  if (name === 'TimeoutError') return new PipelineError(ExitCode.timeout, `${what}: ${errorMessage(thrown)}`);
  if (isCredentialsError(thrown)) {
    return new PipelineError(
      ExitCode.environment,
      `${what}: no AWS credentials (${errorMessage(thrown)})`,
      'configure credentials (aws configure, AWS_PROFILE, or OIDC) or drop --aws to use the embedded AWS',
    );
  }
  if (isConnectionError(thrown)) {
    return new PipelineError(ExitCode.environment, `${what}: AWS endpoint unreachable (${errorMessage(thrown)})`);
  }
  return new PipelineError(exitCode, `${what}: ${errorMessage(thrown)}`);
}

function isCredentialsError(thrown: unknown): boolean {
  if (!(thrown instanceof Error)) return false;
  return thrown.name === 'CredentialsProviderError' || /Could not load credentials/i.test(thrown.message);
}

function isConnectionError(thrown: unknown): boolean {
  if (!(thrown instanceof Error)) return false;
  const code = (thrown as Error & { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /ECONNREFUSED|ENOTFOUND/.test(thrown.message);
}
