export const id = 652;
export const ids = [652];
export const modules = {

/***/ 7652:
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
const annotateError = (message, title) => core.error(message, title === undefined ? undefined : { title });

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

// EXTERNAL MODULE: ../../packages/kernel/lib/errors.js
var errors = __webpack_require__(2196);
// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(1637);
// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var client_ssm_dist_cjs = __webpack_require__(4028);
// EXTERNAL MODULE: ../../packages/kernel/lib/region.js
var region = __webpack_require__(883);
;// CONCATENATED MODULE: ../../packages/ami-publish/lib/all-or-abort.js
/** Running one piece of work per region so that the first failure stops the others. */
/**
 * Runs `work` for every item; the first failure aborts the others (through
 * the signal each one gets) and is rethrown, so no wait outlives the step.
 */
async function allOrAbort(items, work, outer) {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer.reason);
    if (outer.aborted)
        onOuterAbort();
    outer.addEventListener('abort', onOuterAbort, { once: true });
    try {
        return await Promise.all(items.map(async (item) => {
            try {
                return await work(item, controller.signal);
            }
            catch (error) {
                controller.abort(error);
                throw error;
            }
        }));
    }
    finally {
        outer.removeEventListener('abort', onOuterAbort);
    }
}

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

// EXTERNAL MODULE: ../../packages/kernel/lib/format.js
var format = __webpack_require__(608);
// EXTERNAL MODULE: ../../packages/kernel/lib/aws-errors.js
var aws_errors = __webpack_require__(8724);
;// CONCATENATED MODULE: ../../packages/ami-publish/lib/images.js
/** Checks that an AMI can be published: it exists in the region and is available. */


/** The AMI cannot be published; `problem` says why (the caller names its input). */
class ImageNotUsableError extends errors/* ActionError */.lZ {
    amiId;
    region;
    problem;
    constructor(amiId, region, problem) {
        super(`${amiId} ${problem}`);
        this.amiId = amiId;
        this.region = region;
        this.problem = problem;
    }
}
/**
 * Describes `amiId` until it is `available`. A pending AMI is waited for up
 * to `timeoutMs` (kernel `poll`: the SDK's waitUntilImageAvailable would
 * keep waiting on a deregistered or missing AMI); one that is missing,
 * failed or deregistered fails at once.
 */
async function waitForImage(ec2, region, amiId, options) {
    const interval = options.pollIntervalMs ?? 5_000;
    const image = await poll(async (check) => {
        const image = await describeImage(ec2, region, amiId, options.signal);
        const state = image.State ?? 'unknown';
        if (state === 'available')
            return { done: true, value: image };
        if (state !== 'pending') {
            const reason = image.StateReason?.Message ? `: ${image.StateReason.Message}` : '';
            throw new ImageNotUsableError(amiId, region, `is ${state} in ${region}, not available${reason}`);
        }
        options.log(`${amiId} is pending in ${region} (check ${check}); waiting up to ${(0,format/* formatDuration */.a3)(options.timeoutMs)}`);
        return { done: false };
    }, {
        timeoutMs: options.timeoutMs,
        timeoutMessage: () => `${amiId} was still pending in ${region} after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout)`,
        // An AMI takes minutes: start at the interval, then check less often.
        minIntervalMs: interval,
        maxIntervalMs: interval * 3,
        signal: options.signal,
    });
    options.log(`${amiId} is available in ${region} (${image.Name ?? 'no name'}, created ${image.CreationDate ?? '?'})`);
    return image;
}
async function describeImage(ec2, region, amiId, signal) {
    try {
        const response = await ec2.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [amiId] }), { abortSignal: signal });
        const image = response.Images?.find((candidate) => candidate.ImageId === amiId);
        if (image)
            return image;
    }
    catch (error) {
        if ((0,aws_errors/* awsErrorName */.Z)(error) === 'InvalidAMIID.Malformed')
            throw new ImageNotUsableError(amiId, region, `is not a well-formed AMI id`);
        if ((0,aws_errors/* awsErrorClass */.e)(error) !== 'not-found')
            throw error;
    }
    throw new ImageNotUsableError(amiId, region, `does not exist in ${region} (or is not shared with this account)`);
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/pointer.js
/** Reading the golden-AMI pointer: its versions, values and labels. */


/** Reads every kept version of `name` (SSM keeps the newest 100). */
async function readPointer(ssm, region, name, signal) {
    const versions = [];
    try {
        const query = { Name: name, MaxResults: 50 };
        for await (const page of (0,client_ssm_dist_cjs/* paginateGetParameterHistory */.b7d)({ client: ssm }, query, { abortSignal: signal })) {
            versions.push(...(page.Parameters ?? []).map(toVersion));
        }
    }
    catch (error) {
        if ((0,aws_errors/* awsErrorName */.Z)(error) !== 'ParameterNotFound')
            throw error;
    }
    versions.sort((a, b) => a.version - b.version);
    return { region, name, versions };
}
function toVersion(entry) {
    return {
        version: entry.Version ?? 0,
        value: entry.Value ?? '',
        labels: entry.Labels ?? [],
        ...(entry.Type ? { type: entry.Type } : {}),
        ...(entry.DataType ? { dataType: entry.DataType } : {}),
        ...(entry.Description ? { description: entry.Description } : {}),
        ...(entry.LastModifiedDate ? { modified: entry.LastModifiedDate.toISOString() } : {}),
        ...(entry.LastModifiedUser ? { modifiedBy: entry.LastModifiedUser } : {}),
    };
}
/** The newest version, if any. */
function currentVersion(pointer) {
    return pointer.versions.at(-1);
}
/** The version just before the newest one, if any. */
function previousVersion(pointer) {
    return pointer.versions.at(-2);
}
/** The version that carries `label`, if any (labels are unique per parameter). */
function versionWithLabel(pointer, label) {
    return pointer.versions.find((entry) => entry.labels.includes(label));
}
/** label → version number, for every label on any kept version. */
function labelIndex(pointer) {
    const index = {};
    for (const entry of pointer.versions)
        for (const label of entry.labels)
            index[label] = entry.version;
    return index;
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/rejected-tag.js
/**
 * The tag key that marks an AMI whose rollout failed; its value is the id of
 * the workflow run that rejected it. Written by the failure path of the
 * reusable workflow (publish-ami reject-ami), read by rollback-to previous,
 * promote and pruning. No AWS SDK here, so the action's summary can use it.
 */
const REJECTED_TAG_KEY = 'img-mgr:rejected';

// EXTERNAL MODULE: ../../packages/ami-publish/lib/validate.js
var validate = __webpack_require__(5723);
;// CONCATENATED MODULE: ../../packages/ami-publish/lib/rejected.js
/**
 * The rejected mark: an EC2 tag on an AMI whose rollout failed. The failure
 * path of the reusable workflow writes it; rollback (`previous`), promote
 * and pruning read it, so a bad AMI is never picked again by accident.
 */






/** The value of `amiId`'s rejected tag, or undefined when it has none (or the AMI is gone). */
async function rejectionOf(ec2, amiId, signal) {
    try {
        const response = await ec2.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [amiId] }), { abortSignal: signal });
        const image = response.Images?.find((candidate) => candidate.ImageId === amiId);
        return image ? rejectionTag(image) : undefined;
    }
    catch (error) {
        // A missing AMI is not rejected; whoever wants to use it finds out that it is gone.
        if ((0,aws_errors/* awsErrorClass */.e)(error) === 'not-found')
            return undefined;
        throw error;
    }
}
/** The value of a described image's rejected tag, or undefined when it has none. */
function rejectionTag(image) {
    return image.Tags?.find((tag) => tag.Key === REJECTED_TAG_KEY)?.Value;
}
/**
 * An explicit publish of a rejected AMI: refused, so a re-run of a commit whose
 * rollout failed (same fingerprint, bake skipped) cannot roll the bad AMI out again.
 */
