/** The AWS client factory (loads @smithy code; the kernel's root export does not). */
export {
  clientConfig,
  clientFactory,
  createClient,
  userAgent,
  type ClientFactoryOptions,
  type ClientOptions,
  type SdkClientConfig,
} from './client.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  fullJitterDelay,
  retryLine,
  retryPause,
  retryStrategy,
  type JitterOptions,
  type RetryEvent,
  type RetryPolicyOptions,
} from './retry.js';
