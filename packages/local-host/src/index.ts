/**
 * @img-mgr/local-host: what runs on this machine, for the CLI (packages/pipeline) and the tests
 * (packages/testbed); never for the actions or the domain packages, which run on a runner and get their
 * environment from a Context.
 */
export { repoRoot, toolsDir, toolsBin, toolsPython, findTool, pathWithTools } from './paths.js';
export { freePort } from './port.js';
export { isAlive, commandLine, groupAlive, runsOnPort, signalProcess, type ProcessLookup } from './processes.js';
export { waitFor, type WaitOptions } from './wait.js';
export { stillRunningLine, stopProcess, type StopOptions, type StopOutcome } from './stop.js';
export { runFile, type RunFileOptions, type FileRun } from './run-file.js';
export {
  startMotoServer,
  motoAnswers,
  localAwsEnv,
  MotoStartError,
  type MotoServer,
  type MotoServerOptions,
} from './moto.js';