class RejectedImageError extends ImageNotUsableError {
    rejectedBy;
    constructor(amiId, region, rejectedBy) {
        super(amiId, region, `is rejected in ${region} (${REJECTED_TAG_KEY}=${rejectedBy}: run ${rejectedBy} rejected it after a failed ` +
            `rollout); ` +
            `rebake with force (the workflow's force input, bake-ami force: true), or remove the tag to publish it anyway`);
        this.rejectedBy = rejectedBy;
    }
}
/** Tags `amiId` with `img-mgr:rejected=<by>` (overwriting an earlier rejection). */
async function rejectAmi(request, context) {
    const problem = (0,validate/* amiIdProblem */._B)(request.amiId);
    if (problem)
        throw new errors/* InvalidRequestError */.tY('amiId', `is invalid: ${problem}`);
    const ec2 = context.clients.get(dist_cjs/* EC2Client */.gu5, request.region);
    try {
        // DescribeImages first: CreateTags accepts ids of AMIs that do not exist on some endpoints.
        const found = await ec2.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [request.amiId] }), {
            abortSignal: context.signal,
        });
        if (!found.Images?.some((image) => image.ImageId === request.amiId))
            throw notFound(request);
        await ec2.send(new dist_cjs/* CreateTagsCommand */.RmG({ Resources: [request.amiId], Tags: [{ Key: REJECTED_TAG_KEY, Value: request.by }] }), { abortSignal: context.signal });
    }
    catch (error) {
        if ((0,aws_errors/* awsErrorClass */.e)(error) === 'not-found')
            throw notFound(request);
        throw error;
    }
    context.log.info(`[${request.region}] Tagged ${request.amiId} ${REJECTED_TAG_KEY}=${request.by}: rollback-to previous, promote ` +
        `and pruning treat it as rejected`);
}
function notFound(request) {
    return new ImageNotUsableError(request.amiId, request.region, `does not exist in ${request.region}, so it cannot be tagged rejected`);
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/write.js
/**
 * Writing one region's pointer: an idempotent PutParameter, a read-back that
 * confirms SSM accepted the value, then labels and tags.
 */




/**
 * Makes `pointer` hold `amiId`: no new version when it already does
 * (labels and tags are still completed, so a re-run repairs a half-done run).
 */
async function writePointer(ssm, pointer, amiId, settings, context) {
    const { region, name } = pointer;
    const log = (line) => context.log.info(`[${region}] ${line}`);
    const current = currentVersion(pointer);
    const before = {
        ...(current ? { previousAmiId: current.value, previousVersion: current.version } : {}),
    };
    const labelsBefore = labelIndex(pointer);
    const unchanged = current?.value === amiId;
    // The version that will hold the value: SSM numbers versions one by one.
    const newest = unchanged ? current.version : (current?.version ?? 0) + 1;
    const unlabelled = await trimLabelWindow(ssm, pointer, newest, settings.labelWindow ?? validate/* DEFAULT_LABEL_WINDOW */.Ou, context);
    let version;
    let changed;
    if (unchanged) {
        version = current.version;
        changed = false;
        log(`${name} already holds ${amiId} (version ${version}); no new version written`);
    }
    else {
        version = await putVersion(ssm, pointer, amiId, settings, context);
        changed = true;
        log(`PutParameter ${name} = ${amiId} returned version ` +
            `${version}${current ? ` (was ${current.value}, version ${current.version})` : ' (new parameter)'}`);
        await confirmVersion(ssm, region, name, version, amiId, settings, context);
        log(`Confirmed: ${name}:${version} reads back ${amiId}`);
    }
    const existing = current && !changed ? current.labels : [];
    const toAttach = settings.labels.filter((label) => !existing.includes(label));
    const movedLabels = toAttach
        .filter((label) => labelsBefore[label] !== undefined && labelsBefore[label] !== version)
        .map((label) => ({ label, fromVersion: labelsBefore[label] ?? 0 }));
    if (toAttach.length > 0) {
        await attachLabels(ssm, name, version, toAttach, context.signal);
        for (const moved of movedLabels)
            log(`Moved label ${moved.label} from version ${moved.fromVersion} to ${version}`);
        log(`Labelled version ${version}: ${toAttach.join(', ')}`);
    }
    const tagKeys = Object.keys(settings.tags);
    if (tagKeys.length > 0) {
        await ssm.send(new client_ssm_dist_cjs/* AddTagsToResourceCommand */.X3P({
            ResourceType: 'Parameter',
            ResourceId: name,
            Tags: Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value })),
        }), { abortSignal: context.signal });
        log(`Tagged ${name}: ${tagKeys.join(', ')}`);
    }
    return {
        region,
        parameterName: name,
        status: changed ? 'published' : 'unchanged',
        amiId,
        version,
        ...before,
        changed,
        labels: [...new Set([...existing, ...settings.labels])],
        movedLabels,
        unlabelled,
    };
}
/**
 * Removes the labels of every version older than the newest `window`,
 * counting from `newest` (the version that holds the value after this
 * write). With a window under 100, the oldest version SSM keeps is never
 * labelled, so the next PutParameter can always drop it.
 */
