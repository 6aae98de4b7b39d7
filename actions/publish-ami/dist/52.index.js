export const id = 52;
export const ids = [52];
export const modules = {

/***/ 4506:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = exports.SE = __webpack_unused_export__ = void 0;
var retry_1 = __webpack_require__(9285);
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.AdaptiveRetryStrategy; } });
Object.defineProperty(exports, "SE", ({ enumerable: true, get: function () { return retry_1.ConfiguredRetryStrategy; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.DefaultRateLimiter; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.StandardRetryStrategy; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.DEFAULT_MAX_ATTEMPTS; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.DEFAULT_RETRY_DELAY_BASE; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.DEFAULT_RETRY_MODE; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.INITIAL_RETRY_TOKENS; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.INVOCATION_ID_HEADER; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.MAXIMUM_RETRY_DELAY; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.REQUEST_HEADER; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.NO_RETRY_INCREMENT; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.RETRY_COST; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.RETRY_MODES; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.Retry; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.THROTTLING_RETRY_DELAY_BASE; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return retry_1.TIMEOUT_RETRY_COST; } });


/***/ }),

/***/ 3052:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  clientFactory: () => (/* reexport */ clientFactory)
});

// UNUSED EXPORTS: clientConfig, createClient, userAgent

// EXTERNAL MODULE: ../../node_modules/@smithy/node-http-handler/dist-cjs/index.js
var dist_cjs = __webpack_require__(8771);
// EXTERNAL MODULE: ../../node_modules/@smithy/util-retry/dist-cjs/index.js
var util_retry_dist_cjs = __webpack_require__(4506);
;// CONCATENATED MODULE: ../../packages/kernel/lib/poll.js
/**
 * The one polling policy. Every wait for AWS to finish something that the SDK
 * has no waiter for (a stack's event stream, an SSM version becoming visible,
 * a security group losing its last dependency) goes through `poll`: the
 * interval starts short, grows by `factor` up to `maxIntervalMs`, drops back
 * to the start whenever the check saw activity, is jittered so that parallel
 * jobs do not poll in step, and never sleeps past the deadline.
 */


/** Share of each pause that is random: the pause is between 80 % and 100 % of the interval. */
const JITTER = 0.2;
/**
 * Calls `check` until it reports done and returns its value. The check runs
 * once more at the deadline, so a wait never fails on a result that arrived
 * while it slept.
 */
async function poll(check, options) {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? abortableSleep;
    const random = options.random ?? Math.random;
    const min = options.minIntervalMs ?? 1_000;
    const max = Math.max(min, options.maxIntervalMs ?? 5_000);
    const factor = options.factor ?? 1.5;
    const deadline = now() + options.timeoutMs;
    let interval = min;
    for (let attempt = 1;; attempt++) {
        const step = await check(attempt);
        if (step.done)
            return step.value;
        const left = deadline - now();
        if (left <= 0)
            throw new TimeoutError(await options.timeoutMessage());
        if (step.activity)
            interval = min;
        await sleep(Math.min(left, Math.round(interval * (1 - JITTER * random()))), options.signal);
        interval = Math.min(max, Math.round(interval * factor));
    }
}
/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
 * uniformly random delay between 0 and min(cap, base * 2^(retry-1)). The
 * SDK's retry strategy uses it between attempts of one API call.
 */
function fullJitterDelay(retry, options = {}) {
    const { baseMs = 250, capMs = 20_000, random = Math.random } = options;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
    return Math.floor(random() * ceiling);
}

// EXTERNAL MODULE: ../../packages/kernel/lib/region.js
var region = __webpack_require__(883);
;// CONCATENATED MODULE: ../../packages/kernel/lib/client.js
/**
 * One factory for every AWS client the actions create, so that region,
 * endpoint, retries, timeouts and user agent are the same everywhere.
 */




