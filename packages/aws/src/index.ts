export { isRegionName, resolveRegion, endpointFor, type ServiceId } from './region.js';
export { fullJitterDelay, retry, type BackoffOptions, type RetryOptions } from './backoff.js';
export { clientConfig, createClient, userAgent, type ClientOptions, type SdkClientConfig } from './client.js';