async function trimLabelWindow(ssm, pointer, newest, window, context) {
    const oldestKept = newest - window + 1;
    const stale = pointer.versions.filter((entry) => entry.version < oldestKept && entry.labels.length > 0);
    const removed = [];
    for (const entry of stale) {
        await ssm.send(new client_ssm_dist_cjs/* UnlabelParameterVersionCommand */.eP$({ Name: pointer.name, ParameterVersion: entry.version, Labels: entry.labels }), {
            abortSignal: context.signal,
        });
        removed.push({ version: entry.version, labels: [...entry.labels] });
        // Keep the in-memory pointer true to SSM for what follows (labels moved, version-limit message).
        entry.labels = [];
    }
    if (removed.length > 0) {
        const list = removed.map((entry) => `${entry.version} (${entry.labels.join(', ')})`).join(', ');
        context.log.info(`[${pointer.region}] Unlabelled version${removed.length > 1 ? 's' : ''} ${list}: only the newest ${window} ` +
            `versions keep labels (label-window), so SSM can always drop its oldest version`);
    }
    return removed;
}
async function putVersion(ssm, pointer, amiId, settings, context) {
    try {
        const response = await ssm.send(new client_ssm_dist_cjs/* PutParameterCommand */.ihh({
            Name: pointer.name,
            Value: amiId,
            Type: 'String',
            DataType: settings.dataType,
            ...(settings.description !== undefined ? { Description: settings.description } : {}),
            Overwrite: true,
        }), { abortSignal: context.signal });
        if (!response.Version)
            throw new errors/* ActionError */.lZ(`PutParameter ${pointer.name} answered without a version`);
        return response.Version;
    }
    catch (error) {
        if ((0,aws_errors/* awsErrorName */.Z)(error) !== 'ParameterMaxVersionLimitExceeded')
            throw error;
        throw await versionLimitError(ssm, pointer, context.signal);
    }
}
/**
 * SSM keeps 100 versions and drops the oldest on each write, unless the
 * oldest carries a label. Say which label blocks it instead of deleting history.
 */
async function versionLimitError(ssm, pointer, signal) {
    const fresh = await readPointer(ssm, pointer.region, pointer.name, signal);
    const oldest = fresh.versions[0];
    if (!oldest || oldest.labels.length === 0) {
        return new errors/* ActionError */.lZ(`${pointer.name} in ${pointer.region} has reached the limit of 100 versions (ParameterMaxVersionLimitExceeded)`, 'Remove the label from its oldest version and re-run');
    }
    const labels = oldest.labels.join(' ');
    return new errors/* ActionError */.lZ(`${pointer.name} in ${pointer.region} has 100 versions and its oldest, version ${oldest.version}, carries ` +
        `label${oldest.labels.length > 1 ? 's' : ''} ${oldest.labels.map((label) => `'${label}'`).join(', ')}, so ` +
        `SSM cannot drop it to write a new one (ParameterMaxVersionLimitExceeded)`, `Remove or move that label (aws ssm unlabel-parameter-version --region ${pointer.region} --name ` +
        `${pointer.name} --parameter-version ${oldest.version} --labels ${labels}) and re-run; publish-ami does not ` +
        `delete history`);
}
/**
 * aws:ec2:image values are validated asynchronously: a version number from
 * PutParameter is not yet a value anyone can read. Poll until it reads back.
 */
