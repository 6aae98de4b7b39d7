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
