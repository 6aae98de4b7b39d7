export {
  deployStack,
  DeployFailedError,
  DeployCancelledError,
  type DeployRequest,
  type DeployResult,
  type DeployMode,
} from './deploy.js';
export * from './parsers.js';
export { classifyStatus, isSettled, isSuccess, stuckStackAdvice, type StackState, type StuckAdvice } from './status.js';
export { noEchoFacts, secretOutputKeys, type NoEchoFacts } from './secrets.js';
export { formatEvent, rootCauses, type FailedResource, type EventLike } from './events.js';
export { changeRows, planMarkdown, type ChangeRow } from './plan.js';
export { type Clock } from './watch.js';
export { type CallCounts } from './api.js';
export {
  checkLaunchKey,
  parseKeyArn,
  KEY_POLICY_DOC,
  type LaunchKeyRequest,
  type LaunchKeyVerdict,
} from './launch-key-preflight.js';
export { keyPolicyGaps, autoScalingRoleArn, matchesAction, type PolicyGap } from './key-policy.js';
