/**
 * @img-mgr/kernel: what every package shares, with no `@actions/*` and no
 * AWS SDK code (the client factory is the `./aws` subpath).
 */
export {
  KernelError,
  InputError,
  InvalidRequestError,
  ActionError,
  CancelledError,
  TimeoutError,
  errorKind,
  errorMessage,
  isCancellation,
  type ErrorKind,
} from './errors.js';
export { awsErrorName, awsErrorClass, type AwsErrorClass } from './aws-errors.js';
export { asFieldError, awsReason } from './aws-input.js';
export { parseStrictJson, JsonSyntaxError } from './json.js';
export { sleep } from './sleep.js';
export { CANCEL_SIGNALS, listenForCancellation, type Cancellation } from './cancellation.js';
export { poll, type PollOptions, type PollStep } from './poll.js';
export {
  parseKeyValues,
  keyValueMap,
  KeyValueSyntaxError,
  type KeyValueItem,
  type KeyValueOptions,
} from './key-value.js';
export { shorten, quoteWhole, boundedLine, MAX_ERROR_LINE } from './format.js';
export { parseDuration, formatDuration } from './duration.js';
export { isParameterFilePath, isRoleArn, isSmokeUrl } from './shapes.js';
export {
  hasUrlCredentials,
  URL_CREDENTIALS_PROBLEM,
  environmentSecrets,
  packerVariableWithUrlCredentials,
  PACKER_VARIABLE_CREDENTIALS_PROBLEM,
} from './credentials.js';
export {
  silentLogger,
  lineLogger,
  type Context,
  type Logger,
  type Env,
  type ClientClass,
  type ClientFactory,
} from './context.js';
export {
  isRegionName,
  isKnownRegion,
  regionProblem,
  resolveRegion,
  endpointFor,
  ANY_REGION_ENV,
  type ServiceId,
} from './region.js';
export { REJECTED_TAG_KEY } from './rejected-tag.js';
