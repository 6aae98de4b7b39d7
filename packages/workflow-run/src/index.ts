/**
 * @img-mgr/workflow-run: the decisions of a bake-and-deploy run around its
 * three actions, free of `@actions/*` (the workflow-step action maps them to
 * step inputs and outputs; the CLI shares the app revision).
 */
export {
  resolveAppRevision,
  parseSymref,
  pickCommit,
  gitReason,
  FULL_SHA,
  type AppRevision,
  type LookupOptions,
} from './app-revision.js';
export { appRepositoryUrl, resolveFlaskRef, type FlaskRevision } from './flask-ref.js';
export {
  CALLER_INPUTS,
  callerInputProblem,
  checkCallerInputs,
  flaskRefProblem,
  flaskRepoProblem,
  refNameProblem,
  MAX_SMOKE_SAMPLES,
  MAX_SMOKE_TIMEOUT_MS,
  type CallerInput,
} from './caller-inputs.js';
export { bakeVariablesJson, type BakeVariables } from './packer-variables.js';
export { branchMatches, checkTrustedBranch, needsTrustedBranch, runBakes, type BranchCheck } from './trusted-branch.js';
export { checkRoles, isRoleArn, type RoleInputs } from './roles.js';
export {
  claim,
  decodeClaims,
  explainRefusedToken,
  NoIdTokenError,
  refusedTokenExplanation,
  requestIdToken,
  STS_AUDIENCE,
  type TokenClaims,
  type TokenRequestOptions,
} from './oidc.js';
export { CHECKIP_URL, findRunnerAddress, parseAddressAnswer, type AddressLookupOptions } from './runner-address.js';
export { revertSummary, rolloutSummary, type RevertFacts, type RolloutFacts } from './summaries.js';
export {
  APP_REVISION_TAG,
  BUCKET_OUTPUT,
  DEFAULT_SMOKE_SAMPLES,
  DEFAULT_SMOKE_TIMEOUT,
  URL_OUTPUT,
  appRevisionOf,
  parseStackOutputs,
  runSmokeStep,
  siteUrl,
  smokeSettings,
  type SmokeStepContext,
  type SmokeStepRequest,
  type SmokeStepResult,
} from './smoke.js';
export {
  planRedeploy,
  readStackImage,
  redeployDecision,
  type RedeployRequest,
  stackImageId,
  type RedeployDecision,
  type StackImage,
} from './revert-plan.js';
export { lastOperationEvents, startsOperation } from './stack-events.js';
export { observeRun, readSmokeReport, type PublishedFacts, type RunRecord } from './observations.js';
export { planTargets, type TargetsRequest } from './targets.js';
export { copyAmi, type CopyAmiRequest } from './copy-ami.js';
export {
  rolloutWave,
  WaveFailedError,
  type RegionRollout,
  type WaveRequest,
  type WaveSource,
  type WaveStack,
} from './wave-rollout.js';
export { waveRequest, type WaveInputs } from './wave-inputs.js';
export { waveSummary } from './wave-summary.js';
