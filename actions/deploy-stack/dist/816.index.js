export const id = 816;
export const ids = [816];
export const modules = {

/***/ 1816:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 20 modules
var lib_core = __webpack_require__(5926);
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
    core.saveState(name, typeof value === 'string' ? value : JSON.stringify(value));
}
/** Reads a value saved by `saveState` in the main step ('' when unset). */
function readState(name) {
    return core.getState(name);
}

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

// EXTERNAL MODULE: ../../node_modules/@smithy/node-http-handler/dist-cjs/index.js
var dist_cjs = __webpack_require__(8771);
// EXTERNAL MODULE: ../../node_modules/@smithy/util-retry/dist-cjs/index.js
var util_retry_dist_cjs = __webpack_require__(4506);
// EXTERNAL MODULE: ../../packages/kernel/lib/errors.js
var errors = __webpack_require__(2196);
;// CONCATENATED MODULE: ../../packages/kernel/lib/sleep.js
/** An abortable pause: the one way this project waits. */
/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep_sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}

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
    const sleep = options.sleep ?? sleep_sleep;
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
            throw new errors/* TimeoutError */.MU(await options.timeoutMessage());
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
var lib_region = __webpack_require__(883);
;// CONCATENATED MODULE: ../../packages/kernel/lib/client.js
/**
 * One factory for every AWS client the actions create, so that region,
 * endpoint, retries, timeouts and user agent are the same everywhere.
 */




