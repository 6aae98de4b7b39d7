/**
 * One factory for every AWS client the actions create, so that region,
 * endpoint, retries, timeouts and user agent are the same everywhere.
 * The retry policy itself is `retry.ts`.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryStrategyV2 } from '@smithy/types';
import type { ClientClass, ClientFactory, Env } from './context.js';
import { endpointFor, type ServiceId } from './region.js';
import { DEFAULT_MAX_ATTEMPTS, retryStrategy } from './retry.js';

export interface ClientOptions {
  region: string;
  service: ServiceId;
  /** The action (or tool) making the calls; goes into the user agent. */
  caller: string;
  /** Total attempts per API call, the first included (default 6). */
  maxAttempts?: number;
  /** Where "retrying …" lines go (default: nowhere). */
  log?: (line: string) => void;
  /** Injectable randomness for the jitter. */
  random?: () => number;
  /** Per-request socket timeout in ms (default 20 s); a timed-out call is retried. */
  requestTimeoutMs?: number;
  /** The caller's environment: endpoint overrides, keys, the run for the user agent (never read globally). */
  env: Env;
}

/** The shape of config every SDK v3 client constructor accepts. */
export interface SdkClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryStrategy: RetryStrategyV2;
  customUserAgent: [string, string][];
  requestHandler: NodeHttpHandler;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** S3 only: address buckets by path, as local endpoints (moto, MinIO) need. */
  forcePathStyle?: boolean;
  /** The SDK must not take AWS_ENDPOINT_URL* or a profile's endpoint_url from process.env on its own. */
  ignoreConfiguredEndpointUrls: true;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string; clientName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'finalizeRequest'; priority: 'low'; name: string },
    ): void;
  };
}

/** Builds the config for an SDK client. */
export function clientConfig(options: ClientOptions): SdkClientConfig {
  const env = options.env;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const endpoint = endpointFor(options.service, env);
  return {
    region: options.region,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && options.service === 'S3' ? { forcePathStyle: true } : {}),
    ...envCredentials(env),
    // The endpoint is endpointFor(env) or none: an override left in process.env (which the caller's env
    // left out on purpose, as the CLI does for a real account) must not send the calls elsewhere.
    ignoreConfiguredEndpointUrls: true,
    maxAttempts,
    retryStrategy: retryStrategy({ maxAttempts, log: options.log, random: options.random }),
    customUserAgent: userAgent(options.caller, env),
    // Without throwOnRequestTimeout, @smithy/node-http-handler 4.x only warns at requestTimeout and the call hangs.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 20_000,
      throwOnRequestTimeout: true,
    }),
  };
}

/**
 * Keys given in `env` (as configure-aws-credentials or a test's moto sets
 * them): the SDK's own chain reads only process.env, so a Context whose env
 * is not process.env would otherwise sign with someone else's keys.
 */
function envCredentials(env: Env): Pick<SdkClientConfig, 'credentials'> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  if (!accessKeyId || !secretAccessKey) return {};
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}

/**
 * Creates a client with `clientConfig` and names the failing operation in
 * each retry log line.
 */
export function createClient<C extends object>(Client: new (config: SdkClientConfig) => C, options: ClientOptions): C {
  const client = new Client(clientConfig(options));
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error: unknown) {
        if (error && typeof error === 'object') {
          const service = (context.clientName ?? options.service).replace(/Client$/, '');
          Object.defineProperty(error, '$operation', {
            value: `${service}.${(context.commandName ?? 'call').replace(/Command$/, '')}`,
            enumerable: false,
            configurable: true,
          });
        }
        throw error;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'imgMgrNameOperationOnError' },
  );
  return client;
}

/** `img-mgr/<caller> run/<id>-<attempt> repo/<owner/name>` pieces. */
export function userAgent(caller: string, env: Env): [string, string][] {
  const pieces: [string, string][] = [[`img-mgr-${caller}`, '1']];
  if (env.GITHUB_RUN_ID) pieces.push(['run', `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`]);
  if (env.GITHUB_REPOSITORY) pieces.push(['repo', env.GITHUB_REPOSITORY.replace(/[^A-Za-z0-9._-]/g, '_')]);
  return pieces;
}

/** Options of `clientFactory`: those of `createClient` but the per-client region and service. */
export type ClientFactoryOptions = Omit<ClientOptions, 'region' | 'service'>;

type SdkClientClass<C> = new (config: SdkClientConfig) => C & object;

/**
 * A `ClientFactory` for a Context: one configured client per class and
 * region, created on first use.
 */
export function clientFactory(options: ClientFactoryOptions): ClientFactory {
  const clients = new Map<unknown, Map<string, unknown>>();
  return {
    get<C>(Client: ClientClass<C>, region: string): C {
      let byRegion = clients.get(Client);
      if (!byRegion) clients.set(Client, (byRegion = new Map<string, unknown>()));
      let client = byRegion.get(region) as C | undefined;
      if (!client) {
        const Sdk = Client as unknown as SdkClientClass<C>;
        client = createClient(Sdk, { ...options, region, service: serviceOf(Sdk, region) });
        byRegion.set(region, client);
      }
      return client;
    },
  };
}

/**
 * The AWS_ENDPOINT_URL_<SERVICE> suffix of a client class, from the service id
 * its config carries (`CloudFormation` is CLOUDFORMATION). Not from the class
 * name: a minified bundle renames classes.
 */
function serviceOf<C>(Client: SdkClientClass<C>, region: string): ServiceId {
  const probe = new Client({ region } as SdkClientConfig) as { config?: { serviceId?: string }; destroy?: () => void };
  const serviceId = probe.config?.serviceId ?? '';
  probe.destroy?.();
  return serviceId.toUpperCase().replace(/ /g, '_') as ServiceId;
}
