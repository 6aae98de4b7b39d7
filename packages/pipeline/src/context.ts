/** What every step of a command is given. */
import type { AppSource } from './app-revision.js';
import type { Options } from './args.js';
import type { Progress } from './progress.js';
import type { RunReport } from './report.js';
import type { AwsTarget } from './target.js';

export interface CommandContext {
  options: Options;
  target: AwsTarget;
  progress: Progress;
  report: RunReport;
  /** Aborted on Ctrl-C/SIGTERM (reason CancelledError) or at --timeout (reason TimeoutError). */
  signal: AbortSignal;
  /** Time left before --timeout, in ms (at least 1 s, so a step always gets a bound). */
  remainingMs(): number;
  /** The repository root (packer/, cloudformation/). */
  root: string;
  /** The folder for state and generated files. */
  stateDir: string;
  /** The app revision to bake (run, bake), resolved before the AWS target was opened. */
  app?: AppSource;
}
