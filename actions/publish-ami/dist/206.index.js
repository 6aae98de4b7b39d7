export const id = 206;
export const ids = [206];
export const modules = {

/***/ 5206:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishAmi: () => (/* reexport */ publishAmi)
});

// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var dist_cjs = __webpack_require__(4028);
// EXTERNAL MODULE: ../../node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(8771);
// EXTERNAL MODULE: ../../node_modules/@smithy/util-retry/dist-cjs/index.js
var util_retry_dist_cjs = __webpack_require__(4506);
;// CONCATENATED MODULE: ../../packages/aws/lib/backoff.js
/** Retry with full jitter, bounded, with a log line per retry. */

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniformly random delay between 0 and min(cap, base * 2^retry).
 * `retry` counts from 1 for the first retry.
 */
function fullJitterDelay(retry, options = {}) {
    const { baseMs = 250, capMs = 20_000, random = Math.random } = options;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
    return Math.floor(random() * ceiling);
}
/**
 * Calls `fn` until it succeeds or `attempts` run out. Each retry is logged
 * with `label`, the attempt number and the error that caused it.
 */
async function retry(label, fn, options) {
    const { attempts, isRetryable = () => true, log = () => undefined, sleep = abortableSleep, signal } = options;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (signal?.aborted || attempt >= attempts || !isRetryable(error))
                throw error;
            const delay = fullJitterDelay(attempt, options);
            log(`Retrying ${label} (attempt ${attempt + 1} of ${attempts}) in ${delay} ms after: ${errorMessage(error)}`);
            await sleep(delay, signal);
        }
    }
}

// EXTERNAL MODULE: ../../packages/aws/lib/region.js
var region = __webpack_require__(8643);
;// CONCATENATED MODULE: ../../packages/aws/lib/client.js
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
        maxAttempts,
        retryStrategy: new LoggedRetryStrategy(maxAttempts, options.log ?? (() => undefined), options.random),
        customUserAgent: userAgent(options.caller, env),
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000 }),
    };
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
        this.log(`Retrying ${what} (attempt ${next.getRetryCount() + 1} of ${this.maxAttempts}) in ${next.getRetryDelay()} ms after ${why || 'a transient error'}`);
        return next;
    }
    recordSuccess(token) {
        this.inner.recordSuccess(token);
    }
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/publish.js
/** Writes the golden-AMI pointer. */


/** Writes the AMI id to the parameter. */
async function publishAmi(request) {
    const ssm = createClient(dist_cjs/* SSMClient */.jBj, { region: request.region, service: 'SSM', caller: 'publish-ami', log: request.log });
    const response = await ssm.send(new dist_cjs/* PutParameterCommand */.ihh({ Name: request.parameterName, Value: request.amiId, Type: 'String', Overwrite: true, DataType: 'text' }));
    return { version: response.Version ?? 0 };
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/index.js



/***/ })

};
