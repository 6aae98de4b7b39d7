export const id = 606;
export const ids = [606];
export const modules = {

/***/ 606:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AMI_ID_PATTERN: () => (/* reexport */ validate/* AMI_ID_PATTERN */.NN),
  DATA_TYPES: () => (/* reexport */ validate/* DATA_TYPES */.hL),
  DEFAULT_LABEL_WINDOW: () => (/* reexport */ validate/* DEFAULT_LABEL_WINDOW */.Ou),
  DEFAULT_REFERENCE_PATH: () => (/* reexport */ validate/* DEFAULT_REFERENCE_PATH */.aR),
  DEFAULT_ROLLBACK_WINDOW: () => (/* reexport */ validate/* DEFAULT_ROLLBACK_WINDOW */.u0),
  ImageNotUsableError: () => (/* reexport */ ImageNotUsableError),
  MAX_KEPT_VERSIONS: () => (/* reexport */ validate/* MAX_KEPT_VERSIONS */.aD),
  MAX_LABELS_PER_VERSION: () => (/* reexport */ validate/* MAX_LABELS_PER_VERSION */._z),
  PromoteSourceError: () => (/* reexport */ PromoteSourceError),
  REJECTED_TAG_KEY: () => (/* reexport */ rejected_tag/* REJECTED_TAG_KEY */.O),
  RejectedImageError: () => (/* reexport */ RejectedImageError),
  RollbackTargetError: () => (/* reexport */ RollbackTargetError),
  addReference: () => (/* reexport */ addReference),
  amiIdProblem: () => (/* reexport */ validate/* amiIdProblem */._B),
  describeFailure: () => (/* reexport */ describeFailure),
  describePointer: () => (/* reexport */ describePointer),
  descriptionProblem: () => (/* reexport */ validate/* descriptionProblem */.wR),
  earlierValues: () => (/* reexport */ earlierValues),
  findReferences: () => (/* reexport */ findReferences),
  labelProblem: () => (/* reexport */ validate/* labelProblem */.W6),
  labelWindowProblem: () => (/* reexport */ validate/* labelWindowProblem */.Gw),
  labelsProblem: () => (/* reexport */ validate/* labelsProblem */.pI),
  parameterNameProblem: () => (/* reexport */ validate/* parameterNameProblem */.c2),
  parameterPathProblem: () => (/* reexport */ validate/* parameterPathProblem */.qh),
  parseRollbackTarget: () => (/* reexport */ validate/* parseRollbackTarget */.Rm),
  planPrune: () => (/* reexport */ planPrune),
  pointerReferences: () => (/* reexport */ pointerReferences),
  promoteAmi: () => (/* reexport */ promoteAmi),
  protectedAmis: () => (/* reexport */ protectedAmis),
  pruneAmis: () => (/* reexport */ pruneAmis),
  publishAmi: () => (/* reexport */ publishAmi),
  readPointer: () => (/* reexport */ readPointer),
  rejectAmi: () => (/* reexport */ rejectAmi),
  rejectionOf: () => (/* reexport */ rejectionOf),
  rejectionTag: () => (/* reexport */ rejectionTag),
  resolveRollbackTarget: () => (/* reexport */ resolveRollbackTarget),
  rollbackAmi: () => (/* reexport */ rollbackAmi),
  rollbackLabel: () => (/* reexport */ validate/* rollbackLabel */.lM),
  tagProblem: () => (/* reexport */ validate/* tagProblem */.qH),
  waitForImage: () => (/* reexport */ waitForImage)
});

// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(1637);
// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var client_ssm_dist_cjs = __webpack_require__(4028);
// EXTERNAL MODULE: ../../packages/kernel/lib/errors.js
var errors = __webpack_require__(2196);
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
function sleep(ms, signal) {
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
 * to `timeoutMs`; one that is missing, failed or deregistered fails at once.
 */
async function waitForImage(ec2, region, amiId, options) {
    const deadline = Date.now() + options.timeoutMs;
    const interval = options.pollIntervalMs ?? 5_000;
    for (let poll = 1;; poll++) {
        const image = await describeImage(ec2, region, amiId, options.signal);
        const state = image.State ?? 'unknown';
        if (state === 'available') {
            options.log(`${amiId} is available in ${region} (${image.Name ?? 'no name'}, created ${image.CreationDate ?? '?'})`);
            return image;
        }
        if (state !== 'pending') {
            const reason = image.StateReason?.Message ? `: ${image.StateReason.Message}` : '';
            throw new ImageNotUsableError(amiId, region, `is ${state} in ${region}, not available${reason}`);
        }
        if (Date.now() + interval > deadline) {
            throw new errors/* TimeoutError */.MU(`${amiId} was still pending in ${region} after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout)`);
        }
        options.log(`${amiId} is pending in ${region}; checking again in ${Math.round(interval / 1000)} s (poll ${poll})`);
        await sleep(interval, options.signal);
    }
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
    let nextToken;
    try {
        do {
            const page = await ssm.send(new client_ssm_dist_cjs/* GetParameterHistoryCommand */.JFb({ Name: name, MaxResults: 50, NextToken: nextToken }), {
                abortSignal: signal,
            });
            versions.push(...(page.Parameters ?? []).map(toVersion));
            nextToken = page.NextToken;
        } while (nextToken);
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

// EXTERNAL MODULE: ../../packages/ami-publish/lib/rejected-tag.js
var rejected_tag = __webpack_require__(6718);
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
    return image.Tags?.find((tag) => tag.Key === rejected_tag/* REJECTED_TAG_KEY */.O)?.Value;
}
/**
 * An explicit publish of a rejected AMI: refused, so a re-run of a commit whose
 * rollout failed (same fingerprint, bake skipped) cannot roll the bad AMI out again.
 */
class RejectedImageError extends ImageNotUsableError {
    rejectedBy;
    constructor(amiId, region, rejectedBy) {
        super(amiId, region, `is rejected in ${region} (${rejected_tag/* REJECTED_TAG_KEY */.O}=${rejectedBy}: run ${rejectedBy} rejected it after a failed rollout); ` +
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
        await ec2.send(new dist_cjs/* CreateTagsCommand */.RmG({ Resources: [request.amiId], Tags: [{ Key: rejected_tag/* REJECTED_TAG_KEY */.O, Value: request.by }] }), { abortSignal: context.signal });
    }
    catch (error) {
        if ((0,aws_errors/* awsErrorClass */.e)(error) === 'not-found')
            throw notFound(request);
        throw error;
    }
    context.log.info(`[${request.region}] Tagged ${request.amiId} ${rejected_tag/* REJECTED_TAG_KEY */.O}=${request.by}: rollback-to previous, promote and pruning treat it as rejected`);
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
        log(`PutParameter ${name} = ${amiId} returned version ${version}${current ? ` (was ${current.value}, version ${current.version})` : ' (new parameter)'}`);
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
        context.log.info(`[${pointer.region}] Unlabelled version${removed.length > 1 ? 's' : ''} ${list}: only the newest ${window} versions keep labels (label-window), so SSM can always drop its oldest version`);
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
    return new errors/* ActionError */.lZ(`${pointer.name} in ${pointer.region} has 100 versions and its oldest, version ${oldest.version}, carries label${oldest.labels.length > 1 ? 's' : ''} ${oldest.labels.map((label) => `'${label}'`).join(', ')}, so SSM cannot drop it to write a new one (ParameterMaxVersionLimitExceeded)`, `Remove or move that label (aws ssm unlabel-parameter-version --region ${pointer.region} --name ${pointer.name} --parameter-version ${oldest.version} --labels ${labels}) and re-run; publish-ami does not delete history`);
}
/**
 * aws:ec2:image values are validated asynchronously: a version number from
 * PutParameter is not yet a value anyone can read. Poll until it reads back.
 */
async function confirmVersion(ssm, region, name, version, amiId, settings, context) {
    const timeoutMs = settings.waitTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const interval = settings.pollIntervalMs ?? 1_000;
    for (let poll = 1;; poll++) {
        const value = await readVersion(ssm, name, version, context.signal);
        if (value === amiId)
            return;
        if (value !== undefined) {
            throw new errors/* ActionError */.lZ(`${name}:${version} in ${region} reads back ${value}, not ${amiId}`, 'Another writer changed the parameter; re-run');
        }
        if (Date.now() + interval > deadline) {
            throw new errors/* TimeoutError */.MU(`${name}:${version} in ${region} never read back ${amiId} within ${Math.round(timeoutMs / 1000)} s; SSM did not accept the value (for aws:ec2:image it checks that the AMI exists and is visible to this account)`);
        }
        context.log.info(`[${region}] ${name}:${version} is not readable yet (SSM validates aws:ec2:image asynchronously); poll ${poll}`);
        await sleep(interval, context.signal);
    }
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
            log(`Note: ${first.value} (version ${first.version}) carries ${rejected_tag/* REJECTED_TAG_KEY */.O}=${rejectedBy}; rolling back to it because rollback-to names it`);
        return first;
    }
    const skipped = [];
    for (const candidate of earlierValues(pointer)) {
        const rejectedBy = await rejectionOf(ec2, candidate.value, signal);
        if (rejectedBy === undefined)
            return candidate;
        log(`Skipping version ${candidate.version} (${candidate.value}): it carries ${rejected_tag/* REJECTED_TAG_KEY */.O}=${rejectedBy}`);
        skipped.push(`${candidate.value} (version ${candidate.version})`);
    }
    const current = currentVersion(pointer);
    throw new RollbackTargetError(pointer.region, `${pointer.name} has no earlier value than ${current?.value ?? '?'} that is not rejected: ${skipped.join(', ')} carry ${rejected_tag/* REJECTED_TAG_KEY */.O}`);
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
        context.log.info(`[${region}] Rolling ${request.parameterName} back from version ${current?.version} (${current?.value}) to version ${target.version} (${target.value})`);
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
        pointerReferences(references, pointer, scope.rollbackWindow);
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
function pointerReferences(references, pointer, rollbackWindow) {
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
                    addReference(references, version.LaunchTemplateData?.ImageId, `launch template ${template.LaunchTemplateName ?? template.LaunchTemplateId} version ${version.VersionNumber ?? '?'}`);
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
    log(`Pruning plan for application=${request.application} (keep the newest ${request.keep}, and every AMI referenced by aws:ec2:image parameters under ${referencePath} ` +
        `(current, labelled and newest ${rollbackWindow} versions), launch templates, stacks or instances${request.dryRun ? '; dry run' : ''}):`);
    for (const entry of plan)
        log(`  ${entry.action === 'remove' ? 'REMOVE' : 'keep  '} ${entry.amiId} ${entry.name} (${entry.created}) — ${entry.reason}${entry.action === 'remove' ? `; snapshots: ${entry.snapshots.join(', ') || 'none'}` : ''}`);
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
    log(`Removed ${report.removed.length} AMI(s) and ${report.deletedSnapshots.length} snapshot(s)${report.failures.length ? `; ${report.failures.length} failure(s)` : ''}`);
    return report;
}
/**
 * AMIs one pointer protects, with why: its current and previous values,
 * every labelled version's value and its newest `rollbackWindow` versions.
 */
function protectedAmis(pointer, rollbackWindow = validate/* DEFAULT_ROLLBACK_WINDOW */.u0) {
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

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/describe.js
/** The pointer's state, for a `status` command or a report. */


/** Reads the pointer's current value, history and labels in one region. */
async function describePointer(request, context) {
    const ssm = context.clients.get(client_ssm_dist_cjs/* SSMClient */.jBj, request.region);
    const pointer = await readPointer(ssm, request.region, request.parameterName, context.signal);
    const current = currentVersion(pointer);
    const previous = previousVersion(pointer);
    return {
        region: request.region,
        parameterName: request.parameterName,
        exists: current !== undefined,
        ...(current ? { current } : {}),
        ...(previous ? { previous } : {}),
        labels: labelIndex(pointer),
        versions: pointer.versions,
    };
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
            throw new PromoteSourceError(region, `${request.from} holds ${source.value}, which carries ${rejected_tag/* REJECTED_TAG_KEY */.O}=${rejectedBy} (a failed rollout)`);
        }
        context.log.info(`[${region}] Promoting ${source.value} (${request.from} version ${source.version}) to ${request.parameterName}`);
        return { region, amiId: source.value };
    }, context.signal);
    return publishAmi({ ...request, targets }, context);
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/index.js













/***/ })

};
