/** Errors that end the CLI with a specific exit code and one clear line. */
import { errorMessage } from '@img-mgr/action-kit';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** A bad command line. The message always names the flag (or the command). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly flag: string,
    problem: string,
  ) {
    super(`${flag} ${problem}`);
  }
}

/** A failure of one part of the pipeline; `hint` says what to do next. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Wraps whatever a step threw into a PipelineError with the step's exit code (keeps usage, timeout and cancel codes). */
export function asStepError(thrown: unknown, exitCode: ExitCodeValue, what: string): PipelineError | UsageError {
  if (thrown instanceof PipelineError || thrown instanceof UsageError) return thrown;
  const name = thrown instanceof Error ? thrown.name : '';
  if (name === 'CancelledError' || name === 'AbortError') return new PipelineError(ExitCode.cancelled, `${what}: cancelled`);
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
