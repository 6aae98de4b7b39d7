export {
  repoRoot,
  toolsBin,
  toolsPython,
  pathWithTools,
  freePort,
  stopProcess,
  waitFor,
  runFile,
  type FileRun,
} from '@img-mgr/local-host';
export { toolPath } from './paths.js';
export { startMoto, awsEnvFor, type Moto } from './moto.js';
export { makeAmi, baseImageId, type MakeAmiOptions, type MadeAmi } from './ami.js';
export { createRunnerEnv, inputEnv, inputVariable, parseCommandFile, type RunnerEnv } from './runner.js';
export { runBundledAction, readActionYaml, defaultInputs, type RunActionOptions, type ActionRun } from './action.js';
export {
  startFaultProxy,
  serviceOf,
  regionOf,
  operationOf,
  type FaultProxy,
  type FaultKind,
  type FaultProxyOptions,
} from './fault-proxy.js';
export { snapshotAws, type AwsSnapshot } from './snapshot.js';
export { createHoldFunction, heldResourceTemplate, releaseHeld } from './held-stack.js';
export {
  standInAppDir,
  writeStandInApp,
  initStandInAppRepository,
  commitStandInBreak,
  type StandInBreak,
  UPSTREAM_DEFAULT_BRANCH,
  UPSTREAM_BUCKET,
} from './stand-in-app.js';
export { deleteDefaultVpc, createNetworkStack, instancesTagged } from './network.js';
export {
  followStack,
  startStandInSite,
  type Breakage,
  type Deployed,
  type StandInSite,
  type StandInSiteOptions,
} from './stand-in-site.js';
