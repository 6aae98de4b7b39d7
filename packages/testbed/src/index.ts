export { repoRoot, toolsBin, toolPath, pathWithTools } from './paths.js';
export { freePort } from '@img-mgr/kernel/repo';
export { startMoto, awsEnvFor, stopProcess, type Moto } from './moto.js';
export { createRunnerEnv, inputEnv, inputVariable, parseCommandFile, type RunnerEnv } from './runner.js';
export { runBundledAction, readActionYaml, defaultInputs, type RunActionOptions, type ActionRun } from './action.js';
export { startFaultProxy, serviceOf, type FaultProxy, type FaultKind, type FaultProxyOptions } from './fault-proxy.js';
export { snapshotAws, type AwsSnapshot } from './snapshot.js';
export { createHoldFunction, heldResourceTemplate, releaseHeld } from './held-stack.js';
export {
  standInAppDir,
  writeStandInApp,
  initStandInAppRepository,
  UPSTREAM_DEFAULT_BRANCH,
  UPSTREAM_BUCKET,
} from './stand-in-app.js';
