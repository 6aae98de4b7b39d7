export const id = 125;
export const ids = [125];
export const modules = {

/***/ 2125:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ main_run)
});

// EXTERNAL MODULE: ../../packages/action-kit/lib/run.js + 1 modules
var run = __webpack_require__(8749);
// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 8 modules
var lib_core = __webpack_require__(8806);
;// CONCATENATED MODULE: ../../packages/action-kit/lib/outputs.js
/** Step outputs and saved state. */

/** Sets a step output; objects are written as JSON, booleans as true/false. */
function setOutput(name, value) {
    if (value === undefined)
        return;
    lib_core/* setOutput */.uH(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
}
/** Saves a value for this action's `post:` step. */
function saveState(name, value) {
    lib_core/* saveState */.LZ(name, typeof value === 'string' ? value : JSON.stringify(value));
}
/** Reads a value saved by `saveState` in the main step ('' when unset). */
function readState(name) {
    return core.getState(name);
}

;// CONCATENATED MODULE: ../../packages/action-kit/lib/log.js
/** Log helpers: folded groups and masking. */

/**
 * Runs `body` inside a folded log group. The group is closed even when
 * `body` throws, so a failure never leaves the rest of the log folded.
 */
async function group(title, body) {
    lib_core/* startGroup */.Oh(title);
    try {
        return await body();
    }
    finally {
        lib_core/* endGroup */.N4();
    }
}
/** Masks a value in all later log output; empty values are ignored. */
function mask(value) {
    if (value)
        lib_core/* setSecret */.Pq(value);
}
const info = (message) => lib_core/* info */.pq(message);
const warning = (message) => lib_core/* warning */.$e(message);
const debug = (message) => core.debug(message);
/** An error annotation that does not fail the step by itself. */
const annotateError = (message, title) => lib_core/* error */.z3(message, title === undefined ? undefined : { title });

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
        maxAttempts,
        retryStrategy: new LoggedRetryStrategy(maxAttempts, options.log ?? (() => undefined), options.random),
        customUserAgent: userAgent(options.caller, env),
        // Without throwOnRequestTimeout, @smithy/node-http-handler 4.x only warns at requestTimeout and the call hangs.
        requestHandler: new dist_cjs.NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000, throwOnRequestTimeout: true }),
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

;// CONCATENATED MODULE: ./src/context.ts
/**
 * The kernel Context of this action's steps: lines to the runner's log
 * (warnings as annotations), secrets to its mask, the step's environment and
 * cancellation, and AWS clients from the project's factory.
 */


/** The Context of a step of bake-ami; `env` is the step's environment. */
function actionContext(signal, env) {
    return {
        log: { info: info, warn: warning, secret: mask, group: group },
        signal,
        env,
        clients: clientFactory({ caller: 'bake-ami', env, log: info }),
    };
}

;// CONCATENATED MODULE: ./src/folds.ts
/**
 * Packer's UI lines folded per build in the runner's log. Groups cannot nest
 * or interleave, so when parallel builds interleave their lines the group is
 * closed and the other build's group opened ("… (continued)").
 */

class LogFolds {
    current;
    seen = new Set();
    /** Opens a group with this title (closing the open one). */
    open(title) {
        this.close();
        const shown = this.seen.has(title) ? `${title} (continued)` : title;
        this.seen.add(title);
        process.stdout.write(`::group::${shown}\n`);
        this.current = title;
    }
    /** Closes the open group, if any. */
    close() {
        if (this.current === undefined)
            return;
        process.stdout.write('::endgroup::\n');
        this.current = undefined;
    }
    /** Prints a UI line in its build's group; lines naming no build stay in the open group. */
    line(line) {
        if (line.build !== undefined) {
            const title = `Packer build ${line.build}`;
            if (this.current !== title)
                this.open(title);
        }
        // A line must not be read as a workflow command by the runner.
        info(line.text.startsWith('::') ? ` ${line.text}` : line.text);
    }
}

// EXTERNAL MODULE: ./src/inputs.ts + 2 modules
var src_inputs = __webpack_require__(7182);
;// CONCATENATED MODULE: ./src/state.ts
/** Keys of the state the main step saves for the post step. */
const STATE = { runId: 'run-id', region: 'region', resources: 'resources' };

;// CONCATENATED MODULE: ../../packages/action-kit/lib/summary.js
/** Job summaries. */