async function confirmVersion(ssm, region, name, version, amiId, settings, context) {
    const timeoutMs = settings.waitTimeoutMs;
    await poll(async (check) => {
        const value = await readVersion(ssm, name, version, context.signal);
        if (value === amiId)
            return { done: true, value: undefined };
        if (value !== undefined) {
            throw new errors/* ActionError */.lZ(`${name}:${version} in ${region} reads back ${value}, not ${amiId}`, 'Another writer changed the parameter; re-run');
        }
        const waiting = `${name}:${version} is not readable yet`;
        context.log.info(`[${region}] ${waiting} (SSM validates aws:ec2:image asynchronously); check ${check}`);
        return { done: false };
    }, {
        timeoutMs,
        timeoutMessage: () => `${name}:${version} in ${region} never read back ${amiId} within ${Math.round(timeoutMs / 1000)} s; ` +
            'SSM did not accept the value (for aws:ec2:image it checks that the AMI exists and is visible to this account)',
        minIntervalMs: settings.pollIntervalMs ?? 1_000,
        signal: context.signal,
    });
}
async function readVersion(ssm, name, version, signal) {
    try {
        const response = await ssm.send(new client_ssm_dist_cjs/* GetParameterCommand */.lhy({ Name: `${name}:${version}` }), { abortSignal: signal });
        return response.Parameter?.Value;
    }
    catch (error) {
        // ParameterNotFound or ParameterVersionNotFound: not visible yet.
        if ((0,aws_errors/* awsErrorClass */.e)(error) === 'not-found')
            return undefined;
        throw error;
    }
}
async function attachLabels(ssm, name, version, labels, signal) {
    const response = await ssm.send(new client_ssm_dist_cjs/* LabelParameterVersionCommand */.Xjy({ Name: name, ParameterVersion: version, Labels: labels }), {
        abortSignal: signal,
    });
    const invalid = response.InvalidLabels ?? [];
    if (invalid.length > 0) {
        throw new errors/* ActionError */.lZ(`SSM refused label${invalid.length > 1 ? 's' : ''} ${invalid.join(', ')} on ${name}:${version}`, 'Labels cannot start with a digit, aws or ssm');
    }
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/publish.js
/**
 * Publishing AMIs to the pointer in one or more regions. Everything is
 * checked in every region before anything is written; then each region is
 * written in turn and a failure in one does not hide what the others did.
 */









/**
 * Publishes each target's AMI to `parameterName` in its region. Throws,
 * having written nothing, when a value is malformed or an AMI is not
 * available or is tagged rejected; otherwise returns a report with every region's outcome.
 */
async function publishAmi(request, context) {
    checkSettings(request);
    if (request.targets.length === 0) {
        throw new errors/* InvalidRequestError */.tY('targets', 'is required: give at least one region and AMI');
    }
    for (const target of request.targets) {
        if (!(0,region/* isRegionName */.Us)(target.region)) {
            throw new errors/* InvalidRequestError */.tY('region', `has '${target.region}', which is not an AWS region name`);
        }
        const problem = (0,validate/* amiIdProblem */._B)(target.amiId);
        if (problem)
            throw new errors/* InvalidRequestError */.tY('targets', `for ${target.region} is invalid: ${problem}`);
    }
    const prepared = await allOrAbort(request.targets, async (target, signal) => {
        const ssm = context.clients.get(client_ssm_dist_cjs/* SSMClient */.jBj, target.region);
        const image = await waitForImage(context.clients.get(dist_cjs/* EC2Client */.gu5, target.region), target.region, target.amiId, {
            timeoutMs: request.waitTimeoutMs,
            log: (line) => context.log.info(`[${target.region}] ${line}`),
            signal,
            ...(request.pollIntervalMs !== undefined ? { pollIntervalMs: request.pollIntervalMs } : {}),
        });
        const rejectedBy = rejectionTag(image);
        if (rejectedBy !== undefined)
            throw new RejectedImageError(target.amiId, target.region, rejectedBy);
        const pointer = await readPointer(ssm, target.region, request.parameterName, signal);
        checkPointerType(pointer);
        return { ...target, ssm, pointer };
    }, context.signal);
    return writeRegions(prepared, request, context);
}
/** Writes each prepared region in turn; a failure is recorded, not thrown. */
async function writeRegions(prepared, settings, context, labelsFor = () => settings.labels) {
    const results = [];
    for (const region of prepared) {
        context.signal.throwIfAborted();
        try {
            const labels = labelsFor(region);
            results.push(await writePointer(region.ssm, region.pointer, region.amiId, { ...settings, labels }, context));
        }
        catch (error) {
            if (context.signal.aborted)
                throw error;
            const message = (0,errors/* errorMessage */.gJ)(error);
            context.log.info(`[${region.region}] FAILED: ${message}`);
            results.push({
                region: region.region,
                parameterName: settings.parameterName,
                status: 'failed',
                amiId: region.amiId,
                changed: false,
                labels: [],
                movedLabels: [],
                unlabelled: [],
                ...previousOf(region.pointer),
                error: message,
            });
        }
    }
    return { ok: results.every((result) => result.status !== 'failed'), results };
}
/** Which regions succeeded and which failed, in one line. */
function describeFailure(report) {
    const failed = report.results.filter((result) => result.status === 'failed');
    const succeeded = report.results.filter((result) => result.status !== 'failed');
    const failures = failed.map((result) => `${result.region} (${result.error ?? 'failed'})`).join('; ');
    const done = succeeded.length > 0 ? succeeded.map((result) => `${result.region} v${result.version ?? '?'}`).join(', ') : 'none';
    return `Publishing failed in ${failed.length} of ${report.results.length} region(s): ${failures}. Succeeded: ${done}`;
}
/** Syntax checks shared by publish and rollback (a safety net behind the caller's own). */
function checkSettings(settings, reservedLabels = 0) {
    const nameProblem = (0,validate/* parameterNameProblem */.c2)(settings.parameterName);
    if (nameProblem)
        throw new errors/* InvalidRequestError */.tY('parameterName', nameProblem);
    const labelProblem = (0,validate/* labelsProblem */.pI)(settings.labels, reservedLabels);
    if (labelProblem)
        throw new errors/* InvalidRequestError */.tY('labels', labelProblem);
    for (const [key, value] of Object.entries(settings.tags)) {
        const problem = (0,validate/* tagProblem */.qH)(key, value);
        if (problem)
            throw new errors/* InvalidRequestError */.tY('tags', problem);
    }
    const problem = settings.description === undefined ? undefined : (0,validate/* descriptionProblem */.wR)(settings.description);
    if (problem)
        throw new errors/* InvalidRequestError */.tY('description', problem);
    const windowProblem = settings.labelWindow === undefined ? undefined : (0,validate/* labelWindowProblem */.Gw)(settings.labelWindow);
    if (windowProblem)
        throw new errors/* InvalidRequestError */.tY('labelWindow', windowProblem);
}
/** The pointer must be a plain String parameter; anything else is someone else's parameter. */
function checkPointerType(pointer) {
    const type = currentVersion(pointer)?.type;
    if (type && type !== 'String') {
        throw new errors/* ActionError */.lZ(`${pointer.name} in ${pointer.region} is a ${type} parameter; an AMI pointer is a String`, 'Choose another parameter-name');
    }
}
function previousOf(pointer) {
    const current = currentVersion(pointer);
    return current ? { previousAmiId: current.value, previousVersion: current.version } : {};
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/rollback.js
/**
 * Rollback: republish the value of an earlier version as a new version, so
 * every reader (CloudFormation resolves the newest) goes back without a rebake.
 */









/** The target cannot be used; `problem` says why (the caller names its field). */
class RollbackTargetError extends errors/* ActionError */.lZ {
    region;
    problem;
    constructor(region, problem) {
        super(`${problem} (in ${region})`);
        this.region = region;
        this.problem = problem;
    }
}
/**
 * The earlier values of `pointer`, newest first, each once (at its newest
 * version), leaving out the current value: the candidates of `previous`.
 */
function earlierValues(pointer) {
    const current = currentVersion(pointer);
    const seen = new Set(current ? [current.value] : []);
    const earlier = [];
    for (const entry of [...pointer.versions].reverse()) {
        if (seen.has(entry.value))
            continue;
        seen.add(entry.value);
        earlier.push(entry);
    }
    return earlier;
}
/** The version `target` designates in `pointer` (for `previous`, whether rejected or not). */
function resolveRollbackTarget(pointer, target) {
    const current = currentVersion(pointer);
    if (!current)
        throw new RollbackTargetError(pointer.region, `${pointer.name} does not exist, so there is nothing to roll back`);
    switch (target.kind) {
        case 'previous': {
            const earlier = earlierValues(pointer)[0];
            if (!earlier)
                throw new RollbackTargetError(pointer.region, `${pointer.name} has no earlier value than ${current.value} to roll back to`);
            return earlier;
        }
        case 'version': {
            const found = pointer.versions.find((entry) => entry.version === target.version);
            if (!found) {
                const kept = `${pointer.versions[0]?.version ?? '?'}–${current.version}`;
                throw new RollbackTargetError(pointer.region, `${pointer.name} has no version ${target.version} (versions kept: ${kept})`);
            }
            return found;
        }
        case 'label': {
            const found = versionWithLabel(pointer, target.label);
            if (!found)
                throw new RollbackTargetError(pointer.region, `no version of ${pointer.name} carries label '${target.label}'`);
            return found;
        }
    }
}
/**
 * The version to roll back to. `previous` skips values whose AMI carries
 * the rejected tag (a rollout of it failed); a version or label named
 * explicitly is used even if rejected, with a note in the log.
 */
async function chooseTarget(pointer, to, ec2, context, signal) {
    const log = (line) => context.log.info(`[${pointer.region}] ${line}`);
    const first = resolveRollbackTarget(pointer, to);
    if (to.kind !== 'previous') {
        const rejectedBy = await rejectionOf(ec2, first.value, signal);
        if (rejectedBy !== undefined)
            log(`Note: ${first.value} (version ${first.version}) carries ${REJECTED_TAG_KEY}=${rejectedBy}; rolling back ` +
                `to it because rollback-to names it`);
        return first;
    }
    const skipped = [];
    for (const candidate of earlierValues(pointer)) {
        const rejectedBy = await rejectionOf(ec2, candidate.value, signal);
        if (rejectedBy === undefined)
            return candidate;
        log(`Skipping version ${candidate.version} (${candidate.value}): it carries ${REJECTED_TAG_KEY}=${rejectedBy}`);
        skipped.push(`${candidate.value} (version ${candidate.version})`);
    }
    const current = currentVersion(pointer);
    throw new RollbackTargetError(pointer.region, `${pointer.name} has no earlier value than ${current?.value ?? '?'} that is not rejected: ` +
        `${skipped.join(', ')} carry ${REJECTED_TAG_KEY}`);
}
/**
 * Rolls the pointer back in every region: resolves the target version
 * (`previous` skips rejected AMIs), checks its AMI is still available (it may have been pruned), then writes
 * its value as a new version labelled `rollback-from-v<current>`.
 */
async function rollbackAmi(request, context) {
    checkSettings(request, 1);
    const prepared = await allOrAbort(request.regions, async (region, signal) => {
        const ssm = context.clients.get(client_ssm_dist_cjs/* SSMClient */.jBj, region);
        const ec2 = context.clients.get(dist_cjs/* EC2Client */.gu5, region);
        const pointer = await readPointer(ssm, region, request.parameterName, signal);
        checkPointerType(pointer);
        const target = await chooseTarget(pointer, request.to, ec2, context, signal);
        const current = currentVersion(pointer);
        context.log.info(`[${region}] Rolling ${request.parameterName} back from version ${current?.version} (${current?.value}) to ` +
            `version ${target.version} (${target.value})`);
        try {
            await waitForImage(ec2, region, target.value, {
                timeoutMs: request.waitTimeoutMs,
                log: (line) => context.log.info(`[${region}] ${line}`),
                signal,
                ...(request.pollIntervalMs !== undefined ? { pollIntervalMs: request.pollIntervalMs } : {}),
            });
        }
        catch (error) {
            if (!(error instanceof ImageNotUsableError))
                throw error;
            throw new RollbackTargetError(region, `resolves to version ${target.version}, whose AMI ${error.message}; cannot roll back to it`);
        }
        return { region, amiId: target.value, ssm, pointer, target, fromVersion: current?.version ?? 0 };
    }, context.signal);
    const byRegion = new Map(prepared.map((entry) => [entry.region, entry]));
    const report = await writeRegions(prepared, request, context, (region) => {
        const entry = byRegion.get(region.region);
        const same = entry && currentVersion(entry.pointer)?.value === entry.amiId;
        return same || !entry ? request.labels : [...request.labels, (0,validate/* rollbackLabel */.lM)(entry.fromVersion)];
    });
    for (const result of report.results) {
        const entry = byRegion.get(result.region);
        if (entry)
            result.rolledBackTo = entry.target.version;
    }
    return report;
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/promote.js
/**
 * Promotion: publish the AMI that another environment's pointer holds now
 * (dev's golden AMI into prod's), with the same checks and write as a
 * publish. No bake: prod only ever gets an AMI that dev ran.
 */








/** The source pointer has no AMI that may be promoted; `problem` says why (the caller names its field). */
class PromoteSourceError extends errors/* ActionError */.lZ {
    region;
    problem;
    constructor(region, problem) {
        super(`${problem} (in ${region})`);
        this.region = region;
        this.problem = problem;
    }
}
/**
 * Publishes `from`'s current AMI to `parameterName` in every region. Throws,
 * having written nothing, when `from` does not exist or its AMI is rejected.
 */
async function promoteAmi(request, context) {
    const problem = (0,validate/* parameterNameProblem */.c2)(request.from);
    if (problem)
        throw new errors/* InvalidRequestError */.tY('from', problem);
    if (request.from === request.parameterName) {
        throw new errors/* InvalidRequestError */.tY('from', `names ${request.from}, the parameter being written; promote from another environment's parameter`);
    }
    const targets = await allOrAbort(request.regions, async (region, signal) => {
        const ssm = context.clients.get(client_ssm_dist_cjs/* SSMClient */.jBj, region);
        const source = currentVersion(await readPointer(ssm, region, request.from, signal));
        if (!source)
            throw new PromoteSourceError(region, `${request.from} does not exist, so no AMI is live there to promote`);
        const rejectedBy = await rejectionOf(context.clients.get(dist_cjs/* EC2Client */.gu5, region), source.value, signal);
        if (rejectedBy !== undefined) {
            throw new PromoteSourceError(region, `${request.from} holds ${source.value}, which carries ${REJECTED_TAG_KEY}=${rejectedBy} (a failed rollout)`);
        }
        context.log.info(`[${region}] Promoting ${source.value} (${request.from} version ${source.version}) to ${request.parameterName}`);
        return { region, amiId: source.value };
    }, context.signal);
    return publishAmi({ ...request, targets }, context);
}

// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-cloudformation/dist-cjs/index.js
var client_cloudformation_dist_cjs = __webpack_require__(7993);
;// CONCATENATED MODULE: ../../packages/ami-publish/lib/references.js
/**
 * What still uses an AMI in a region, with why: SSM pointers (current,
 * labelled and recent versions), launch template versions, CloudFormation
 * stack parameters and outputs, and instances that are not terminated.
 * Pruning keeps every AMI this finds.
 */




/** AMI ids in a text: a stack parameter or output can hold one, or a comma-separated list. */
const AMI_IN_TEXT = /\bami-(?:[0-9a-f]{17}|[0-9a-f]{8})\b/g;
/** Adds `reason` to each AMI id found in `text`. */
function addReference(references, text, reason) {
    for (const amiId of text?.match(AMI_IN_TEXT) ?? []) {
        const reasons = references.get(amiId) ?? [];
        if (!reasons.includes(reason))
            reasons.push(reason);
        references.set(amiId, reasons);
    }
}
/** Every reference in the region, gathered from SSM, launch templates, stacks and instances. */
async function findReferences(clients, scope) {
    const references = new Map();
    for (const pointer of await pointers(clients.ssm, scope))
        references_pointerReferences(references, pointer, scope.rollbackWindow);
    await launchTemplateReferences(clients.ec2, references, scope.signal);
    await stackReferences(clients.cfn, references, scope.signal);
    await instanceReferences(clients.ec2, references, scope.signal);
    return references;
}
/**
 * The pointer publish-ami writes and every aws:ec2:image parameter under the
 * path. DescribeParameters' DataType filter is not available everywhere
 * (moto refuses it), and GetParametersByPath returns the data type anyway,
 * so the filter is applied here.
 */
async function pointers(ssm, scope) {
    const names = new Set([scope.parameterName]);
    const query = { Path: scope.referencePath, Recursive: true };
    for await (const page of (0,client_ssm_dist_cjs/* paginateGetParametersByPath */.kU5)({ client: ssm }, query, { abortSignal: scope.signal })) {
        for (const parameter of page.Parameters ?? []) {
            if (parameter.Name && parameter.DataType === 'aws:ec2:image')
                names.add(parameter.Name);
        }
    }
    const result = [];
    for (const name of names)
        result.push(await readPointer(ssm, scope.region, name, scope.signal));
    return result;
}
/**
 * A pointer protects its current value, its previous value (what
 * `rollback-to: previous` returns to), every labelled version's value and
 * the values of its newest `rollbackWindow` versions.
 */
function references_pointerReferences(references, pointer, rollbackWindow) {
    const current = currentVersion(pointer);
    if (!current)
        return;
    const previous = pointer.versions
        .filter((entry) => entry.version < current.version && entry.value !== current.value)
        .at(-1);
    addReference(references, current.value, `current value of ${pointer.name} (version ${current.version})`);
    if (previous)
        addReference(references, previous.value, `previous value of ${pointer.name} (version ${previous.version})`);
    for (const entry of pointer.versions) {
        if (entry.labels.length > 0)
            addReference(references, entry.value, `value of labelled version ${entry.version} of ${pointer.name} (${entry.labels.join(', ')})`);
    }
    for (const entry of pointer.versions.slice(-rollbackWindow)) {
        if (entry.version !== current.version) {
            addReference(references, entry.value, `version ${entry.version} of ${pointer.name} is within the rollback window (newest ${rollbackWindow} versions)`);
        }
    }
}
/** Every version of every launch template (an Auto Scaling group may launch any of them). */
async function launchTemplateReferences(ec2, references, signal) {
    for await (const page of (0,dist_cjs/* paginateDescribeLaunchTemplates */.dij)({ client: ec2 }, {}, { abortSignal: signal })) {
        for (const template of page.LaunchTemplates ?? []) {
            if (!template.LaunchTemplateId)
                continue;
            const query = { LaunchTemplateId: template.LaunchTemplateId };
            for await (const versions of (0,dist_cjs/* paginateDescribeLaunchTemplateVersions */.ZY3)({ client: ec2 }, query, {
                abortSignal: signal,
            })) {
                for (const version of versions.LaunchTemplateVersions ?? []) {
                    addReference(references, version.LaunchTemplateData?.ImageId, `launch template ${template.LaunchTemplateName ?? template.LaunchTemplateId} version ` +
                        `${version.VersionNumber ?? '?'}`);
                }
            }
        }
    }
}
/** Parameters (with the resolved value of SSM-typed ones) and outputs of every stack. */
async function stackReferences(cfn, references, signal) {
    for await (const page of (0,client_cloudformation_dist_cjs/* paginateDescribeStacks */.GAO)({ client: cfn }, {}, { abortSignal: signal })) {
        for (const stack of page.Stacks ?? []) {
            const name = stack.StackName ?? '?';
            for (const parameter of stack.Parameters ?? []) {
                const reason = `parameter ${parameter.ParameterKey ?? '?'} of stack ${name}`;
                addReference(references, parameter.ParameterValue, reason);
                addReference(references, parameter.ResolvedValue, reason);
            }
            for (const output of stack.Outputs ?? [])
                addReference(references, output.OutputValue, `output ${output.OutputKey ?? '?'} of stack ${name}`);
        }
    }
}
/** Instances in any state but terminated: a stopped instance still starts from its AMI's snapshots. */
async function instanceReferences(ec2, references, signal) {
    const states = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];
    const query = { Filters: [{ Name: 'instance-state-name', Values: states }] };
    for await (const page of (0,dist_cjs/* paginateDescribeInstances */.H0T)({ client: ec2 }, query, { abortSignal: signal })) {
        for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
            if (instance.ImageId && instance.InstanceId) {
                addReference(references, instance.ImageId, `used by instance ${instance.InstanceId} (${instance.State?.Name ?? 'unknown state'})`);
            }
        }
    }
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/prune.js
/**
 * Pruning: deregister an application's older AMIs beyond the newest N and
 * delete their snapshots, never one that anything still uses (see
 * references.ts). The plan, with why each AMI is kept, is logged in full
 * before anything is removed.
 */







/** Plans and (unless dry-run) carries out the pruning of one region. */
async function pruneAmis(request, context) {
    if (!Number.isInteger(request.keep) || request.keep < 1) {
        throw new errors/* InvalidRequestError */.tY('keep', `must be a whole number of at least 1, got ${request.keep}`);
    }
    if (request.application.trim() === '') {
        throw new errors/* InvalidRequestError */.tY('application', 'is required for pruning (the application tag value)');
    }
    const referencePath = request.referencePath ?? validate/* DEFAULT_REFERENCE_PATH */.aR;
    const pathProblem = (0,validate/* parameterPathProblem */.qh)(referencePath);
    if (pathProblem)
        throw new errors/* InvalidRequestError */.tY('referencePath', pathProblem);
    const rollbackWindow = request.rollbackWindow ?? validate/* DEFAULT_ROLLBACK_WINDOW */.u0;
    if (!Number.isInteger(rollbackWindow) || rollbackWindow < 1) {
        throw new errors/* InvalidRequestError */.tY('rollbackWindow', `must be a whole number of at least 1, got ${rollbackWindow}`);
    }
    const log = (line) => context.log.info(`[${request.region}] ${line}`);
    const ssm = context.clients.get(client_ssm_dist_cjs/* SSMClient */.jBj, request.region);
    const ec2 = context.clients.get(dist_cjs/* EC2Client */.gu5, request.region);
    const cfn = context.clients.get(client_cloudformation_dist_cjs/* CloudFormationClient */.m1N, request.region);
    const images = await applicationImages(ec2, request.application, context.signal);
    const references = await findReferences({ ssm, ec2, cfn }, {
        region: request.region,
        parameterName: request.parameterName,
        referencePath,
        rollbackWindow,
        signal: context.signal,
    });
    const plan = planPrune(images, references, request.keep);
    log(`Pruning plan for application=${request.application} (keep the newest ${request.keep}, and every AMI ` +
        `referenced by aws:ec2:image parameters under ${referencePath} ` +
        `(current, labelled and newest ${rollbackWindow} versions), launch templates, stacks or ` +
        `instances${request.dryRun ? '; dry run' : ''}):`);
    for (const entry of plan)
        log(`  ${entry.action === 'remove' ? 'REMOVE' : 'keep  '} ${entry.amiId} ${entry.name} (${entry.created}) — ` +
            `${entry.reason}${entry.action === 'remove' ? `; snapshots: ${entry.snapshots.join(', ') || 'none'}` : ''}`);
    if (plan.length === 0)
        log('  no AMIs carry that tag');
    const report = {
        region: request.region,
        dryRun: request.dryRun,
        plan,
        removed: [],
        deletedSnapshots: [],
        failures: [],
    };
    if (request.dryRun) {
        log(`Dry run: would remove ${plan.filter((entry) => entry.action === 'remove').length} AMI(s); nothing removed`);
        return report;
    }
    for (const entry of plan.filter((candidate) => candidate.action === 'remove')) {
        await removeImage(ec2, entry, report, log, context.signal);
    }
    log(`Removed ${report.removed.length} AMI(s) and ${report.deletedSnapshots.length} ` +
        `snapshot(s)${report.failures.length ? `; ${report.failures.length} failure(s)` : ''}`);
    return report;
}
/**
 * AMIs one pointer protects, with why: its current and previous values,
 * every labelled version's value and its newest `rollbackWindow` versions.
 */
function protectedAmis(pointer, rollbackWindow = DEFAULT_ROLLBACK_WINDOW) {
    const references = new Map();
    pointerReferences(references, pointer, rollbackWindow);
    return references;
}
/**
 * Decides each AMI's fate, newest first: the newest `keep` stay, then any
 * referenced one stays (with every reason), the rest go.
 */
function planPrune(images, references, keep) {
    const sorted = [...images].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.ImageId ?? '').localeCompare(a.ImageId ?? ''));
    return sorted.map((image, index) => {
        const amiId = image.ImageId ?? '';
        const base = {
            amiId,
            name: image.Name ?? '',
            created: image.CreationDate ?? '',
            snapshots: (image.BlockDeviceMappings ?? []).flatMap((mapping) => mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []),
        };
        const reasons = [
            ...(index < keep ? [`one of the newest ${keep}`] : []),
            ...(references.get(amiId) ?? []),
            ...(image.State !== 'available' ? [`state is ${image.State}`] : []),
        ];
        return reasons.length > 0
            ? { ...base, action: 'keep', reason: reasons.join('; ') }
            : { ...base, action: 'remove', reason: `older than the newest ${keep} and referenced by nothing` };
    });
}
async function applicationImages(ec2, application, signal) {
    const images = [];
    const query = { Owners: ['self'], Filters: [{ Name: 'tag:application', Values: [application] }] };
    for await (const page of (0,dist_cjs/* paginateDescribeImages */.XiR)({ client: ec2 }, query, { abortSignal: signal })) {
        images.push(...(page.Images ?? []));
    }
    return images;
}
async function removeImage(ec2, entry, report, log, signal) {
    try {
        await ec2.send(new dist_cjs/* DeregisterImageCommand */.x2c({ ImageId: entry.amiId }), { abortSignal: signal });
        report.removed.push(entry.amiId);
        log(`Deregistered ${entry.amiId}`);
    }
    catch (error) {
        report.failures.push(`${entry.amiId}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        log(`Could not deregister ${entry.amiId}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return;
    }
    // Snapshots go after the AMI: EC2 refuses to delete a snapshot an AMI still uses.
    for (const snapshot of entry.snapshots) {
        try {
            await ec2.send(new dist_cjs/* DeleteSnapshotCommand */.tZN({ SnapshotId: snapshot }), { abortSignal: signal });
            report.deletedSnapshots.push(snapshot);
            log(`Deleted snapshot ${snapshot} of ${entry.amiId}`);
        }
        catch (error) {
            report.failures.push(`${snapshot}: ${(0,errors/* errorMessage */.gJ)(error)}`);
            log(`Could not delete snapshot ${snapshot} of ${entry.amiId}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/run.js
/**
 * One entry for everything publish-ami does in a step, for the action and
 * the CLI alike: tag a failed AMI rejected, then publish, roll back or
 * promote the pointer in every region, then prune each region written.
 */







/**
 * Runs the step: reject first (so that even if the rest fails, rollback and
 * pruning see the failed AMI as rejected), then the mode's write, then
 * pruning. Never throws: the outcome carries what was done and what failed.
 */
async function runPublishAmi(request, context) {
    const result = { mode: request.mode, rejected: false, prunes: [] };
    try {
        checkMode(request);
        if (request.reject) {
            await reject(request.reject, context);
            result.rejected = true;
        }
        const report = await write(request, context);
        if (report) {
            result.report = report;
            if (!report.ok)
                throw new errors/* ActionError */.lZ(describeFailure(report));
        }
        if (request.prune) {
            const regions = report ? report.results.map((entry) => entry.region) : (request.regions ?? []);
            for (const region of regions)
                result.prunes.push(await prune(request, request.prune, region, context));
            const failures = result.prunes.flatMap((entry) => entry.failures.map((failure) => `${entry.region} ${failure}`));
            if (failures.length > 0)
                throw new errors/* ActionError */.lZ(`Pruning could not remove everything: ${failures.join('; ')}`);
        }
    }
    catch (error) {
        result.error = error instanceof Error ? error : new errors/* ActionError */.lZ((0,errors/* errorMessage */.gJ)(error));
    }
    return result;
}
/** Each mode needs its own field. */
function checkMode(request) {
    const needs = {
        publish: ['targets', (request.targets?.length ?? 0) > 0],
        rollback: ['to', request.to !== undefined],
        promote: ['from', request.from !== undefined],
        reject: ['reject', request.reject !== undefined],
        prune: ['prune', request.prune !== undefined],
    };
    const [field, given] = needs[request.mode];
    if (!given)
        throw new errors/* InvalidRequestError */.tY(field, `is required when the mode is ${request.mode}`);
}
async function reject(target, context) {
    try {
        await context.log.group(`Reject ${target.amiId} in ${target.region}`, () => rejectAmi(target, context));
    }
    catch (error) {
        if (error instanceof ImageNotUsableError) {
            throw new errors/* InvalidRequestError */.tY('reject', `cannot be tagged: ${error.message}; nothing was written`);
        }
        throw error;
    }
}
/** The mode's write, with "this value cannot be used" turned into an error naming its field. */
async function write(request, context) {
    const regions = request.regions ?? [];
    const list = regions.join(', ');
    try {
        switch (request.mode) {
            case 'publish': {
                const targets = request.targets ?? [];
                const title = targets.map((target) => `${target.amiId} (${target.region})`).join(', ');
                return await context.log.group(`Publish ${title} to ${request.parameterName}`, () => publishAmi({ ...request, targets }, context));
            }
            case 'rollback': {
                const to = request.to ?? { kind: 'previous' };
                return await context.log.group(`Roll ${request.parameterName} back to ${describeTarget(to)} in ${list}`, () => rollbackAmi({ ...request, regions, to }, context));
            }
            case 'promote': {
                const from = request.from ?? '';
                return await context.log.group(`Promote the AMI of ${from} to ${request.parameterName} in ${list}`, () => promoteAmi({ ...request, regions, from }, context));
            }
            case 'reject':
            case 'prune':
                return undefined;
        }
    }
    catch (error) {
        if (error instanceof ImageNotUsableError) {
            throw new errors/* InvalidRequestError */.tY('targets', `cannot be published: ${error.message}; nothing was written`);
        }
        if (error instanceof RollbackTargetError) {
            throw new errors/* InvalidRequestError */.tY('to', `cannot be used: ${error.message}; nothing was written`);
        }
        if (error instanceof PromoteSourceError) {
            throw new errors/* InvalidRequestError */.tY('from', `cannot be promoted: ${error.message}; nothing was written`);
        }
        throw error;
    }
}
function prune(request, settings, region, context) {
    const dry = settings.dryRun ? ', dry run' : '';
    const title = `Prune ${settings.application} AMIs in ${region} (keep ${settings.keep}${dry})`;
    return context.log.group(title, () => pruneAmis({ ...settings, region, parameterName: request.parameterName }, context));
}
/** "the previous value", "version 3", "label release-1". */
function describeTarget(target) {
    switch (target.kind) {
        case 'previous':
            return 'the previous value';
        case 'version':
            return `version ${target.version}`;
        case 'label':
            return `label ${target.label}`;
    }
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/index.js













// EXTERNAL MODULE: ../../node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(8771);
// EXTERNAL MODULE: ../../node_modules/@smithy/util-retry/dist-cjs/index.js
var util_retry_dist_cjs = __webpack_require__(4506);
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
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000, throwOnRequestTimeout: true }),
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

;// CONCATENATED MODULE: ./src/summary.ts
/** The job summary: what each region's pointer held before and after, and what pruning did. */


/** Writes the summary of what was done, also when the step failed. */
async function writeSummary(request, result) {
    const { report, prunes } = result;
    const summary = jobSummary().heading(`publish-ami: ${headingOf(request)}`);
    if (request.reject && result.rejected) {
        summary.text(`${request.reject.amiId} is tagged ${REJECTED_TAG_KEY}=${request.reject.by}: ` +
            'rollback-to previous, promotion and pruning treat it as a failed rollout.');
    }
    if (report) {
        summary.table(['Region', 'Parameter', 'Old AMI → New AMI', 'Version', 'Labels', 'Result'], report.results.map((result) => [
            cell(result.region),
            cell(result.parameterName),
            cell(`${result.previousAmiId ?? '(none)'} → ${result.amiId}`),
            cell(result.version ?? '—'),
            cell(result.labels.join(', ')),
            cell(resultText(result)),
        ]));
        const unlabelled = report.results.flatMap((result) => result.unlabelled.map((entry) => `${result.region} version ${entry.version} (${entry.labels.join(', ')})`));
        if (unlabelled.length > 0) {
            summary.text(`Labels removed from versions older than the newest ${request.labelWindow ?? '?'} (label-window): ` +
                cell(unlabelled.join('; ')));
        }
    }
    else if (request.mode !== 'prune' && request.mode !== 'reject') {
        summary.text('Nothing was written: the step failed before publishing (see the error annotation).');
    }
    for (const prune of prunes) {
        summary.heading(`AMI pruning in ${prune.region}${prune.dryRun ? ' (dry run)' : ''}`, 3).table(['AMI', 'Name', 'Created', 'Action', 'Why'], prune.plan.map((entry) => [
            cell(entry.amiId),
            cell(entry.name),
            cell(entry.created),
            cell(entry.action === 'remove'
                ? prune.dryRun
                    ? 'would remove'
                    : prune.removed.includes(entry.amiId)
                        ? 'removed'
                        : 'not removed'
                : 'kept'),
            cell(entry.reason),
        ]));
    }
    await summary.write();
}
function headingOf(request) {
    switch (request.mode) {
        case 'rollback':
            return `rollback of ${request.parameterName}`;
        case 'promote':
            return `promotion of ${request.from ?? '?'} to ${request.parameterName}`;
        case 'reject':
            return `rejection of ${request.reject?.amiId ?? '?'}`;
        case 'publish':
        case 'prune':
            return request.parameterName;
    }
}
function resultText(result) {
    switch (result.status) {
        case 'published':
            return result.rolledBackTo !== undefined
                ? `rolled back to the value of version ${result.rolledBackTo}`
                : 'published';
        case 'unchanged':
            return 'unchanged (already held)';
        case 'failed':
            return `FAILED: ${result.error ?? ''}`;
    }
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * publish-ami: one call of @img-mgr/ami-publish's runPublishAmi, whose
 * outcome becomes the step's outputs, its job summary and its one error line.
 */





/** The action input that fills each field of the request (`targets` is ami-id or amis). */
const INPUT_OF_FIELD = {
    parameterName: 'parameter-name',
    labels: 'labels',
    labelWindow: 'label-window',
    tags: 'tags',
    description: 'description',
    region: 'region',
    to: 'rollback-to',
    from: 'promote-from',
    reject: 'reject-ami',
    amiId: 'reject-ami',
    prune: 'keep-amis',
    keep: 'keep-amis',
    application: 'application',
    referencePath: 'reference-path',
    rollbackWindow: 'rollback-window',
};
/** Runs the request; outputs and the summary are written even when it failed. */
async function run(inputs, signal, env = process.env) {
    const context = {
        log: { info: info, warn: warning, secret: mask, group: group },
        signal,
        env,
        clients: clientFactory({ caller: 'publish-ami', env, log: info }),
    };
    const result = await runPublishAmi(inputs.request, context);
    try {
        if (result.report)
            setPublishOutputs(inputs, result.report);
        if (inputs.request.prune && result.prunes.length > 0) {
            setOutput('pruned-amis', result.prunes.flatMap((prune) => prune.removed));
        }
    }
    finally {
        await writeSummary(inputs.request, result);
    }
    if (result.error !== undefined)
        throw blame(result.error, inputs);
}
/** A domain error about a request field becomes one naming the action input. */
function blame(error, inputs) {
    if (!(error instanceof errors/* InvalidRequestError */.tY))
        return error;
    const input = error.field === 'targets' || (error.field === 'region' && inputs.amiInput === 'amis')
        ? inputs.amiInput
        : (INPUT_OF_FIELD[error.field] ?? error.field);
    return new errors/* InputError */.dz(input, error.problem);
}
/** Single-value outputs from the primary region; `results` for all of them. */
function setPublishOutputs(inputs, report) {
    const primary = report.results.find((result) => result.region === inputs.primaryRegion) ?? report.results[0];
    if (primary && primary.status !== 'failed') {
        setOutput('ami-id', primary.amiId);
        setOutput('version', primary.version);
    }
    setOutput('previous-ami-id', primary?.previousAmiId ?? '');
    setOutput('previous-version', primary?.previousVersion ?? '');
    setOutput('changed', report.results.some((result) => result.changed));
    const results = Object.fromEntries(report.results.map((result) => [
        result.region,
        {
            parameter: result.parameterName,
            status: result.status,
            'ami-id': result.amiId,
            version: result.version ?? null,
            changed: result.changed,
            'previous-ami-id': result.previousAmiId ?? null,
            'previous-version': result.previousVersion ?? null,
            labels: result.labels,
            ...(result.rolledBackTo !== undefined ? { 'rolled-back-to': result.rolledBackTo } : {}),
            ...(result.error !== undefined ? { error: result.error } : {}),
        },
    ]));
    setOutput('results', results);
    for (const result of report.results) {
        if (result.status === 'unchanged') {
            info(`[${result.region}] ${result.parameterName} already held ${result.amiId}: version ${result.version}, ` +
                `changed=false`);
        }
        if (result.status === 'failed')
            warning(`[${result.region}] ${result.error ?? 'failed'}`);
    }
}


/***/ })

};
