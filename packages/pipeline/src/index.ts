export { main } from './main.js';
export { processIo, type Io } from './io.js';
export {
  parseArgs,
  parseDurationFlag,
  checkRegion,
  ANY_REGION_SWITCHES,
  checkFlaskRepo,
  checkFlaskRef,
  type Options,
} from './args.js';
export {
  COMMANDS,
  COMMAND_TABLE,
  DEFAULTS,
  FLAGS,
  type Command,
  type CommandSpec,
  type FlagSpec,
} from './cli-table.js';
export { ExitCode, EXIT_CODE_HELP, type ExitCodeValue } from './exit-codes.js';
export { UsageError, PipelineError } from './errors.js';
export {
  plainProgress,
  ttyProgress,
  wantsColor,
  silentProgress,
  formatElapsed,
  stamp,
  type Progress,
  type Step,
} from './progress.js';
export {
  renderSummary,
  renderJson,
  newReport,
  type RunReport,
  type AmiReport,
  type ParameterReport,
  type StackReport,
  type StatusReport,
} from './report.js';
export { findLocalAws, startLocalAws, stopLocalAws, type LocalAws, type LocalAwsState } from './local-aws.js';
export { findParameterFile, stackPlans, type StackPlan } from './stacks.js';
export { stackInputs, secretOutputs, type StackInputs } from './stack-secrets.js';
export { pickCommit, parseSymref, resolveAppSource, type AppSource } from './app-revision.js';
export { lockStateDir, type StateLock } from './state-lock.js';
export { appEnvFromUserData } from './instance-env.js';
export { generalHelp, commandHelp } from './help.js';
