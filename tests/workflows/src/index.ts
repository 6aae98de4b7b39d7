export {
  runAct,
  jobResults,
  localPackerVariables,
  gitRedirect,
  type ActEvent,
  type ActRun,
  type RunActOptions,
} from './act.js';
export {
  createForkWorkspace,
  copyImgMgr,
  packerReadsRequiredPlugins,
  FORK_REPOSITORY,
  ACTIONS,
  type ForkWorkspace,
  type ForkOptions,
} from './fork.js';
export {
  createNetworkStack,
  networkParameters,
  networkStackName,
  readDeploymentState,
  GOLDEN_AMI_PARAMETER,
  type DeploymentState,
} from './stack.js';
export { ensureActTools, ACT_TOOLS } from './tools.js';
export { createRunnerShims, findOnPath, type RunnerShims } from './runner-shims.js';
export { startGitHubRemote, type GitHubRemote, type TokenGrant } from './github-remote.js';
export { startFrontDoors, type FrontDoors, type FrontDoorStack } from './front-door.js';