/** Builds the config for an SDK client. */
function clientConfig(options) {
    const env = options.env ?? process.env;
    const maxAttempts = options.maxAttempts ?? 6;
    const endpoint = (0,lib_region/* endpointFor */.Lo)(options.service, env);
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-cloudformation/dist-cjs/index.js
var client_cloudformation_dist_cjs = __webpack_require__(7993);
// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var client_s3_dist_cjs = __webpack_require__(8299);
// EXTERNAL MODULE: ../../packages/kernel/lib/aws-errors.js
var aws_errors = __webpack_require__(8724);
// EXTERNAL MODULE: ../../packages/kernel/lib/format.js
var format = __webpack_require__(608);
;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/api.js
/** The AWS clients of a deploy, taken from the caller's Context, with every API call counted. */



/**
 * Returns a function that marks a command to be counted in `counts` when it
 * is sent (retries are not counted twice). It marks the command, not the
 * client: the Context's clients are shared by every deploy of the caller.
 */
function callCounter(counts) {
    return (command) => {
        command.middlewareStack.add((next, context) => (args) => {
            const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
            counts[name] = (counts[name] ?? 0) + 1;
            return next(args);
        }, { step: 'initialize', name: 'stackDeployCountCall' });
        return command;
    };
}
/**
 * An S3 client that addresses buckets by path, as local S3 endpoints (moto,
 * MinIO) need. Its class name is S3Client, so the Context's client factory
 * reads the S3 endpoint override for it.
 */
const PathStyleS3Client = class S3Client extends client_s3_dist_cjs/* S3Client */.YxF {
    constructor(config) {
        super({ ...config, forcePathStyle: true });
    }
};
/** The CloudFormation client of `region`. */
function cloudFormationClient(context, region) {
    return context.clients.get(client_cloudformation_dist_cjs/* CloudFormationClient */.m1N, region);
}
/** The S3 client of `region`; path-style addressing when an endpoint override is set. */
function s3Client(context, region) {
    return context.clients.get((0,lib_region/* endpointFor */.Lo)('S3', context.env) ? PathStyleS3Client : client_s3_dist_cjs/* S3Client */.YxF, region);
}

;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/events.js
/** Formatting of stack events and the root cause of a failure. */
/**
 * One aligned line: time, status, type, logical id, reason. `prefix` names
 * the nested stack an event came from (`Network/`).
 */
function formatEvent(event, prefix = '') {
    const time = (event.Timestamp ?? new Date()).toISOString().slice(11, 19);
    const status = (event.ResourceStatus ?? '?').padEnd(27);
    const type = (event.ResourceType ?? '?').padEnd(34);
    const id = `${prefix}${event.LogicalResourceId ?? '?'}`.padEnd(28);
    const reason = event.ResourceStatusReason ? ` ${oneLine(event.ResourceStatusReason)}` : '';
    return `${time}  ${status} ${type} ${id}${reason}`.trimEnd();
}
/** Reasons that only say "something else failed first". */
const NOISE = /^Resource (creation|update|deletion) cancelled\.?$/i;
/**
 * The failed resources of an operation, oldest first, without the cascade
 * noise ("Resource creation cancelled") and without the stack's own summary
 * event when resource events explain the failure.
 */
function rootCauses(events) {
    const failed = events.filter((event) => event.ResourceStatus?.endsWith('_FAILED'));
    const useful = failed.filter((event) => !NOISE.test((event.ResourceStatusReason ?? '').trim()));
    const resources = useful.filter((event) => event.ResourceType !== 'AWS::CloudFormation::Stack');
    const chosen = resources.length > 0 ? resources : useful;
    const seen = new Set();
    const result = [];
    for (const event of chosen) {
        const logicalId = `${event.prefix ?? ''}${event.LogicalResourceId ?? '?'}`;
        const reason = oneLine(event.ResourceStatusReason ?? 'no reason given');
        const key = `${logicalId}\u0000${reason}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        result.push({ logicalId, type: event.ResourceType ?? '?', status: event.ResourceStatus ?? '?', reason });
    }
    return result;
}
function oneLine(text) {
    return text.replace(/\s*\n\s*/g, ' ').trim();
}

// EXTERNAL MODULE: ../../packages/stack-deploy/lib/names.js
var names = __webpack_require__(2490);
;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/outputs.js
/** Stack outputs. */
/** Outputs as a plain map. */
function outputMap(outputs) {
    const result = {};
    for (const output of outputs ?? []) {
        if (output.OutputKey)
            result[output.OutputKey] = output.OutputValue ?? '';
    }
    return result;
}

;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/plan.js
/** The resource changes of a change set, nested change sets' ids prefixed. */
function changeRows(changes) {
    return (changes ?? []).flatMap((change) => {
        const resource = change.ResourceChange;
        if (!resource)
            return [];
        return [
            {
                action: resource.Action ?? '?',
                logicalId: resource.LogicalResourceId ?? '?',
                type: resource.ResourceType ?? '?',
                replacement: resource.Action === 'Modify' ? (resource.Replacement ?? '') : '',
            },
        ];
    });
}
/** Escapes a markdown table cell. */
function mdCell(text) {
    return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
/** Markdown summary of a planned deploy. */
function planMarkdown(plan) {
    const lines = [
        `### CloudFormation ${plan.changeSetType === 'CREATE' ? 'create' : 'update'} plan for \`${plan.stackName}\``,
        '',
    ];
    if (plan.changeSetName)
        lines.push(`Change set: \`${plan.changeSetName}\``, '');
    if (plan.noChanges) {
        lines.push('No changes.');
        return lines.join('\n');
    }
    if (plan.rows.length === 0) {
        lines.push('No resource changes (parameters, tags or outputs only).');
    }
    else {
        const counts = new Map();
        for (const row of plan.rows)
            counts.set(row.action, (counts.get(row.action) ?? 0) + 1);
        lines.push([...counts].map(([action, count]) => `${count} to ${action.toLowerCase()}`).join(', '), '');
        lines.push('| Action | Logical id | Type | Replacement |', '| --- | --- | --- | --- |');
        for (const row of plan.rows) {
            lines.push(`| ${[row.action, row.logicalId, row.type, row.replacement || '-'].map(mdCell).join(' | ')} |`);
        }
    }
    return lines.join('\n');
}

;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/status.js
/** What a stack status means for a deploy. */
/** Classifies a StackStatus (undefined: the stack does not exist). */
function classifyStatus(status) {
    if (status === undefined || status === 'REVIEW_IN_PROGRESS' || status === 'DELETE_COMPLETE')
        return { kind: 'absent' };
    if (status === 'ROLLBACK_COMPLETE')
        return { kind: 'failed-create' };
    if (status.endsWith('_IN_PROGRESS'))
        return { kind: 'in-progress' };
    switch (status) {
        case 'UPDATE_ROLLBACK_FAILED':
            return {
                kind: 'stuck',
                hint: 'Fix or skip the resources that could not roll back, then run "aws cloudformation ' +
                    'continue-update-rollback --stack-name <stack> [--resources-to-skip …]" and deploy again',
            };
        case 'ROLLBACK_FAILED':
            return {
                kind: 'stuck',
                hint: 'The failed create could not roll back; delete the stack (retaining the resources that failed to delete) ' +
                    'and deploy again',
            };
        case 'DELETE_FAILED':
            return {
                kind: 'stuck',
                hint: 'Delete the stack again, retaining or removing by hand the resources that failed to delete, ' +
                    'then deploy again',
            };
        case 'IMPORT_ROLLBACK_FAILED':
            return {
                kind: 'stuck',
                hint: 'Fix the resources that failed to roll back the import, then continue the rollback ' +
                    'in the CloudFormation console and deploy again',
            };
        default:
            return status.endsWith('_FAILED')
                ? { kind: 'stuck', hint: 'Resolve the failure in CloudFormation, then deploy again' }
                : { kind: 'ready' };
    }
}
/**
 * What to say of a stack that a person must repair: `failed` are the logical
 * ids of its resources in a *_FAILED state (the ones to skip or retain).
 * Undefined for other statuses.
 */
function stuckStackAdvice(status, stackName, failed) {
    const ids = failed.length > 0 ? failed.join(' ') : '<logical ids>';
    const listed = failed.join(', ');
    switch (status) {
        case 'UPDATE_ROLLBACK_FAILED':
            return {
                why: `the update failed and so did its rollback${listed ? ` (${listed})` : ''}`,
                next: 'fix those resources, or skip them with ' +
                    `"aws cloudformation continue-update-rollback --stack-name ${stackName} --resources-to-skip ${ids}", ` +
                    'then deploy again',
            };
        case 'ROLLBACK_FAILED':
            return {
                why: `its creation failed and the rollback could not delete ${listed || 'every resource'}`,
                next: `delete it with "aws cloudformation delete-stack --stack-name ${stackName}" ` +
                    `(if that ends in DELETE_FAILED, run it again with --retain-resources ${ids}), then deploy again`,
            };
        case 'DELETE_FAILED':
            return {
                why: `${listed || 'some resources'} could not be deleted`,
                next: 'delete the stack keeping them with ' +
                    `"aws cloudformation delete-stack --stack-name ${stackName} --retain-resources ${ids}" ` +
                    '(or remove them by hand first), then deploy again',
            };
        default:
            return undefined;
    }
}
/** True for a status in which no operation is running. */
function isSettled(status) {
    return !status.endsWith('_IN_PROGRESS');
}
/** True for the statuses that mean the operation we started succeeded. */
function isSuccess(status) {
    return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE';
}

;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/secrets.js
/** NoEcho names and the known values (an override, else the Default) of a template's parameters. */
function noEchoFacts(parameters, overrides) {
    const names = [];
    const values = new Set();
    for (const [name, facts] of parameters) {
        if (!facts.noEcho)
            continue;
        names.push(name);
        const override = overrides.get(name);
        if (override)
            values.add(override);
        if (facts.noEcho.defaultValue)
            values.add(facts.noEcho.defaultValue);
    }
    return { names, values: [...values] };
}
/**
 * The outputs to hide: those whose value contains a NoEcho value, and those
 * whose template expression uses a NoEcho parameter (`Ref`, `!Ref`,
 * `${Name}` in a Sub), which covers a value kept with UsePreviousValue that
 * this deploy never saw.
 */
function secretOutputKeys(outputs, noEcho, expressions) {
    return Object.entries(outputs)
        .filter(([key, value]) => noEcho.values.some((secret) => value.includes(secret)) || usesParameter(expressions?.get(key), noEcho.names))
        .map(([key]) => key);
}
/** True when an output's Value expression (JSON text) refers to one of `names`. */
function usesParameter(expression, names) {
    if (!expression)
        return false;
    return names.some((name) => expression.includes(JSON.stringify(name)) || expression.includes(`\${${name}}`));
}

// EXTERNAL MODULE: ../../packages/stack-deploy/lib/template-source.js
var template_source = __webpack_require__(3842);
;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/watch.js
/**
 * Waits for a stack operation to end while streaming its events (nested
 * stacks included). The wait is the kernel's `poll`: 200 ms right after
 * activity, growing to at most 1 s while nothing happens, so the end is
 * noticed within about a second with one API call per tick.
 */




/** Pause bounds of the watch: the end of an operation is seen within about a second. */
const MIN_INTERVAL_MS = 200;
const MAX_INTERVAL_MS = 1_000;
/** Also check DescribeStacks every this many ticks, in case an event is missed. */
const DESCRIBE_EVERY = 15;
/** A stack being watched: remembers which events were already printed. */
class StackWatcher {
    client;
    stackId;
    stackName;
    count;
    /** Every event printed during this watch, oldest first, with its nested-stack prefix. */
    events = [];
    seen = new Set();
    /** Nested stack id to its log prefix. */
    nested = new Map();
    /** `count` marks each command for the deploy's call counts. */
    constructor(client, stackId, stackName, count = (command) => command) {
        this.client = client;
        this.stackId = stackId;
        this.stackName = stackName;
        this.count = count;
    }
    /**
     * Marks every event that already exists as seen, so only the operation's
     * own events are printed. Call right before starting the operation.
     */
    async baseline() {
        const page = await this.client.send(this.count(new client_cloudformation_dist_cjs/* DescribeStackEventsCommand */.Ie9({ StackName: this.stackId })));
        for (const event of page.StackEvents ?? [])
            if (event.EventId)
                this.seen.add(event.EventId);
    }
    /** Prints new events of the stack and its nested stacks; returns how many were new. */
    async poll(log) {
        const fresh = await this.newEvents(this.stackId, '');
        for (const [id, nested] of this.nested) {
            if (nested.done)
                continue;
            fresh.push(...(await this.newEvents(id, nested.prefix)));
        }
        fresh.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
        let rootSettled;
        for (const event of fresh) {
            this.events.push(event);
            log(formatEvent(event, event.prefix));
            this.trackNested(event);
            if (event.prefix === '' && this.isRootEvent(event) && event.ResourceStatus && isSettled(event.ResourceStatus)) {
                rootSettled ??= event.ResourceStatus; // the first one ends our operation; a later one is another deploy's
            }
        }
        return { fresh: fresh.length, rootSettled };
    }
    isRootEvent(event) {
        return (event.ResourceType === 'AWS::CloudFormation::Stack' &&
            (event.PhysicalResourceId === this.stackId || event.LogicalResourceId === this.stackName));
    }
    /** A nested stack appears as an AWS::CloudFormation::Stack resource of its parent. */
    trackNested(event) {
        const id = event.PhysicalResourceId;
        if (event.ResourceType !== 'AWS::CloudFormation::Stack' || !id?.startsWith('arn:') || id === this.stackId)
            return;
        const entry = this.nested.get(id) ?? { prefix: `${event.prefix}${event.LogicalResourceId ?? '?'}/`, done: false };
        entry.done = event.ResourceStatus !== undefined && isSettled(event.ResourceStatus);
        this.nested.set(id, entry);
    }
    /** Unseen events of one stack, newest first: pages are read until one holds an event already seen. */
    async newEvents(stackId, prefix) {
        const result = [];
        const pages = (0,client_cloudformation_dist_cjs/* paginateDescribeStackEvents */.A_l)({ client: this.client, withCommand: this.count }, { StackName: stackId });
        for await (const page of pages) {
            let reachedSeen = false;
            for (const event of page.StackEvents ?? []) {
                if (!event.EventId || this.seen.has(event.EventId)) {
                    reachedSeen = true;
                    continue;
                }
                this.seen.add(event.EventId);
                result.push({ ...event, prefix });
            }
            if (reachedSeen)
                break;
        }
        return result;
    }
    /** The stack as DescribeStacks reports it now. */
    async describe() {
        const answer = await this.client.send(this.count(new client_cloudformation_dist_cjs/* DescribeStacksCommand */.Y47({ StackName: this.stackId })));
        const stack = answer.Stacks?.[0];
        if (!stack)
            throw new Error(`DescribeStacks returned no stack for ${this.stackId}`);
        return stack;
    }
    /**
     * Streams events until the stack settles; returns the settled stack.
     * Throws TimeoutError at the deadline and the signal's reason on abort.
     */
    async waitUntilSettled(options) {
        const now = options.clock.now ?? Date.now;
        let lastStatus;
        return poll(async (tick) => {
            const { fresh, rootSettled } = await this.poll(options.log);
            if (rootSettled || tick % DESCRIBE_EVERY === 0 || (tick === 1 && options.describeFirst)) {
                const stack = await this.describe();
                // Our operation's own final event decides its status: by the time we
                // describe the stack, another deploy may have started the next operation.
                if (rootSettled)
                    return { done: true, value: { ...stack, StackStatus: rootSettled } };
                if (stack.StackStatus && isSettled(stack.StackStatus)) {
                    // Settled between our events read and DescribeStacks: print the last events too.
                    const last = await this.poll(options.log);
                    const status = last.rootSettled ?? stack.StackStatus;
                    return { done: true, value: { ...stack, StackStatus: status } };
                }
            }
            if (now() >= options.deadline) {
                // The last check: a stack that settled unnoticed is not a timeout.
                const stack = await this.describe();
                if (stack.StackStatus && isSettled(stack.StackStatus))
                    return { done: true, value: stack };
                lastStatus = stack.StackStatus;
            }
            return { done: false, activity: fresh > 0 };
        }, {
            timeoutMs: options.deadline - now(),
            timeoutMessage: () => `Stack ${this.stackName} is still ${lastStatus ?? 'in progress'} after ${options.timeoutLabel}; ` +
                "the operation goes on in CloudFormation. Raise wait-timeout or look at the stack's events",
            minIntervalMs: MIN_INTERVAL_MS,
            maxIntervalMs: MAX_INTERVAL_MS,
            signal: options.signal,
            ...options.clock,
        });
    }
}

;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/deploy.js
/**
 * deployStack: create or update a stack through a change set, wait for it
 * while streaming events, and report outputs or the root cause. It is given
 * the caller's Context (logger, cancellation signal, environment, clients),
 * so the CLI calls it as well as the action.
 */













/** The deploy failed; `result` holds what is known (status, root cause, change set). */
class DeployFailedError extends errors/* ActionError */.lZ {
    result;
    constructor(message, result, hint) {
        super(message, hint);
        this.result = result;
    }
}
/** The deploy stopped because it was cancelled; the message says what goes on in CloudFormation. */
class DeployCancelledError extends errors/* CancelledError */.cc {
    constructor(message) {
        super();
        this.message = message;
    }
}
/**
 * Creates or updates the stack; resolves with the result or throws
 * DeployFailedError, DeployCancelledError, InvalidRequestError (naming the
 * request field) or TimeoutError. `clock` is for tests.
 */
async function deployStack(request, context, clock = {}) {
    return new Deploy(request, context, clock).run();
}
/** "run 12 attempt 1" or "local run", for a change set's description. */
function runLabel(run) {
    return run?.runId ? `run ${run.runId} attempt ${run.runAttempt ?? '1'}` : 'local run';
}
/** Bound on a clean-up call after a cancellation: GitHub sends SIGTERM 7.5 s after SIGINT. */
const CLEANUP_CALL_MS = 3_000;
/** Change-set polling: a change set is usually ready within a few seconds. */
const CHANGE_SET_POLL = { minIntervalMs: 200, maxIntervalMs: 1_000 };
/**
 * CloudFormation says that a change set would change nothing only in text:
 * a FAILED change set whose StatusReason says it "didn't contain changes",
 * or (moto, and UpdateStack-style validation) a ValidationError "No updates
 * are to be performed". There is no status or error code for it.
 */
function isEmptyChangeSetText(text) {
    return /didn't contain changes|No updates are to be performed/i.test(text);
}
/**
 * CloudFormation answers a call about a stack that does not exist (and moto
 * one about a missing change set) with a plain ValidationError whose text
 * says "does not exist": there is no error code of its own for it.
 */
function isDoesNotExist(error) {
    return (0,aws_errors/* awsErrorName */.Z)(error) === 'ValidationError' && /does not exist/i.test((0,errors/* errorMessage */.gJ)(error));
}
class Deploy {
    request;
    context;
    clock;
    log;
    warn;
    group;
    now;
    cfn;
    s3;
    /** Marks a command to be counted in the result's apiCalls. */
    count;
    deadline;
    result;
    /** A change set we created and have not executed: deleted if we stop early. */
    pendingChangeSet;
    /** The template's NoEcho parameters and their known values. */
    noEcho = { names: [], values: [] };
    /** Output Value expressions of a local template. */
    outputExpressions;
    constructor(request, context, clock) {
        this.request = request;
        this.context = context;
        this.clock = clock;
        const { log } = context;
        this.log = (line) => log.info(line);
        this.warn = (line) => log.warn(line);
        this.group = (title, body) => log.group(title, body);
        this.now = clock.now ?? Date.now;
        this.deadline = this.now() + request.waitTimeoutMs;
        this.result = {
            stackName: request.stackName,
            noChanges: false,
            executed: false,
            changes: [],
            outputs: {},
            secretOutputs: [],
            failures: [],
            apiCalls: {},
        };
        this.count = callCounter(this.result.apiCalls);
        this.cfn = cloudFormationClient(context, request.region);
        this.s3 = () => s3Client(context, request.region);
    }
    async run() {
        try {
            if (this.request.mode === 'execute')
                await this.executeNamed();
            else
                await this.createAndMaybeExecute();
            return this.result;
        }
        finally {
            await this.deletePendingChangeSet();
        }
    }
    // ---- create-and-execute and plan -------------------------------------------------
    async createAndMaybeExecute() {
        const { request } = this;
        if (!request.template)
            throw new errors/* InvalidRequestError */.tY('template', `is required in ${request.mode} mode`);
        const template = this.loadTemplate(request.template);
        // Before anything waits for, deletes or changes the stack: a bad override is bad input.
        const declaredFacts = await this.declaredParameters(template);
        this.registerSecrets(declaredFacts);
        const declared = new Set(declaredFacts.keys());
        this.checkOverrides(declared);
        let stack = await this.group(`Stack ${request.stackName}`, () => this.settledStack());
        const changeSetType = classifyStatus(stack?.StackStatus).kind === 'absent' ? 'CREATE' : 'UPDATE';
        this.result.stackId = stack?.StackId;
        this.result.status = stack?.StackStatus;
        this.result.changeSetType = changeSetType;
        const parameters = this.parameters(declared, stack);
        const templateArgs = await this.templateArgs(template);
        this.checkAbort();
        if (changeSetType === 'CREATE' &&
            stack === undefined &&
            request.mode === 'create-and-execute' &&
            this.needsCreateStack()) {
            await this.createStackDirectly(templateArgs, parameters, template.body);
            return;
        }
        if (request.timeoutInMinutes !== undefined) {
            this.warn('timeout-in-minutes is not applied: CloudFormation takes it only when the action creates a new stack ' +
                `with CreateStack, not with a ${changeSetType === 'CREATE' ? 'plan' : 'stack update'}`);
        }
        const name = (0,names/* changeSetName */.G)(request.run ?? {}, this.now());
        this.result.changeSetName = name;
        const changeSet = await this.group(`Change set ${name} (${changeSetType})`, () => this.createChangeSet(name, changeSetType, templateArgs, parameters));
        if (!changeSet)
            return; // empty: handled
        this.recordPlan(changeRows(changeSet.Changes));
        if (request.mode === 'plan') {
            this.pendingChangeSet = undefined; // kept on purpose, for a later execute
            stack = await this.describeStack();
            this.result.status = stack?.StackStatus;
            this.log(`Plan ready: change set ${name} was created and not executed; ` +
                `run mode execute with change-set-name ${name} to apply it.`);
            return;
        }
        await this.execute(this.result.changeSetId ?? name, changeSetType, stack);
    }
    /**
     * The stack after any running operation settled; undefined when there is
     * none. A ROLLBACK_COMPLETE stack is deleted first.
     */
    async settledStack() {
        let stack = await this.describeStack();
        let state = classifyStatus(stack?.StackStatus);
        this.log(stack
            ? `Stack ${this.request.stackName} is ${stack.StackStatus ?? '?'}`
            : `Stack ${this.request.stackName} does not exist; it will be created`);
        if (stack?.StackId && state.kind === 'in-progress') {
            const watcher = this.watcher(stack.StackId);
            await watcher.baseline();
            this.log(`Waiting for the running ${stack.StackStatus ?? ''} operation to finish before deploying:`);
            // It may have ended between DescribeStacks and the baseline: check the status on the first tick too.
            stack = await this.waitFor(watcher, { describeFirst: true });
            this.log(`Stack ${this.request.stackName} is now ${stack.StackStatus ?? '?'}`);
            state = classifyStatus(stack.StackStatus);
        }
        if (state.kind === 'stuck') {
            const status = stack?.StackStatus ?? '?';
            const advice = stuckStackAdvice(status, this.request.stackName, await this.failedResources());
            const result = { ...this.result, status: stack?.StackStatus, stackId: stack?.StackId };
            if (advice)
                throw new DeployFailedError(`Stack ${this.request.stackName} is ${status}: ${advice.why}; ${advice.next}`, result);
            throw new DeployFailedError(`Stack ${this.request.stackName} is ${status} and cannot be updated`, result, state.hint);
        }
        if (state.kind === 'failed-create' && stack?.StackId) {
            if (this.request.recreateFailedStack === false) {
                throw new DeployFailedError(`Stack ${this.request.stackName} is ROLLBACK_COMPLETE (its creation failed) ` +
                    'and recreate-failed-stack is false', { ...this.result, status: stack.StackStatus, stackId: stack.StackId }, 'Delete the stack, or set recreate-failed-stack to true to let the action delete and recreate it');
            }
            this.log(`Stack ${this.request.stackName} is ROLLBACK_COMPLETE (a failed create, which can only be deleted): ` +
                'deleting it to create it again');
            const watcher = this.watcher(stack.StackId);
            await watcher.baseline();
            await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* DeleteStackCommand */.fAr({ StackName: stack.StackId })));
            const deleted = await this.waitFor(watcher);
            if (deleted.StackStatus !== 'DELETE_COMPLETE') {
                throw new DeployFailedError(`Deleting the failed stack ${this.request.stackName} ended in ${deleted.StackStatus ?? '?'}`, { ...this.result, status: deleted.StackStatus }, 'Delete the stack by hand, then deploy again');
            }
            return undefined;
        }
        return state.kind === 'absent' && stack?.StackStatus !== 'REVIEW_IN_PROGRESS' ? undefined : stack;
    }
    /** Logical ids of the stack's resources in a *_FAILED state (the ones to skip or retain); [] when unknown. */
    async failedResources() {
        try {
            const answer = await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* DescribeStackResourcesCommand */.OTB({ StackName: this.request.stackName })));
            return (answer.StackResources ?? [])
                .filter((resource) => resource.ResourceStatus?.endsWith('_FAILED'))
                .map((resource) => resource.LogicalResourceId ?? '')
                .filter(Boolean);
        }
        catch (error) {
            this.warn(`Could not list the stack's failed resources: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return [];
        }
    }
    async describeStack() {
        try {
            const answer = await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* DescribeStacksCommand */.Y47({ StackName: this.request.stackName })));
            return answer.Stacks?.[0];
        }
        catch (error) {
            if (isDoesNotExist(error))
                return undefined;
            throw error;
        }
    }
    // ---- template and parameters ------------------------------------------------------
    loadTemplate(source) {
        if (source.kind === 'url')
            return { url: source.url };
        const body = (0,template_source/* readTemplateFile */.Pj)(source.path);
        const problem = (0,template_source/* templateSyntaxProblem */.Ps)(body);
        if (problem)
            throw new errors/* InvalidRequestError */.tY('template', problem);
        const bytes = Buffer.byteLength(body);
        if (bytes > template_source/* MAX_TEMPLATE_BODY_BYTES */.Tn && !this.request.templateBucket) {
            throw new errors/* InvalidRequestError */.tY('template', `is ${bytes} bytes, over CloudFormation's inline limit of ${template_source/* MAX_TEMPLATE_BODY_BYTES */.Tn}; ` +
                'set template-bucket so the action can upload it to S3');
        }
        return { body };
    }
    /** TemplateBody, or TemplateURL after uploading a large file. */
    async templateArgs(template) {
        if (template.url)
            return { TemplateURL: template.url };
        const body = template.body ?? '';
        if (Buffer.byteLength(body) <= template_source/* MAX_TEMPLATE_BODY_BYTES */.Tn)
            return { TemplateBody: body };
        const bucket = this.request.templateBucket ?? '';
        const digest = (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex').slice(0, 16);
        const key = `cloudformation/${this.request.stackName}/${digest}.template`;
        this.log(`Template is ${Buffer.byteLength(body)} bytes (over ${template_source/* MAX_TEMPLATE_BODY_BYTES */.Tn}): ` +
            `uploading it to s3://${bucket}/${key}`);
        await this.s3().send(this.count(new client_s3_dist_cjs/* PutObjectCommand */.wKZ({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' })));
        return { TemplateURL: (0,template_source/* s3HttpsUrl */.hc)(bucket, key, this.request.region) };
    }
    /**
     * An override the template does not declare is an InvalidRequestError. An inline
     * item is named by its place: after an unquoted comma its "key" may be a
     * piece of the previous value.
     */
    checkOverrides(declared) {
        const overrides = this.request.parameters ?? new Map();
        const unknown = [...overrides.keys()].filter((key) => !declared.has(key));
        if (unknown.length > 0) {
            const known = declared.size > 0 ? `it declares ${[...declared].join(', ')}` : 'it declares no parameters';
            const named = unknown.map((key) => overrides.places?.get(key) ?? `'${key}'`);
            throw new errors/* InvalidRequestError */.tY('parameters', `sets a parameter the template does not declare at ${named.join('; ')} ` +
                `(${known}; quote a value that holds a comma)`);
        }
    }
    /** Hands every known NoEcho value to `log.secret`, before anything could print it. */
    registerSecrets(declared) {
        this.noEcho = noEchoFacts(declared, this.request.parameters ?? new Map());
        for (const value of this.noEcho.values)
            this.context.log.secret(value);
    }
    /**
     * The Parameters to send: every override, and UsePreviousValue for a
     * parameter the stack has and the overrides leave unset.
     */
    parameters(declared, stack) {
        const overrides = this.request.parameters ?? new Map();
        const previous = new Set((stack?.Parameters ?? []).map((parameter) => parameter.ParameterKey));
        const result = [];
        for (const key of declared) {
            const value = overrides.get(key);
            if (value !== undefined)
                result.push({ ParameterKey: key, ParameterValue: value });
            else if (stack && previous.has(key))
                result.push({ ParameterKey: key, UsePreviousValue: true });
        }
        const kept = result.filter((parameter) => parameter.UsePreviousValue).map((parameter) => parameter.ParameterKey);
        if (kept.length > 0)
            this.log(`Parameters keeping their previous value: ${kept.join(', ')}`);
        return result;
    }
    /** The template's parameters: read locally when we have the text, else GetTemplateSummary (S3 or URL templates). */
    async declaredParameters(template) {
        const facts = template.body === undefined ? undefined : (0,template_source/* templateFacts */.AA)(template.body);
        if (facts) {
            this.outputExpressions = facts.outputs;
            return facts.parameters;
        }
        const input = template.url ? { TemplateURL: template.url } : { TemplateBody: template.body };
        const summary = await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* GetTemplateSummaryCommand */.A55(input)));
        const result = new Map();
        for (const parameter of summary.Parameters ?? []) {
            if (!parameter.ParameterKey)
                continue;
            const hasDefault = parameter.DefaultValue !== undefined;
            result.set(parameter.ParameterKey, {
                hasDefault,
                ...(parameter.NoEcho ? { noEcho: hasDefault ? { defaultValue: parameter.DefaultValue } : {} } : {}),
            });
        }
        return result;
    }
    // ---- change sets ---------------------------------------------------------------------
    /** What a change set and a direct CreateStack both send: capabilities, tags, role, notifications. */
    sharedStackArgs() {
        const { request } = this;
        return {
            Capabilities: request.capabilities?.length ? request.capabilities : undefined,
            Tags: request.tags?.length ? [...request.tags] : undefined,
            RoleARN: request.roleArn,
            NotificationARNs: request.notificationArns?.length ? [...request.notificationArns] : undefined,
        };
    }
    /** Creates the change set and waits for it; undefined when it is empty (no-changes handled). */
    async createChangeSet(name, type, templateArgs, parameters) {
        const { request } = this;
        let created;
        try {
            created = await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* CreateChangeSetCommand */.YDU({
                StackName: request.stackName,
                ChangeSetName: name,
                ChangeSetType: type,
                Description: `deploy-stack ${runLabel(request.run)}`,
                ...templateArgs,
                Parameters: parameters,
                ...this.sharedStackArgs(),
                OnStackFailure: type === 'CREATE' && request.disableRollback ? 'DO_NOTHING' : undefined,
            })));
        }
        catch (error) {
            if ((0,aws_errors/* awsErrorName */.Z)(error) === 'ValidationError' && isEmptyChangeSetText((0,errors/* errorMessage */.gJ)(error))) {
                this.result.changeSetName = undefined; // CloudFormation created none
                return this.empty((0,errors/* errorMessage */.gJ)(error));
            }
            throw error;
        }
        this.pendingChangeSet = created.Id ?? name;
        this.result.changeSetId = created.Id;
        this.result.stackId = created.StackId;
        const changeSet = await this.waitForChangeSet(created.Id ?? name);
        if (changeSet.Status === 'FAILED') {
            const reason = changeSet.StatusReason ?? 'no reason given';
            if (isEmptyChangeSetText(reason)) {
                await this.deletePendingChangeSet();
                return this.empty(reason);
            }
            throw new DeployFailedError(`Change set ${name} failed: ${reason}`, this.result, 'Fix the template or parameters and deploy again');
        }
        this.logChanges(changeRows(changeSet.Changes));
        return changeSet;
    }
    /** Records the planned changes and their markdown (the job summary, a pull-request comment). */
    recordPlan(rows, noChanges = false) {
        this.result.changes = rows;
        this.result.planMarkdown = planMarkdown({
            stackName: this.request.stackName,
            changeSetName: this.result.changeSetName,
            changeSetType: this.result.changeSetType ?? 'UPDATE',
            rows,
            noChanges,
        });
    }
    /** An empty change set: success with no-changes, or a failure when asked. */
    empty(reason) {
        this.result.noChanges = true;
        this.recordPlan([], true);
        this.log(`No changes: ${reason.trim()}`);
        if (this.request.failOnEmptyChangeSet) {
            throw new DeployFailedError(`Stack ${this.request.stackName} has no changes to deploy and fail-on-empty-changeset is true`, this.result);
        }
        return undefined;
    }
    /**
     * Waits until the change set is CREATE_COMPLETE or FAILED, with the kernel's
     * `poll`. (The SDK's waitUntilChangeSetCreateComplete throws on FAILED
     * without the StatusReason that tells an empty change set from a broken
     * one, and cannot be given the deploy's clock.)
     */
    async waitForChangeSet(id) {
        let status;
        return poll(async () => {
            const changeSet = await this.describeChangeSet(id);
            status = changeSet.Status;
            const done = changeSet.Status === 'CREATE_COMPLETE' || changeSet.Status === 'FAILED';
            return done ? { done, value: changeSet } : { done };
        }, {
            timeoutMs: this.deadline - this.now(),
            timeoutMessage: () => `Timed out after ${(0,format/* formatDuration */.a3)(this.request.waitTimeoutMs)} (wait-timeout): ` +
                `change set ${id} is still ${status ?? 'pending'}`,
            ...CHANGE_SET_POLL,
            signal: this.context.signal,
            ...this.clock,
        });
    }
    /** DescribeChangeSet; once the change set is complete, with all pages of its changes. */
    async describeChangeSet(id) {
        let first;
        const input = { ChangeSetName: id, StackName: this.request.stackName };
        for await (const page of (0,client_cloudformation_dist_cjs/* paginateDescribeChangeSet */.xV_)({ client: this.cfn, withCommand: this.count }, input)) {
            if (!first)
                first = page;
            else
                first.Changes = [...(first.Changes ?? []), ...(page.Changes ?? [])];
            if (first.Status !== 'CREATE_COMPLETE')
                break; // the changes are read once it is complete
        }
        if (!first)
            throw new Error(`DescribeChangeSet returned nothing for ${id}`);
        return first;
    }
    logChanges(rows) {
        if (rows.length === 0) {
            this.log('The change set changes no resources (parameters, tags or outputs only)');
            return;
        }
        for (const row of rows)
            this.log([
                row.action.padEnd(8),
                row.logicalId.padEnd(28),
                row.type.padEnd(34),
                row.replacement && `replacement: ${row.replacement}`,
            ]
                .join(' ')
                .trimEnd());
    }
    async deletePendingChangeSet() {
        const id = this.pendingChangeSet;
        if (!id)
            return;
        this.pendingChangeSet = undefined;
        try {
            await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* DeleteChangeSetCommand */.$GE({ ChangeSetName: id, StackName: this.request.stackName })), {
                abortSignal: AbortSignal.timeout(CLEANUP_CALL_MS),
            });
            this.log(`Deleted the unexecuted change set ${this.result.changeSetName ?? id}`);
        }
        catch (error) {
            this.warn(`Could not delete the change set ${id}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    // ---- execution ---------------------------------------------------------------------
    /** execute mode: runs a change set created earlier (by plan mode). */
    async executeNamed() {
        const name = this.request.changeSetName;
        if (!name)
            throw new errors/* InvalidRequestError */.tY('changeSetName', 'is required in execute mode');
        this.result.changeSetName = name;
        const stack = await this.describeStack();
        let changeSet;
        try {
            changeSet = await this.describeChangeSet(name);
        }
        catch (error) {
            if ((0,aws_errors/* awsErrorClass */.e)(error, { validationMeansMissing: isDoesNotExist(error) }) === 'not-found') {
                const problem = `names '${name}', which does not exist for stack ${this.request.stackName}`;
                throw new errors/* InvalidRequestError */.tY('changeSetName', problem);
            }
            throw error;
        }
        const type = stack?.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
        this.result.changeSetType = type;
        this.result.changeSetId = changeSet.ChangeSetId;
        this.recordPlan(changeRows(changeSet.Changes));
        if (changeSet.Status !== 'CREATE_COMPLETE' || changeSet.ExecutionStatus !== 'AVAILABLE') {
            throw new DeployFailedError(`Change set ${name} cannot be executed: ` +
                `it is ${changeSet.Status ?? '?'} / ${changeSet.ExecutionStatus ?? '?'}` +
                (changeSet.StatusReason ? ` (${changeSet.StatusReason})` : ''), this.result, 'Create a new plan and execute that');
        }
        this.logChanges(this.result.changes);
        await this.execute(changeSet.ChangeSetId ?? name, type, stack);
    }
    /** Executes the change set, waits, sets termination protection, reads outputs. */
    async execute(changeSet, type, stack) {
        const stackId = this.result.stackId ?? stack?.StackId ?? this.request.stackName;
        const watcher = this.watcher(stackId);
        await watcher.baseline();
        this.checkAbort();
        await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* ExecuteChangeSetCommand */.PB_({
            ChangeSetName: changeSet,
            StackName: this.request.stackName,
            DisableRollback: type === 'UPDATE' && this.request.disableRollback ? true : undefined,
            ClientRequestToken: this.result.changeSetName,
        })));
        this.pendingChangeSet = undefined;
        this.result.executed = true;
        await this.finish(watcher, type);
    }
    /** A new stack with a creation timeout or termination protection: CreateStack carries both, a change set cannot. */
    needsCreateStack() {
        return this.request.timeoutInMinutes !== undefined || this.request.terminationProtection === true;
    }
    async createStackDirectly(templateArgs, parameters, body) {
        const { request } = this;
        this.result.changeSetType = 'CREATE';
        const facts = body === undefined ? undefined : (0,template_source/* templateFacts */.AA)(body);
        this.recordPlan([...(facts?.resources ?? [])].map(([logicalId, type]) => ({
            action: 'Add',
            logicalId,
            type,
            replacement: '',
        })));
        this.log('Creating the stack with CreateStack, because change sets cannot carry timeout-in-minutes ' +
            'or termination protection for a new stack');
        this.logChanges(this.result.changes);
        const created = await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* CreateStackCommand */.O_S({
            StackName: request.stackName,
            ...templateArgs,
            Parameters: parameters,
            ...this.sharedStackArgs(),
            DisableRollback: request.disableRollback ? true : undefined,
            TimeoutInMinutes: request.timeoutInMinutes,
            EnableTerminationProtection: request.terminationProtection,
            ClientRequestToken: (0,names/* changeSetName */.G)(request.run ?? {}, this.now()),
        })));
        this.result.stackId = created.StackId;
        this.result.executed = true;
        await this.finish(this.watcher(created.StackId ?? request.stackName), 'CREATE');
    }
    /** Waits for the operation, then reports success (outputs) or the root cause. */
    async finish(watcher, type) {
        const stack = await this.group(`Events of ${this.request.stackName}`, async () => {
            this.log(`${'time'.padEnd(8)}  ${'status'.padEnd(27)} ${'type'.padEnd(34)} ${'logical id'.padEnd(28)} reason`);
            try {
                return await this.waitFor(watcher);
            }
            catch (error) {
                if (this.context.signal.aborted)
                    await this.onAbortWhileRunning(watcher, type);
                throw error;
            }
        });
        this.result.stackId = stack.StackId;
        this.result.status = stack.StackStatus;
        const status = stack.StackStatus ?? '?';
        if (!isSuccess(status)) {
            this.result.failures = rootCauses(watcher.events);
            if (this.result.failures.length === 0 && stack.StackStatusReason) {
                this.result.failures = [
                    {
                        logicalId: this.request.stackName,
                        type: 'AWS::CloudFormation::Stack',
                        status,
                        reason: stack.StackStatusReason,
                    },
                ];
            }
            this.logRootCause(status);
            const first = this.result.failures[0];
            const more = this.result.failures.length > 1 ? ` (and ${this.result.failures.length - 1} more)` : '';
            const advice = stuckStackAdvice(status, this.request.stackName, status.endsWith('_FAILED') ? await this.failedResources() : []);
            throw new DeployFailedError(`Stack ${this.request.stackName} ended in ${status}` +
                (first ? `: ${first.logicalId} (${first.type}) ${first.status}: ${first.reason}${more}` : ''), this.result, advice ? `${advice.why[0]?.toUpperCase() ?? ''}${advice.why.slice(1)}; ${advice.next}` : undefined);
        }
        await this.applyTerminationProtection(stack, type);
        this.result.outputs = outputMap(stack.Outputs);
        this.result.secretOutputs = secretOutputKeys(this.result.outputs, this.noEcho, this.outputExpressions);
        for (const key of this.result.secretOutputs)
            this.context.log.secret(this.result.outputs[key] ?? '');
        this.logOutputs();
    }
    logRootCause(status) {
        this.log('');
        this.log(`Root cause: stack ${this.request.stackName} is ${status}`);
        if (this.result.failures.length === 0)
            this.log('  (CloudFormation gave no failed resources; see the events above)');
        for (const failure of this.result.failures) {
            this.log(`  ${failure.logicalId} (${failure.type}) ${failure.status}: ${failure.reason}`);
        }
    }
    logOutputs() {
        const entries = Object.entries(this.result.outputs);
        if (entries.length === 0)
            return;
        this.log('Outputs:');
        const hidden = new Set(this.result.secretOutputs);
        for (const [key, value] of entries)
            this.log(`  ${key} = ${hidden.has(key) ? '*** (it carries a NoEcho parameter)' : value}`);
    }
    /**
     * Termination protection on an existing stack (or after a change-set
     * create): UpdateTerminationProtection, only when it differs. A failure
     * fails the deploy, since the protection the user asked for is not there.
     */
    async applyTerminationProtection(stack, type) {
        const wanted = this.request.terminationProtection;
        if (wanted === undefined || Boolean(stack.EnableTerminationProtection) === wanted)
            return;
        try {
            const input = { StackName: stack.StackId ?? this.request.stackName, EnableTerminationProtection: wanted };
            await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* UpdateTerminationProtectionCommand */.mP2(input)));
            this.log(`Termination protection turned ${wanted ? 'on' : 'off'}`);
        }
        catch (error) {
            throw new DeployFailedError(`Stack ${this.request.stackName} was ${type === 'CREATE' ? 'created' : 'updated'}, ` +
                `but turning termination protection ${wanted ? 'on' : 'off'} failed: ${(0,errors/* errorMessage */.gJ)(error)}`, this.result, 'Set it with "aws cloudformation update-termination-protection" or run the deploy again');
        }
    }
    /** On abort: cancel a running update (when allowed) and say what goes on in CloudFormation. */
    async onAbortWhileRunning(watcher, type) {
        const name = this.request.stackName;
        if (type === 'UPDATE' && this.request.cancelOnAbort !== false) {
            try {
                // Bounded, so that the step still exits within seconds of the cancellation.
                await this.cfn.send(this.count(new client_cloudformation_dist_cjs/* CancelUpdateStackCommand */.v6j({ StackName: watcher.stackId })), {
                    abortSignal: AbortSignal.timeout(CLEANUP_CALL_MS),
                });
                throw new DeployCancelledError(`Cancelled: sent CancelUpdateStack for ${name}; CloudFormation rolls the update back`);
            }
            catch (error) {
                if (error instanceof DeployCancelledError)
                    throw error;
                throw new DeployCancelledError(`Cancelled: CancelUpdateStack for ${name} failed (${(0,errors/* errorMessage */.gJ)(error)}); the update may still be running`);
            }
        }
        const why = type === 'UPDATE'
            ? 'cancel-on-abort is false, so the update goes on'
            : 'a stack creation cannot be cancelled; it goes on (delete the stack if it is not wanted)';
        throw new DeployCancelledError(`Cancelled while waiting for ${name}: ${why}`);
    }
    // ---- waiting -----------------------------------------------------------------------
    /** A watcher of `stackId` whose calls count in the result. */
    watcher(stackId) {
        return new StackWatcher(this.cfn, stackId, this.request.stackName, this.count);
    }
    waitFor(watcher, options = {}) {
        return watcher.waitUntilSettled({
            describeFirst: options.describeFirst,
            log: this.log,
            deadline: this.deadline,
            timeoutLabel: `waiting ${(0,format/* formatDuration */.a3)(this.request.waitTimeoutMs)} (wait-timeout)`,
            signal: this.context.signal,
            clock: this.clock,
        });
    }
    checkAbort() {
        if (this.context.signal.aborted)
            throw new DeployCancelledError(`Cancelled before changing stack ${this.request.stackName}`);
    }
}

// EXTERNAL MODULE: ../../packages/stack-deploy/lib/parsers.js + 3 modules
var parsers = __webpack_require__(1753);
;// CONCATENATED MODULE: ../../packages/stack-deploy/lib/index.js









// EXTERNAL MODULE: ./src/inputs.ts + 1 modules
var inputs = __webpack_require__(9219);
;// CONCATENATED MODULE: ./src/main.ts
/** deploy-stack: one deployStack call, its result as step outputs and a job summary. */




/** Action outputs of our own, which a stack output of the same name must not overwrite. */
const RESERVED_OUTPUTS = new Set([
    'stack-id',
    'status',
    'no-changes',
    'change-set-id',
    'change-set-name',
    'outputs-json',
    'plan-markdown',
]);
/** Deploys `request`; `signal` is the job's cancellation. */
async function run(request, signal) {
    const context = {
        // NoEcho values, and outputs that carry them, reach `mask` before any line that could print them.
        log: { info: info, warn: warning, secret: mask, group: group },
        signal,
        env: process.env,
        clients: clientFactory({ caller: 'deploy-stack', env: process.env, log: warning }),
    };
    let result;
    try {
        result = await deployStack(request, context);
    }
    catch (error) {
        if (error instanceof DeployFailedError) {
            const failed = error.result;
            if (failed.failures.length > 0) {
                // The step's own error line is one sentence; the annotation lists every root cause.
                const causes = failed.failures.map((cause) => `${cause.logicalId} (${cause.type}) ${cause.status}: ${cause.reason}`);
                annotateError(causes.join('\n'), `Stack ${request.stackName} ended in ${failed.status ?? 'failure'}`);
            }
            publish(failed);
            await writeSummary(request, failed, error.message);
        }
        throw (0,inputs/* asInputError */.XW)(error);
    }
    publish(result);
    await writeSummary(request, result);
    const calls = Object.entries(result.apiCalls);
    const total = calls.reduce((sum, [, count]) => sum + count, 0);
    info(`Done: ${request.stackName} is ${result.status ?? 'unchanged'}${result.noChanges ? ' (no changes)' : ''}; ` +
        `${total} AWS API calls`);
    info(`AWS API calls: ${calls.map(([operation, count]) => `${operation}=${count}`).join(', ')}`);
}
/** Sets the step outputs; those that carry a NoEcho value were masked by the deploy before it returned. */
function publish(result) {
    setOutput('stack-id', result.stackId);
    setOutput('status', result.status);
    setOutput('no-changes', result.noChanges);
    setOutput('change-set-id', result.changeSetId);
    setOutput('change-set-name', result.changeSetName);
    setOutput('outputs-json', result.outputs);
    setOutput('plan-markdown', result.planMarkdown);
    for (const [key, value] of Object.entries(result.outputs)) {
        if (RESERVED_OUTPUTS.has(key))
            warning(`Stack output '${key}' has the name of an action output; read it from outputs-json`);
        else
            setOutput(key, value);
    }
}
async function writeSummary(request, result, failure) {
    const summary = jobSummary().heading(`deploy-stack: ${request.stackName}`, 2);
    const status = result.noChanges
        ? 'no changes'
        : (result.status ?? (request.mode === 'plan' ? 'planned' : 'not changed'));
    const changeSet = result.changeSetName ? ` · **Change set:** \`${cell(result.changeSetName)}\`` : '';
    summary.text(`**Status:** ${cell(status)} · **Mode:** ${request.mode}${changeSet}`);
    if (failure)
        summary.text(`**Failed:** ${cell(failure)}`);
    if (result.changes.length > 0) {
        summary.heading('Changes', 3).table(['Action', 'Logical id', 'Type', 'Replacement'], result.changes.map((row) => [
            cell(row.action),
            cell(row.logicalId),
            cell(row.type),
            cell(row.replacement || '-'),
        ]));
    }
    if (result.failures.length > 0) {
        summary.heading('Root cause', 3).table(['Logical id', 'Type', 'Status', 'Reason'], result.failures.map((failed) => [
            cell(failed.logicalId),
            cell(failed.type),
            cell(failed.status),
            cell(failed.reason),
        ]));
    }
    const outputs = Object.entries(result.outputs);
    if (outputs.length > 0) {
        const hidden = new Set(result.secretOutputs);
        const rows = outputs.map(([key, value]) => [cell(key), hidden.has(key) ? '*** (NoEcho)' : cell(value)]);
        summary.heading('Outputs', 3).table(['Key', 'Value'], rows);
    }
    await summary.write();
}


/***/ })

};