/** Starts a job summary. */
function jobSummary() {
    const summary = lib_core/* summary */.z.emptyBuffer();
    const api = {
        heading(text, level = 2) {
            summary.addHeading(text, level);
            return api;
        },
        text(markdown) {
            summary.addRaw(markdown, true);
            return api;
        },
        table(header, rows) {
            summary.addTable([header.map((data) => ({ data, header: true })), ...rows]);
            return api;
        },
        list(items) {
            summary.addList(items);
            return api;
        },
        code(text, lang) {
            summary.addCodeBlock(text, lang);
            return api;
        },
        async write() {
            if (!process.env.GITHUB_STEP_SUMMARY)
                return;
            await summary.write();
        },
    };
    return api;
}
/** Escapes text for a markdown/HTML table cell. */
function cell(text) {
    return String(text ?? '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '&#124;');
}

// EXTERNAL MODULE: ../../packages/kernel/lib/errors.js
var errors = __webpack_require__(2196);
;// CONCATENATED MODULE: ./src/summary.ts
/** The job summary: what was baked (or found), where, how long, from what. */

/** Writes the summary of a finished bake (or skip). */
async function writeSummary(result) {
    const summary = jobSummary().heading('bake-ami', 2);
    if (result.skipped) {
        const found = result.found;
        summary.text(`skipped: already baked as <code>${cell(result.amiId)}</code> in ${cell(result.region)}` +
            (found ? ` (${cell(found.name)}, created ${cell(found.creationDate)})` : ''));
        // The copies the skipped bake returns, as the bake it reuses did.
        if (Object.keys(result.amis).length > 1) {
            summary.table(['Region', 'AMI'], Object.entries(result.amis).map(([region, ami]) => [cell(region), `<code>${cell(ami)}</code>`]));
        }
    }
    else {
        const rows = result.builds.flatMap((build) => Object.entries(build.amis).map(([region, ami]) => [cell(build.name), cell(region), `<code>${cell(ami)}</code>`]));
        summary.table(['Build', 'Region', 'AMI'], rows);
    }
    summary.list([
        `Duration: ${(result.durationMs / 1000).toFixed(1)} s`,
        `Fingerprint: <code>${cell(result.fingerprint)}</code>`,
        `Run id: <code>${cell(result.runId)}</code>`,
        ...(result.packer ? [`Packer ${cell(result.packer.version)} (${cell(result.packer.source)})`] : []),
    ]);
    await summary.write();
}
/** Writes the summary of a failed bake: the one-line reason and Packer's last error lines. */
async function writeFailureSummary(error, durationMs) {
    const summary = jobSummary()
        .heading('bake-ami', 2)
        .text(`failed after ${(durationMs / 1000).toFixed(1)} s: ${cell((0,errors/* errorMessage */.gJ)(error))}`);
    const lines = error.errorLines;
    if (Array.isArray(lines) && lines.length > 0)
        summary.code(lines.map(String).join('\n'));
    await summary.write();
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * The main step: one bake of the request the inputs filled; its result to
 * outputs and the job summary, Packer's lines folded per build, and what
 * Packer creates saved for the post step.
 */






/** The action's main step, given valid inputs. */
async function main_run(inputs) {
    await (0,run/* runAction */.C)('bake-ami', async ({ signal }) => {
        const context = actionContext(signal, process.env);
        if (inputs.githubToken)
            context.log.secret(inputs.githubToken);
        // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
        const { bakeAmi, newRunId, PackerError } = await Promise.all(/* import() */[__webpack_require__.e(637), __webpack_require__.e(14)]).then(__webpack_require__.bind(__webpack_require__, 4014));
        const runId = newRunId(context.env);
        saveState(STATE.runId, runId);
        saveState(STATE.region, inputs.region);
        info(`Run id ${runId} (Packer tags what it creates with it; the post step sweeps by it)`);
        const folds = new LogFolds();
        const started = Date.now();
        let result;
        try {
            result = await bakeAmi({ ...inputs, runId }, context, { onEvent: eventShower(folds) });
        }
        catch (thrown) {
            folds.close();
            const error = (0,src_inputs/* asInputError */.XW)(thrown);
            if (error instanceof PackerError) {
                const exitCode = error.exitCode ?? 'none';
                annotateError(error.errorLines.join('\n'), `packer ${error.step} failed (exit code ${exitCode})`);
            }
            await writeFailureSummary(error, Date.now() - started);
            throw error;
        }
        finally {
            folds.close();
        }
        setOutput('ami-id', result.amiId);
        setOutput('amis', result.amis);
        setOutput('region', result.region);
        setOutput('manifest', result.manifestPath);
        setOutput('skipped', result.skipped);
        setOutput('fingerprint', result.fingerprint);
        const amis = Object.entries(result.amis)
            .map(([region, ami]) => `${region}: ${ami}`)
            .join(', ');
        info(result.skipped
            ? `Skipped: already baked as ${amis} (fingerprint ${result.fingerprint})`
            : `Baked ${amis} in ${Math.round(result.durationMs / 1000)} s`);
        await writeSummary(result);
    });
}
/**
 * Shows a bake's events: Packer's lines in folds (init and validate each in
 * a group, build lines per build), the steps, and each temporary resource
 * Packer creates, saved at once for the post step.
 */
function eventShower(folds) {
    const resources = { instanceIds: [], keyPairs: [], securityGroups: [] };
    return (event) => {
        switch (event.kind) {
            case 'ui':
                folds.line(event.line);
                break;
            case 'step':
                folds.close();
                if (event.status === 'skipped')
                    info(`Skipping packer ${event.step}: ${event.detail ?? ''}`);
                else if (event.status === 'started' && event.step !== 'build')
                    folds.open(`packer ${event.step}`);
                else if (event.status === 'finished')
                    info(`packer ${event.step}: done`);
                break;
            case 'resource': {
                const list = {
                    instance: resources.instanceIds,
                    'key-pair': resources.keyPairs,
                    'security-group': resources.securityGroups,
                }[event.resource];
                if (!list.includes(event.id))
                    list.push(event.id);
                saveState(STATE.resources, resources);
                break;
            }
            case 'found':
            case 'fingerprint':
            case 'packer':
            case 'build':
                break;
        }
    };
}


/***/ })

};
