/** Errors that end the CLI with a specific exit code and one clear line. */
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
  /** The step that failed ('bake', 'deploy img-mgr-dev'), set by asStepError; a timeout or a cancel names it. */
  step?: string;
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