/** Builds the config for an SDK client. */
function clientConfig(options) {
    const env = options.env ?? process.env;
    const maxAttempts = options.maxAttempts ?? 6;
    const endpoint = (0,region/* endpointFor */.Lo)(options.service, env);
    return {
        region: options.region,
        ...(endpoint ? { endpoint } : {}),
        ...envCredentials(env),
        maxAttempts,
        retryStrategy: new LoggedRetryStrategy(maxAttempts, options.log ?? (() => undefined), options.random),
        customUserAgent: userAgent(options.caller, env),
        // Without throwOnRequestTimeout, @smithy/node-http-handler 4.x only warns at requestTimeout and the call hangs.
        requestHandler: new dist_cjs.NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000, throwOnRequestTimeout: true }),
    };
}
/**
 * Keys given in `env` (as configure-aws-credentials or a test's moto sets
 * them): the SDK's own chain reads only process.env, so a Context whose env
 * is not process.env would otherwise sign with someone else's keys.
 */
function envCredentials(env) {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = env.AWS_SESSION_TOKEN;
    if (!accessKeyId || !secretAccessKey)
        return {};
    return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}
/**
 * Creates a client with `clientConfig` and names the failing operation in
 * each retry log line.
 */
function createClient(Client, options) {
    const client = new Client(clientConfig(options));
    client.middlewareStack.add((next, context) => async (args) => {
        try {
            return await next(args);
        }
        catch (error) {
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
    }, { step: 'finalizeRequest', priority: 'low', name: 'imgMgrNameOperationOnError' });
    return client;
}
/** `img-mgr/<caller> run/<id>-<attempt> repo/<owner/name>` pieces. */
function userAgent(caller, env = process.env) {
    const pieces = [[`img-mgr-${caller}`, '1']];
    if (env.GITHUB_RUN_ID)
        pieces.push(['run', `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`]);
    if (env.GITHUB_REPOSITORY)
        pieces.push(['repo', env.GITHUB_REPOSITORY.replace(/[^A-Za-z0-9._-]/g, '_')]);
    return pieces;
}
/**
 * The SDK's standard retry decisions (which errors are transient, the retry
 * quota) with full-jitter delays and a log line naming what is retried.
 */
class LoggedRetryStrategy {
    maxAttempts;
    log;
    inner;
    mode = 'standard';
    constructor(maxAttempts, log, random) {
        this.maxAttempts = maxAttempts;
        this.log = log;
        this.inner = new util_retry_dist_cjs/* ConfiguredRetryStrategy */.SE(maxAttempts, (attempt) => fullJitterDelay(attempt, { random }));
    }
    acquireInitialRetryToken(scope) {
        return this.inner.acquireInitialRetryToken(scope);
    }
    async refreshRetryTokenForRetry(token, info) {
        const next = await this.inner.refreshRetryTokenForRetry(token, info);
        const error = info.error;
        const what = error.$operation ?? 'AWS call';
        const why = [error.name, error.$metadata?.httpStatusCode].filter(Boolean).join(' ');
        // smithy 4.x sleeps inside refreshRetryTokenForRetry and records the wait in
        // $retryLog; older versions return the delay on the token for the caller to wait.
        const waited = next.$retryLog?.acquisitionDelay;
        this.log(`Retrying ${what} (attempt ${next.getRetryCount() + 1} of ${this.maxAttempts}) after ${why || 'a transient error'}; backed off ${waited ?? next.getRetryDelay()} ms`);
        return next;
    }
    recordSuccess(token) {
        this.inner.recordSuccess(token);
    }
}
/**
 * A `ClientFactory` for a Context: one configured client per class and
 * region, created on first use. The service (for AWS_ENDPOINT_URL_<SERVICE>)
 * comes from the class name: `EC2Client` is EC2.
 */
function clientFactory(options) {
    const clients = new Map();
    return {
        get(Client, region) {
            const key = `${Client.name}@${region}`;
            let client = clients.get(key);
            if (!client) {
                const service = Client.name.replace(/Client$/, '').toUpperCase();
                client = createClient(Client, { ...options, region, service });
                clients.set(key, client);
            }
            return client;
        },
    };
}

;// CONCATENATED MODULE: ../../packages/kernel/lib/aws.js
/** The AWS client factory (loads @smithy code; the kernel's root export does not). */



/***/ })

};
