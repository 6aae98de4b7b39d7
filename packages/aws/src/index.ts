export { isRegionName, isKnownRegion, regionProblem, resolveRegion, endpointFor, ANY_REGION_ENV, type ServiceId } from './region.js';
export { fullJitterDelay, retry, type BackoffOptions, type RetryOptions } from './backoff.js';
export { clientConfig, createClient, userAgent, type ClientOptions, type SdkClientConfig } from './client.js';
