export const id = 828;
export const ids = [828];
export const modules = {

/***/ 6828:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  sweepRunLeftovers: () => (/* reexport */ sweepRunLeftovers)
});

// UNUSED EXPORTS: ArtifactCollector, BAKE_VARIABLES, FINGERPRINT_FORMAT, FINGERPRINT_TAG, LineSplitter, MIRROR_ENV, MachineReadableParser, PREFLIGHT_OPTIONS, PackerError, REGIONS_TAG, RELEASES_URL, RUN_ID_TAG, SignatureError, bakeAmi, bakeFingerprint, buildOfUiText, checkSettings, computeFingerprint, describeFilter, expectedChecksum, findBakedAmi, findBakedCopies, hasUrlCredentials, hclAmazonEbsOptions, hclSourceAmi, hclVariables, inspectTemplate, installPacker, jsonSourceAmi, jsonVariables, keyProblem, mergeAmis, newRunId, packerVersion, parseAmiArtifactId, parseRecord, pluginConstraints, preflightTemplate, readSourceAmiSpec, readSourceOptions, releasePlatform, resolvePacker, resolveSourceAmi, runPacker, supportsInit, tagBakedRegions, unescapeField, urlCredentialsProblem, variableWithUrlCredentials, verifyDetachedSignature, writeManifest

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(4379);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ../../packages/packer-bake/lib/signature.js
/**
 * Checks a detached OpenPGP signature with the system's gpg (present on
 * GitHub's ubuntu runners), in a throwaway keyring that holds only the
 * trusted key, and accepts it only when gpg reports a good signature made by
 * that key (its primary key or one of its subkeys).
 */





/** A signature that does not verify; the message is one line. */
class SignatureError extends (/* unused pure expression or super */ null && (ActionError)) {
    name = 'SignatureError';
}
function gpg(binary, args, env) {
    return new Promise((resolve, reject) => {
        execFile(binary, args, { timeout: 60_000, env: { ...env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
            const code = error?.code;
            if (code === 'ENOENT') {
                reject(new SignatureError(`${binary} is not installed; it is needed to check HashiCorp's signature on the Packer download ` +
                    "(install gnupg, or put Packer on PATH and set packer-version to 'path')"));
                return;
            }
            if (error && typeof code !== 'number') {
                reject(new SignatureError(`${binary} failed: ${error.message.split('\n')[0] ?? ''}`));
                return;
            }
            resolve({ code: typeof code === 'number' ? code : 0, stdout, stderr });
        });
    });
}
/**
 * Verifies `signaturePath` (detached) over `dataPath` against `key`.
 * Resolves when good; throws SignatureError naming `label` otherwise.
 */
async function signature_verifyDetachedSignature(dataPath, signaturePath, key, options) {
    const binary = options.gpgBinary ?? 'gpg';
    const expected = key.fingerprint.replace(/\s+/g, '').toUpperCase();
    // A short path: gpg puts sockets in its home directory, and their paths have a length limit.
    const home = await mkdtemp(join(tmpdir(), 'gpg-'));
    try {
        const keyFile = join(home, 'trusted.asc');
        await writeFile(keyFile, key.armored);
        const common = ['--batch', '--no-tty', '--no-autostart', '--homedir', home];
        const imported = await gpg(binary, [...common, '--import', keyFile], options.env);
        if (imported.code !== 0)
            throw new SignatureError(`Cannot read the trusted signing key (gpg exit code ${imported.code})`);
        const verified = await gpg(binary, [...common, '--status-fd', '1', '--verify', signaturePath, dataPath], options.env);
        const status = verified.stdout.split('\n').filter((line) => line.startsWith('[GNUPG:] '));
        const good = status.some((line) => line.startsWith('[GNUPG:] GOODSIG '));
        // VALIDSIG <signing key fpr> … <primary key fpr>
        const signers = status
            .filter((line) => line.startsWith('[GNUPG:] VALIDSIG '))
            .flatMap((line) => {
            const fields = line.split(' ');
            return [fields[2], fields[fields.length - 1]];
        });
        if (verified.code === 0 && good && signers.includes(expected))
            return;
        throw new SignatureError(`${options.label} ${signatureProblem(status, expected)}; the download was refused`);
    }
    finally {
        await rm(home, { recursive: true, force: true });
    }
}
/** What went wrong, from gpg's status lines. */
function signatureProblem(status, expected) {
    const has = (keyword) => status.some((line) => line.startsWith(`[GNUPG:] ${keyword} `) || line === `[GNUPG:] ${keyword}`);
    if (has('BADSIG'))
        return 'has a bad signature (the file was changed after it was signed)';
    if (has('EXPKEYSIG'))
        return 'is signed by an expired key';
    if (has('REVKEYSIG'))
        return 'is signed by a revoked key';
    if (has('ERRSIG') || has('NO_PUBKEY'))
        return `is not signed by the trusted key ${expected}`;
    if (has('NODATA'))
        return 'has a signature file that holds no OpenPGP signature';
    if (has('GOODSIG'))
        return `is signed by another key than ${expected}`;
    return 'has a signature that gpg could not verify';
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/binary.js
/** Finding Packer: the one on PATH, or a release installed through the tool cache. */








const run = (0,external_node_util_.promisify)(external_node_child_process_.execFile);
/** Where Packer releases come from; the env variable overrides it (mirrors, tests). */
const RELEASES_URL = 'https://releases.hashicorp.com/packer';
const MIRROR_ENV = 'IMG_MGR_PACKER_MIRROR';
/** Returns the Packer to use, installing the requested release when PATH does not have it. */
async function binary_resolvePacker(request, context) {
    const { version } = request;
    const onPath = findOnPath('packer', context.env.PATH ?? '');
    if (version === 'path') {
        if (!onPath)
            throw new ActionError('Packer is not on PATH', "Set 'packer-version' to a release (for example 1.11.2) to install it");
        return { path: onPath, version: await packerVersion(onPath, context.env), source: 'path' };
    }
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version)) {
        throw new InvalidRequestError('packerVersion', `has '${version}', which is not a Packer release version such as 1.11.2`);
    }
    if (onPath) {
        const pathVersion = await packerVersion(onPath, context.env).catch(() => '');
        if (pathVersion === version)
            return { path: onPath, version, source: 'path' };
        context.log.info(`Packer on PATH is ${pathVersion || 'unknown'}, not ${version}; using the release ${version}`);
    }
    return installPacker(version, context, request);
}
/** `packer version` → `1.6.6` (run with `env`, the caller's environment). */
async function packerVersion(binary, env) {
    const { stdout } = await run(binary, ['version'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: 30_000 });
    const match = /Packer v?(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
    if (!match?.[1])
        throw new ActionError(`Cannot read the version from '${binary} version': ${stdout.trim().slice(0, 200)}`);
    return match[1];
}
/** True when this Packer has `packer init` (1.7.0 and later). */
function binary_supportsInit(version) {
    const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
    return major > 1 || (major === 1 && minor >= 7);
}
/** The release platform name of this machine, e.g. `linux_amd64`. */
function releasePlatform(platform = process.platform, arch = process.arch) {
    const os = platform === 'win32' ? 'windows' : platform;
    const cpu = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' }[arch] ?? arch;
    return `${os}_${cpu}`;
}
/**
 * Installs a Packer release through @actions/tool-cache: reuses a cached
 * copy, else downloads SHA256SUMS and its signature, checks the signature
 * with HashiCorp's release key, then downloads the zip, checks it against
 * SHA256SUMS and caches the extracted binary.
 */
async function installPacker(version, context, options = {}) {
    const log = (line) => context.log.info(line);
    const toolCache = await __webpack_require__.e(/* import() */ 777).then(__webpack_require__.bind(__webpack_require__, 2777));
    const binaryName = process.platform === 'win32' ? 'packer.exe' : 'packer';
    const cached = toolCache.find('packer', version);
    if (cached) {
        log(`Using Packer ${version} from the tool cache (${cached})`);
        return { path: join(cached, binaryName), version, source: 'tool-cache' };
    }
    const base = (context.env[MIRROR_ENV] || RELEASES_URL).replace(/\/+$/, '');
    const zipName = `packer_${version}_${releasePlatform()}.zip`;
    const zipUrl = `${base}/${version}/${zipName}`;
    const sumsName = `packer_${version}_SHA256SUMS`;
    const sumsUrl = `${base}/${version}/${sumsName}`;
    const sumsPath = await download(toolCache, sumsUrl, version);
    const signaturePath = await download(toolCache, `${sumsUrl}.sig`, version);
    const key = options.trustedKey ?? (await hashicorpKey());
    await verifyDetachedSignature(sumsPath, signaturePath, key, { label: sumsName, env: context.env });
    log(`Verified the signature on ${sumsName} (key ${key.fingerprint.replace(/\s+/g, '')})`);
    const expected = expectedChecksum(await readFile(sumsPath, 'utf8'), zipName);
    if (!expected)
        throw new ActionError(`${sumsUrl} lists no checksum for ${zipName}`);
    log(`Downloading ${zipUrl}`);
    const zipPath = await download(toolCache, zipUrl, version);
    const actual = await sha256File(zipPath);
    if (actual !== expected) {
        throw new ActionError(`Checksum mismatch for ${zipName}: SHA256SUMS says ${expected}, the download is ${actual}`);
    }
    log(`Verified ${zipName} against packer_${version}_SHA256SUMS (sha256 ${actual})`);
    const extracted = await toolCache.extractZip(zipPath);
    const dir = await toolCache.cacheDir(extracted, 'packer', version);
    const path = join(dir, binaryName);
    if (!existsSync(path))
        throw new ActionError(`${zipName} does not contain ${binaryName}`);
    return { path, version, source: 'download' };
}
/** HashiCorp's release key, loaded only when a release is downloaded. */
async function hashicorpKey() {
    const { HASHICORP_KEY_ARMORED, HASHICORP_KEY_FINGERPRINT } = await __webpack_require__.e(/* import() */ 95).then(__webpack_require__.bind(__webpack_require__, 8095));
    return { armored: HASHICORP_KEY_ARMORED, fingerprint: HASHICORP_KEY_FINGERPRINT };
}
/** Network error codes that mean the release server cannot be reached at all. */
const UNREACHABLE = new Set([
    'ENOTFOUND',
    'EAI_AGAIN',
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'ENETUNREACH',
    'EHOSTUNREACH',
]);
/** downloadTool with one-line errors: no network, or the HTTP status of a missing file. */
async function download(toolCache, url, version) {
    try {
        return await toolCache.downloadTool(url);
    }
    catch (error) {
        const { code, httpStatusCode } = error;
        const host = new URL(url).host;
        if (code && UNREACHABLE.has(code)) {
            throw new ActionError(`Cannot download Packer ${version}: ${host} cannot be reached (${code}; no network?). ` +
                `Put Packer on PATH and set packer-version to 'path', or set ${MIRROR_ENV} to a reachable mirror`);
        }
        if (httpStatusCode !== undefined)
            throw new ActionError(`Cannot download Packer ${version}: ${url} answered HTTP ${httpStatusCode}`);
        throw new ActionError(`Cannot download Packer ${version} from ${url}: ${error.message.split('\n')[0] ?? ''}`);
    }
}
/** The checksum SHA256SUMS lists for `fileName` (`<hex>  <name>` lines). */
function expectedChecksum(sums, fileName) {
    for (const line of sums.split(/\r?\n/)) {
        const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)$/.exec(line.trim());
        if (match?.[2] === fileName)
            return match[1]?.toLowerCase();
    }
    return undefined;
}
function sha256File(path) {
    return new Promise((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(path)
            .on('data', (chunk) => hash.update(chunk))
            .on('error', reject)
            .on('end', () => resolve(hash.digest('hex')));
    });
}
/** The full path of `name` on `path`, if any. */
function findOnPath(name, path) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
        const full = join(dir, name);
        if (existsSync(full))
            return full;
    }
    return undefined;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/credentials.js
/**
 * URLs with credentials (`https://x-access-token:ghp_…@github.com/…`). A
 * Packer variable reaches Packer's log, the provisioner's environment and,
 * for flask_repo, the AMI's tags, where no mask covers it: such a value is
 * refused, and the refusal never repeats it.
 */



/** The first variable whose value holds a URL with credentials. */
function credentials_variableWithUrlCredentials(variables) {
    return Object.entries(variables).find(([, value]) => hasUrlCredentials(value))?.[0];
}
/** What to say about such a variable (its name only). */
function credentials_urlCredentialsProblem(name) {
    return (`sets '${name}' to a URL with credentials (user:token@), which would reach Packer's log and the AMI's tags; ` +
        'use a URL without them (a public repository, or a deploy key on the instance)');
}
/** The first var file (a path as given) whose text holds a URL with credentials; Packer reports unreadable ones. */
async function credentials_varFileWithUrlCredentials(paths) {
    for (const path of paths) {
        const text = await readFile(path, 'utf8').catch(() => '');
        if (hasUrlCredentials(text))
            return path;
    }
    return undefined;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/request.js
/**
 * What a bake is asked to do (`BakeRequest`) and the checks a request passes
 * before anything reads AWS or runs Packer. A problem is an
 * InvalidRequestError naming the request field; the caller turns the field
 * into its own input or flag name.
 */




/** Variables bake-ami passes to Packer when the template declares them. */
const request_BAKE_VARIABLES = {
    fingerprint: 'fingerprint',
    runId: 'run_id',
    appRevision: 'app_revision',
    region: 'region',
};
/** The request's paths, absolute: the working directory, the template and the var files. */
function request_requestPaths(request) {
    const cwd = resolve(request.workingDirectory);
    const varFiles = request.varFiles.map((file) => (isAbsolute(file) ? file : resolve(cwd, file)));
    return { cwd, template: resolve(cwd, request.template), varFiles };
}
/** A run id unique to one bake: the workflow run (from `env`), its attempt and a random part. */
function newRunId(env) {
    const random = randomBytes(3).toString('hex');
    if (env.GITHUB_RUN_ID)
        return `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${random}`;
    return `local-${Date.now()}-${random}`;
}
/** The variables bake-ami sets itself; a request may not set them. */
const RESERVED_VARIABLES = [request_BAKE_VARIABLES.fingerprint, request_BAKE_VARIABLES.runId];
/**
 * Refuses variables that must never reach Packer: one bake-ami sets itself,
 * and a URL with credentials, which would reach Packer's log and the AMI's
 * tags. The refusal names the variable, never its value.
 */
function checkVariables(variables) {
    const reserved = RESERVED_VARIABLES.find((name) => name in variables);
    if (reserved)
        throw new InvalidRequestError('variables', `sets '${reserved}', which bake-ami sets itself`);
    const withCredentials = variableWithUrlCredentials(variables);
    if (withCredentials !== undefined)
        throw new InvalidRequestError('variables', urlCredentialsProblem(withCredentials));
}
/** `checkVariables`, then the same refusal for a var file (`varFiles` resolved) that holds a URL with credentials. */
async function request_checkRequest(request, varFiles) {
    checkVariables(request.variables);
    const file = await varFileWithUrlCredentials(varFiles);
    if (file !== undefined) {
        throw new InvalidRequestError('varFiles', `names '${file}', which holds a URL with credentials (user:token@) ` +
            "that would reach Packer's log and the AMI's tags; use a URL without them");
    }
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/source-ami.js
/**
 * The base image a bake starts from, resolved the way Packer resolves an
 * amazon-ebs `source_ami_filter` (filters, owners, most_recent), before
 * deciding to skip: a patched base image is a new source AMI id, so a new
 * fingerprint and a rebake.
 */


/**
 * Reads the template's files and var files once. `var.NAME` values are taken
 * from `variables`, then the var files (the last that sets it), then the
 * variable's default; a reference none of them sets stays as written.
 */
async function readTemplateValues(configFiles, variables, varFiles) {
    const texts = await Promise.all(configFiles.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
    const fileValues = {};
    for (const file of varFiles) {
        for (const [name, value] of Object.entries(varFileValues(await readFile(file, 'utf8'))))
            fileValues[name] = { value, file };
    }
    const defaults = {};
    for (const { file, text } of texts)
        Object.assign(defaults, file.endsWith('.json') ? jsonVariableDefaults(text) : variableDefaults(text));
    const resolve = (raw) => {
        const trimmed = raw.trim();
        const name = /^var\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(trimmed)?.[1] ?? /^\{\{\s*user\s+`([^`]+)`\s*\}\}$/.exec(trimmed)?.[1];
        if (!name)
            return { value: raw, origin: { kind: 'template' } };
        const given = variables[name];
        if (given !== undefined)
            return { value: given, variable: name, origin: { kind: 'variables' } };
        const fromFile = fileValues[name];
        if (fromFile)
            return { value: fromFile.value, variable: name, origin: { kind: 'var-file', file: fromFile.file } };
        const fallback = defaults[name];
        if (fallback !== undefined)
            return { value: fallback, variable: name, origin: { kind: 'default' } };
        return { value: raw, variable: name, origin: { kind: 'template' } };
    };
    return { texts, resolve };
}
/**
 * Reads the first `source_ami_filter` (or `source_ami`) of the template's
 * HCL or JSON files. `var.NAME` values are taken from `variables`, then the
 * var files, then the variable's default.
 */
async function source_ami_readSourceAmiSpec(configFiles, variables, varFiles) {
    const { texts, resolve } = await readTemplateValues(configFiles, variables, varFiles);
    const value = (raw) => resolve(raw).value;
    for (const { file, text } of texts) {
        const spec = file.endsWith('.json') ? jsonSourceAmi(text) : hclSourceAmi(text);
        if (spec.kind === 'literal')
            return { kind: 'literal', amiId: value(spec.amiId) };
        if (spec.kind === 'filter') {
            const { filters, owners, mostRecent } = spec.filter;
            return {
                kind: 'filter',
                filter: {
                    filters: Object.fromEntries(Object.entries(filters).map(([key, raw]) => [key, value(raw)])),
                    owners: owners.map(value),
                    mostRecent,
                },
            };
        }
    }
    return { kind: 'none' };
}
/**
 * The top-level `options` of every amazon-ebs source (HCL `source
 * "amazon-ebs"` blocks, JSON builders of that type) that are a string or a
 * variable reference, resolved like `readSourceAmiSpec` does; duplicates
 * (the same option and value in two sources) once.
 */
async function source_ami_readSourceOptions(configFiles, variables, varFiles, options) {
    const { texts, resolve } = await readTemplateValues(configFiles, variables, varFiles);
    const found = new Map();
    for (const { file, text } of texts) {
        const sources = file.endsWith('.json') ? jsonAmazonEbsOptions(text, options) : hclAmazonEbsOptions(text, options);
        for (const { option, raw } of sources) {
            const resolved = { option, ...resolve(raw) };
            found.set(`${option}=${resolved.value}`, resolved);
        }
    }
    return [...found.values()];
}
/** `option = "literal"` or `option = var.NAME` lines at the top level of each `source "amazon-ebs"` block. */
function hclAmazonEbsOptions(text, options) {
    const found = [];
    for (const match of text.matchAll(/^\s*source\s+"amazon-ebs"\s+"[^"]*"\s*\{/gm)) {
        const body = topLevel(blockBody(text.slice(match.index), /\{/) ?? '');
        for (const option of options) {
            const line = new RegExp(`^\\s*${option}\\s*=\\s*(?:"([^"]*)"|(var\\.[A-Za-z0-9_-]+))\\s*(?:#.*|//.*)?$`, 'm').exec(body);
            if (line)
                found.push({ option, raw: line[1] ?? line[2] ?? '' });
        }
    }
    return found;
}
/** String `options` of a legacy JSON template's amazon-ebs builders. */
function jsonAmazonEbsOptions(text, options) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return [];
    }
    const found = [];
    for (const builder of parsed.builders ?? []) {
        if (builder.type !== 'amazon-ebs')
            continue;
        for (const option of options) {
            const raw = builder[option];
            if (typeof raw === 'string')
                found.push({ option, raw });
        }
    }
    return found;
}
/** The `source_ami_filter { filters = {...} owners = [...] most_recent = ... }` block of an HCL file. */
function hclSourceAmi(text) {
    const body = blockBody(text, /^\s*source_ami_filter\s*\{/m);
    if (body !== undefined) {
        const filtersBody = blockBody(body, /^\s*filters\s*=\s*\{/m) ?? '';
        const filters = {};
        for (const match of filtersBody.matchAll(/^\s*"?([A-Za-z0-9:_.-]+)"?\s*=\s*(?:"([^"]*)"|(var\.[A-Za-z0-9_-]+))/gm)) {
            if (match[1])
                filters[match[1]] = match[2] ?? match[3] ?? '';
        }
        const ownersText = /^\s*owners\s*=\s*\[([^\]]*)\]/m.exec(body)?.[1] ?? '';
        const owners = [...ownersText.matchAll(/"([^"]*)"|(var\.[A-Za-z0-9_-]+)/g)].map((match) => match[1] ?? match[2] ?? '');
        const mostRecent = /^\s*most_recent\s*=\s*true\b/m.test(body);
        return { kind: 'filter', filter: { filters, owners, mostRecent } };
    }
    const literal = /^\s*source_ami\s*=\s*(?:"([^"]*)"|(var\.[A-Za-z0-9_-]+))/m.exec(text);
    if (literal)
        return { kind: 'literal', amiId: literal[1] ?? literal[2] ?? '' };
    return { kind: 'none' };
}
/** A legacy JSON template's first builder with `source_ami_filter` or `source_ami`. */
function jsonSourceAmi(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return { kind: 'none' };
    }
    for (const builder of parsed.builders ?? []) {
        const filter = builder.source_ami_filter;
        if (filter) {
            return {
                kind: 'filter',
                filter: {
                    filters: Object.fromEntries(Object.entries(filter.filters ?? {}).map(([key, raw]) => [key, String(raw)])),
                    owners: (filter.owners ?? []).map(String),
                    mostRecent: filter.most_recent === true || filter.most_recent === 'true',
                },
            };
        }
        if (typeof builder.source_ami === 'string')
            return { kind: 'literal', amiId: builder.source_ami };
    }
    return { kind: 'none' };
}
/**
 * The AMI id Packer would start from: DescribeImages with the filter's
 * filters and owners, newest by CreationDate. Undefined when none matches.
 */
async function source_ami_resolveSourceAmi(filter, region, context) {
    const filters = Object.entries(filter.filters).map(([Name, value]) => ({ Name, Values: [value] }));
    const owners = filter.owners.length > 0 ? { Owners: filter.owners } : {};
    const client = context.clients.get(EC2Client, region);
    let newest;
    for await (const page of paginateDescribeImages({ client }, { Filters: filters, ...owners })) {
        context.signal.throwIfAborted();
        for (const image of page.Images ?? []) {
            if (!image.ImageId)
                continue;
            const created = image.CreationDate ?? '';
            if (!newest || created > newest.created || (created === newest.created && image.ImageId > newest.id))
                newest = { id: image.ImageId, created };
        }
    }
    return newest?.id;
}
/** A one-line description of a filter, for logs and the fingerprint. */
function source_ami_describeFilter(filter) {
    const filters = Object.keys(filter.filters)
        .sort()
        .map((key) => `${key}=${filter.filters[key] ?? ''}`)
        .join(',');
    return `filters[${filters}] owners[${[...filter.owners].sort().join(',')}] most_recent=${filter.mostRecent}`;
}
/** `required_plugins` entries: `name source version-constraint`, sorted. */
function source_ami_pluginConstraints(text) {
    const body = blockBody(text, /^\s*required_plugins\s*\{/m);
    if (body === undefined)
        return [];
    const plugins = [];
    for (const match of body.matchAll(/^\s*([A-Za-z0-9_-]+)\s*=\s*\{([^}]*)\}/gm)) {
        const version = /version\s*=\s*"([^"]*)"/.exec(match[2] ?? '')?.[1] ?? '';
        const source = /source\s*=\s*"([^"]*)"/.exec(match[2] ?? '')?.[1] ?? '';
        plugins.push(`${match[1] ?? ''} ${source} ${version}`);
    }
    return plugins.sort();
}
/** `name = "value"` lines of a .pkrvars.hcl file (strings, numbers, booleans). */
function varFileValues(text) {
    const values = {};
    for (const match of text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([^\s#[{]+))/gm)) {
        if (match[1])
            values[match[1]] = match[2] ?? match[3] ?? '';
    }
    return values;
}
/** String defaults of `variable "name" { default = "value" }` blocks. */
function variableDefaults(text) {
    const defaults = {};
    for (const match of text.matchAll(/^\s*variable\s+"([^"]+)"\s*\{/gm)) {
        const body = blockBody(text.slice(match.index), /\{/) ?? '';
        const value = /^\s*default\s*=\s*"([^"]*)"/m.exec(body)?.[1];
        if (match[1] && value !== undefined)
            defaults[match[1]] = value;
    }
    return defaults;
}
/** String defaults of a legacy JSON template's `variables` block. */
function jsonVariableDefaults(text) {
    try {
        const parsed = JSON.parse(text);
        return Object.fromEntries(Object.entries(parsed.variables ?? {}).filter((entry) => typeof entry[1] === 'string'));
    }
    catch {
        return {};
    }
}
/** `body` without its nested blocks' contents, so that a nested block's `kms_key_id` is not taken for the source's. */
function topLevel(body) {
    let depth = 0;
    let kept = '';
    for (const char of body) {
        if (char === '{')
            depth++;
        if (depth === 0)
            kept += char;
        if (char === '}')
            depth = Math.max(0, depth - 1);
    }
    return kept;
}
/** The text between the `{` that `opening` ends with and its matching `}` (no special case for strings, comments). */
function blockBody(text, opening) {
    const match = opening.exec(text);
    if (!match)
        return undefined;
    const start = match.index + match[0].length;
    let depth = 1;
    for (let index = start; index < text.length; index++) {
        const char = text[index];
        if (char === '{')
            depth++;
        else if (char === '}' && --depth === 0)
            return text.slice(start, index);
    }
    return undefined;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/template.js
/** What bake-ami needs to know about a Packer template before running Packer. */



/**
 * Names skipped when hashing a template directory: hidden files, Packer's
 * cache and what a build writes there (manifests, logs), so that a build does
 * not change its own fingerprint.
 */
const SKIPPED = new Set(['packer_cache', 'node_modules', 'crash.log', 'packer.log']);
const SKIPPED_PATTERN = /(^|[-_.])manifest\.json$/;
/** Reads the template at `path` (a `.pkr.hcl`/`.pkr.json`/`.json` file or a directory of them). */
async function template_inspectTemplate(path) {
    const info = await stat(path).catch(() => undefined);
    if (!info)
        throw new InvalidRequestError('template', `names '${path}', which does not exist`);
    const isDirectory = info.isDirectory();
    const root = isDirectory ? path : join(path, '..');
    const files = isDirectory ? await listFiles(path) : [path];
    const configFiles = isDirectory ? files.filter((file) => /\.pkr\.(hcl|json)$/.test(file)) : files;
    if (configFiles.length === 0) {
        throw new InvalidRequestError('template', `names the directory '${path}', which holds no *.pkr.hcl or *.pkr.json files`);
    }
    const kind = configFiles.every((file) => file.endsWith('.json') && !file.endsWith('.pkr.json')) ? 'json' : 'hcl';
    const variables = new Set();
    let declaresPlugins = false;
    for (const file of configFiles) {
        const text = await readFile(file, 'utf8');
        if (file.endsWith('.json')) {
            for (const name of jsonVariables(text))
                variables.add(name);
        }
        else {
            for (const name of hclVariables(text))
                variables.add(name);
            declaresPlugins ||= /^\s*required_plugins\s*\{/m.test(text);
        }
    }
    return { path, kind, files, root, variables, declaresPlugins };
}
/** Variable names declared by `variable "name" {` blocks. */
function hclVariables(text) {
    return [...text.matchAll(/^\s*variable\s+"([^"]+)"\s*\{/gm)].map((match) => match[1] ?? '').filter(Boolean);
}
/** Variable names of a legacy JSON template (`variables`) or an HCL2 JSON file (`variable`). */
function jsonVariables(text) {
    try {
        const parsed = JSON.parse(text);
        const block = parsed.variables ?? parsed.variable;
        return block && typeof block === 'object' ? Object.keys(block) : [];
    }
    catch {
        return [];
    }
}
async function listFiles(dir, root = dir) {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = [];
    for (const entry of entries) {
        if (entry.name.startsWith('.') || SKIPPED.has(entry.name) || SKIPPED_PATTERN.test(entry.name))
            continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory())
            files.push(...(await listFiles(full, root)));
        else if (entry.isFile())
            files.push(full);
    }
    return files.sort((a, b) => compare(relative(root, a), relative(root, b)));
}
function compare(a, b) {
    if (a === b)
        return 0;
    return a < b ? -1 : 1;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/fingerprint.js
/**
 * The bake fingerprint: what an AMI was baked from. Two bakes with the same
 * fingerprint produce the same image, so the second one can be skipped.
 */







/** Format version: bump it when what goes into the fingerprint changes. */
const FINGERPRINT_FORMAT = 'bake-ami-fingerprint-v2';
/**
 * sha256 (hex) over the template files (sorted relative paths and their
 * contents), the variables (sorted), the var-file contents (in order), the
 * app revision, the build selection, the resolved source AMI, the Packer
 * version and the plugin constraints.
 */
async function computeFingerprint(input) {
    const hash = createHash('sha256');
    const field = (name, value) => {
        // Length-prefixed fields, so no two different inputs hash the same text.
        const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
        hash.update(`${name}:${bytes.length}:`);
        hash.update(bytes);
        hash.update('\n');
    };
    field('version', FINGERPRINT_FORMAT);
    const files = input.templateFiles
        .map((file) => ({ file, name: relative(input.templateRoot, file).split('\\').join('/') }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { file, name } of files) {
        field('template-file', name);
        field('template-content', await readFile(file));
    }
    for (const key of Object.keys(input.variables).sort())
        field('variable', `${key}=${input.variables[key] ?? ''}`);
    for (const file of input.varFiles)
        field('var-file', await readFile(file));
    field('app-revision', input.appRevision ?? '');
    field('only', [...(input.only ?? [])].sort().join(','));
    field('except', [...(input.except ?? [])].sort().join(','));
    field('source-ami', input.sourceAmi ?? '');
    field('packer-version', input.packerVersion ?? '');
    field('plugins', [...(input.plugins ?? [])].sort().join(';'));
    return hash.digest('hex');
}
/**
 * The fingerprint of a bake request: reads the template (and checks the
 * request), then what the build depends on beyond its files: the source
 * AMI its filter resolves to now, the Packer that bakes, the plugins it may
 * use. One DescribeImages call when the template has a source_ami_filter.
 */
async function fingerprint_bakeFingerprint(request, context) {
    const paths = requestPaths(request);
    const template = await inspectTemplate(paths.template);
    const { varFiles } = paths;
    await checkRequest(request, varFiles);
    const configFiles = template.files.filter((file) => /\.pkr\.(hcl|json)$/.test(file) || (template.kind === 'json' && file.endsWith('.json')));
    const packer = request.packerVersion === 'path' ? await resolvePacker({ version: 'path' }, context) : undefined;
    const packerVersion = packer?.version ?? request.packerVersion;
    const sourceAmi = await sourceAmiOf(configFiles, request, varFiles, context);
    const hclFiles = configFiles.filter((file) => file.endsWith('.hcl'));
    const plugins = (await Promise.all(hclFiles.map(async (file) => pluginConstraints(await readFile(file, 'utf8'))))).flat();
    const fingerprint = await computeFingerprint({
        templateFiles: template.files,
        templateRoot: template.root,
        variables: request.variables,
        varFiles,
        ...(request.appRevision ? { appRevision: request.appRevision } : {}),
        only: request.only,
        except: request.except,
        sourceAmi,
        packerVersion,
        plugins,
    });
    context.log.info(`Fingerprint ${fingerprint} (${template.files.length} template file(s), ` +
        `${Object.keys(request.variables).length} variable(s), ${varFiles.length} var-file(s), ` +
        `app revision ${request.appRevision || 'none'}, source AMI ${sourceAmi || 'none'}, Packer ${packerVersion}, ` +
        `plugins ${plugins.join('; ') || 'none'})`);
    return { fingerprint, template, configFiles, varFiles, ...(packer ? { packer } : {}) };
}
/**
 * The source AMI id the template's source_ami_filter resolves to in the
 * build region now (or its literal source_ami); '' when the template names
 * none. A filter that matches nothing is noted in the fingerprint and left
 * for Packer to report.
 */
async function sourceAmiOf(configFiles, request, varFiles, context) {
    const spec = await readSourceAmiSpec(configFiles, request.variables, varFiles);
    if (spec.kind === 'none')
        return '';
    if (spec.kind === 'literal')
        return spec.amiId;
    const described = describeFilter(spec.filter);
    const resolved = await resolveSourceAmi(spec.filter, request.region, context);
    if (!resolved) {
        context.log.warn(`source_ami_filter ${described} matches no AMI in ${request.region}; Packer will report it`);
        return `unresolved ${described}`;
    }
    context.log.info(`Source AMI ${resolved}: the newest match of source_ami_filter ${described} in ${request.region}`);
    return resolved;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/manifest.js
/**
 * The manifest bake-ami writes for each run, in the shape of Packer's
 * manifest post-processor (`builds[]`, `last_run_uuid`), so tools that read
 * Packer manifests read it too. One file per run: no `.builds[-1]` guessing.
 */


/** Writes the manifest to `path` and returns the path. */
async function manifest_writeManifest(path, content) {
    const buildTime = Math.floor(Date.now() / 1000);
    const manifest = {
        builds: content.builds.map((build) => ({
            name: build.name.replace(/^[^.]+\./, ''),
            builder_type: build.name.split('.')[0] ?? build.name,
            build_time: buildTime,
            files: null,
            artifact_id: build.artifactId,
            packer_run_uuid: content.runId,
            custom_data: {
                fingerprint: content.fingerprint,
                skipped: String(content.skipped),
                amis: JSON.stringify(build.amis),
            },
        })),
        last_run_uuid: content.runId,
    };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
    return path;
}

// EXTERNAL MODULE: ../../packages/kernel/lib/errors.js + 1 modules
var errors = __webpack_require__(6659);
;// CONCATENATED MODULE: ../../packages/packer-bake/lib/process.js
/**
 * Running Packer as a child process that can be interrupted cleanly.
 *
 * Packer's top-level process is a panicwrap parent that ignores SIGINT and
 * expects the terminal to deliver Ctrl-C to the whole process group; SIGINT
 * to its pid alone does nothing. So Packer runs in a process group of its own
 * and an interrupt is sent to that group, as a terminal would (the SIGINT
 * forwarding: `forwardSignalToPacker`). Packer then cancels the build and
 * cleans up (instance, temp key pair, temp security group); its plugins
 * ignore the interrupt and wait for the core to tell them.
 */


/** Runs `binary args` and resolves when it exits (or the grace period after an interrupt ends). */
function process_runPacker(binary, args, options) {
    const { graceMs = 7_000, log = () => undefined } = options;
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(binary, args, {
            cwd: options.cwd,
            env: { ...options.env },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: process.platform !== 'win32',
        });
        let interrupted;
        let settled = false;
        const timers = [];
        const finish = (result) => {
            if (settled)
                return;
            settled = true;
            timers.forEach(clearTimeout);
            options.signal?.removeEventListener('abort', onAbort);
            resolve({ ...result, ...(interrupted ? { interrupted } : {}), durationMs: Date.now() - started });
        };
        const interrupt = (why) => {
            if (interrupted)
                return;
            interrupted = why;
            log(why === 'cancelled'
                ? `Interrupting Packer (SIGINT) so it cleans up; waiting up to ${Math.round(graceMs / 1000)} s`
                : `Packer ran past the timeout; interrupting it (SIGINT) so it cleans up`);
            forwardSignalToPacker(child, 'SIGINT');
            timers.push(setTimeout(() => {
                log(`Packer did not exit within ${Math.round(graceMs / 1000)} s of the interrupt; sending SIGTERM`);
                forwardSignalToPacker(child, 'SIGTERM');
                // Stop waiting: let this process exit even though Packer still holds the pipes.
                child.stdout.destroy();
                child.stderr.destroy();
                child.unref();
                finish({ exitCode: null, signal: null, exitedInTime: false });
            }, graceMs));
        };
        const onAbort = () => interrupt('cancelled');
        if (options.signal?.aborted) {
            queueMicrotask(onAbort);
        }
        else {
            options.signal?.addEventListener('abort', onAbort, { once: true });
        }
        if (options.timeoutMs !== undefined)
            timers.push(setTimeout(() => interrupt('timeout'), options.timeoutMs));
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (chunk) => options.onStdout?.(chunk));
        const stderrLines = new LineSplitter((line) => options.onStderrLine?.(line), 64 * 1024);
        child.stderr.on('data', (chunk) => stderrLines.push(chunk));
        child.on('error', (error) => {
            if (settled)
                return;
            settled = true;
            timers.forEach(clearTimeout);
            options.signal?.removeEventListener('abort', onAbort);
            reject(error);
        });
        child.on('close', (exitCode, signal) => {
            stderrLines.end();
            finish({ exitCode, signal, exitedInTime: true });
        });
    });
}
/**
 * The Packer SIGINT forwarding: sends `signal` to Packer's whole process
 * group, as a terminal's Ctrl-C does. Packer's top-level process is a
 * panicwrap parent that ignores a SIGINT sent to its pid alone; the group's
 * SIGINT reaches the core process, which cancels the build and deletes its
 * instance, temporary key pair and security group. `runPacker` spawns Packer
 * `detached` (a group of its own) so that this reaches it and nothing else.
 */
function forwardSignalToPacker(child, signal) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
        return;
    try {
        if (process.platform === 'win32')
            child.kill(signal);
        else
            process.kill(-child.pid, signal);
    }
    catch {
        child.kill(signal);
    }
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/packer-steps.js
/**
 * The three Packer steps of a bake: `packer init` (when the template
 * declares plugins), `packer validate` and `packer build`, each streamed
 * through the machine-readable parser into events, each failing with its exit
 * code and last error lines, each interrupted on cancellation (see process.ts).
 */






/** Packer failed: its exit code and its last error lines. */
class PackerError extends errors/* ActionError */.lZ {
    step;
    exitCode;
    errorLines;
    name = 'PackerError';
    constructor(step, exitCode, errorLines) {
        const last = errorLines
            .filter((line) => line.trim() !== '')
            .at(-1)
            ?.trim();
        super(`packer ${step} failed with exit code ${exitCode ?? 'none'}${last ? `: ${last}` : ''}`);
        this.step = step;
        this.exitCode = exitCode;
        this.errorLines = errorLines;
    }
}
const TEMP_RESOURCES = (/* unused pure expression or super */ null && ([
    ['key-pair', /Creating temporary key ?pair: (\S+)/],
    ['security-group', /Creating temporary security group for this instance: (\S+)/],
    ['instance', /Instance ID: (i-[0-9a-f]+)/],
]));
/** `packer init`, or why it is skipped (turned off, no plugins declared, or a Packer before 1.7). */
async function packer_steps_packerInit(setup, request, context) {
    const { packer, template, onEvent } = setup;
    const skip = (detail) => onEvent({ kind: 'step', step: 'init', status: 'skipped', detail });
    if (!request.init)
        return skip("turned off by 'init: false'");
    if (!template.declaresPlugins)
        return skip('the template declares no required_plugins');
    if (!supportsInit(packer.version)) {
        skip(`Packer ${packer.version} has no 'packer init' (1.7.0 and later)`);
        context.log.warn(`the template declares required_plugins, which Packer ${packer.version} cannot read; ` +
            "set 'packer-version' to 1.7.0 or later");
        return;
    }
    onEvent({ kind: 'step', step: 'init', status: 'started' });
    const token = request.githubToken ? { PACKER_GITHUB_API_TOKEN: request.githubToken } : {};
    const errors = new Tail(20);
    const output = new LineSplitter((line) => {
        if (line.trim() !== '')
            onEvent({ kind: 'ui', line: { level: 'say', text: line } });
    });
    const run = await runPacker(packer.path, ['init', template.path], {
        ...runOptions(setup, context),
        env: { ...setup.env, ...token },
        onStdout: (chunk) => output.push(chunk),
        onStderrLine: (line) => {
            errors.push(line);
            onEvent({ kind: 'ui', line: { level: 'error', text: line } });
        },
    });
    output.end();
    checkRun('init', run, errors.lines(), context.signal);
    onEvent({ kind: 'step', step: 'init', status: 'finished' });
}
/** `packer validate` with the bake's arguments. */
async function packer_steps_packerValidate(setup, context) {
    const { onEvent } = setup;
    onEvent({ kind: 'step', step: 'validate', status: 'started' });
    const errors = new Tail(40);
    const parser = new MachineReadableParser({
        onUi: (line) => {
            if (line.level === 'error')
                errors.push(line.text);
            onEvent({ kind: 'ui', line });
        },
        onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
    });
    const run = await runPacker(setup.packer.path, ['validate', '-machine-readable', ...setup.args, setup.template.path], {
        ...runOptions(setup, context),
        onStdout: (chunk) => parser.push(chunk),
        onStderrLine: (line) => errors.push(line),
    });
    parser.end();
    checkRun('validate', run, errors.lines(), context.signal);
    onEvent({ kind: 'step', step: 'validate', status: 'finished' });
}
/**
 * `packer build`, bounded by `timeoutMs` (reaching it interrupts Packer and
 * is a TimeoutError). Returns the builds that produced AMIs; none is a
 * PackerError.
 */
async function packer_steps_packerBuild(setup, timeoutMs, context) {
    const { onEvent } = setup;
    onEvent({ kind: 'step', step: 'build', status: 'started' });
    const artifacts = new ArtifactCollector();
    const uiErrors = new Tail(20);
    const buildErrors = new Tail(20);
    const stderr = new Tail(20);
    const parser = new MachineReadableParser({
        onUi: (line) => {
            if (line.level === 'error')
                uiErrors.push(line.text);
            for (const [resource, pattern] of TEMP_RESOURCES) {
                const match = pattern.exec(line.text);
                if (match?.[1])
                    onEvent({ kind: 'resource', resource, id: match[1] });
            }
            onEvent({ kind: 'ui', line });
        },
        onArtifact: (artifact) => {
            const build = artifacts.add(artifact);
            if (build)
                onEvent({ kind: 'build', build });
        },
        onBuildError: (build, message) => buildErrors.push(`${build}: ${message}`),
        onPlainLine: (line) => onEvent({ kind: 'ui', line: { level: 'say', text: line } }),
    });
    const args = ['build', '-machine-readable', '-color=false', ...setup.args, setup.template.path];
    context.log.info(`Running packer ${args.map((arg) => redactVariable(arg)).join(' ')}`);
    const run = await runPacker(setup.packer.path, args, {
        ...runOptions(setup, context),
        timeoutMs,
        onStdout: (chunk) => parser.push(chunk),
        onStderrLine: (line) => {
            stderr.push(line);
            onEvent({ kind: 'ui', line: { level: 'error', text: line } });
        },
    });
    parser.end();
    if (run.interrupted === 'timeout') {
        const cleaned = run.exitedInTime ? ' and cleaned up' : '';
        throw new TimeoutError(`packer build did not finish within ${formatDuration(timeoutMs)}; Packer was interrupted${cleaned}`);
    }
    const errorLines = [buildErrors, uiErrors, stderr].find((tail) => tail.size() > 0)?.lines() ?? [];
    checkRun('build', run, errorLines, context.signal);
    onEvent({ kind: 'step', step: 'build', status: 'finished' });
    const builds = artifacts.results();
    if (builds.length === 0) {
        throw new PackerError('build', run.exitCode, [
            'packer build succeeded but reported no AMI artifact (is the builder amazon-ebs?)',
        ]);
    }
    return builds;
}
/**
 * `-only`/`-except`, then `-var-file` and `-var` arguments: the request's,
 * then bake-ami's own for the variables the template declares.
 */
function packer_steps_packerArgs(request, template, fingerprint, varFiles, context) {
    const variables = { ...request.variables };
    const offer = (name, value, required) => {
        if (value === undefined || name in variables)
            return;
        if (template.variables.has(name))
            variables[name] = value;
        else if (required)
            context.log.warn(`the template declares no '${name}' variable; bake-ami cannot pass it (see the README)`);
    };
    offer(BAKE_VARIABLES.fingerprint, fingerprint, true);
    offer(BAKE_VARIABLES.runId, request.runId, true);
    offer(BAKE_VARIABLES.appRevision, request.appRevision, false);
    offer(BAKE_VARIABLES.region, request.region, false);
    return [
        ...(request.only.length > 0 ? [`-only=${request.only.join(',')}`] : []),
        ...(request.except.length > 0 ? [`-except=${request.except.join(',')}`] : []),
        ...varFiles.map((file) => `-var-file=${file}`),
        ...Object.entries(variables).flatMap(([key, value]) => ['-var', `${key}=${value}`]),
    ];
}
function runOptions(setup, context) {
    return {
        cwd: setup.cwd,
        env: setup.env,
        graceMs: setup.graceMs,
        signal: context.signal,
        log: (line) => context.log.info(line),
    };
}
/** Variable values stay out of our own log line (they may be secrets); Packer's output is masked by the runner. */
function redactVariable(arg) {
    const equals = arg.indexOf('=');
    return equals > 0 && !arg.startsWith('-') ? `${arg.slice(0, equals)}=…` : arg;
}
function checkRun(step, run, errorLines, signal) {
    if (run.interrupted === 'cancelled' || signal.aborted)
        throw new CancelledError(packer_steps_cancelSignal(signal));
    if (run.exitCode !== 0) {
        const lines = errorLines.length > 0 ? errorLines : [`packer ${step} exited with ${run.exitCode ?? run.signal}`];
        throw new PackerError(step, run.exitCode, lines);
    }
}
/** The signal a cancellation came with (SIGINT, SIGTERM), when the abort reason says. */
function packer_steps_cancelSignal(signal) {
    return signal.reason?.signal;
}
/** The last `size` lines of something (constant memory). */
class Tail {
    max;
    items = [];
    constructor(max) {
        this.max = max;
    }
    push(line) {
        this.items.push(line);
        if (this.items.length > this.max)
            this.items.shift();
    }
    lines() {
        return [...this.items];
    }
    size() {
        return this.items.length;
    }
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/preflight.js
/**
 * Checks, before Packer starts, the account resources a template names: the
 * amazon-ebs source's `subnet_id`, `vpc_id` and `kms_key_id`. Packer finds a
 * missing subnet only with a message that names the subnet, not the
 * variable, and an unusable KMS key only when it copies the image, after the
 * build instance ran. Each problem here is one InvalidRequestError naming
 * the request field the value came from (variables, varFiles, template) and
 * the variable, and nothing has been created.
 */



/** The amazon-ebs options the preflight checks. */
const PREFLIGHT_OPTIONS = (/* unused pure expression or super */ null && (['subnet_id', 'vpc_id', 'kms_key_id']));
/** Reads the template's subnet, VPC and KMS key settings and checks each that is set. */
async function preflight_preflightTemplate(request, context) {
    const { configFiles, variables, varFiles } = request;
    const settings = (await readSourceOptions(configFiles, variables, varFiles, PREFLIGHT_OPTIONS)).filter((setting) => setting.value.trim() !== '');
    await checkSettings(settings, request.region, context);
    return settings;
}
/**
 * Checks subnets and VPCs through EC2 and keys through KMS (its SDK loaded
 * only when a key is set); throws InvalidRequestError on the first problem.
 */
async function checkSettings(settings, region, context) {
    const { signal } = context;
    const log = (line) => context.log.info(`Preflight: ${line}`);
    const of = (option) => settings.filter((setting) => setting.option === option);
    const ec2 = context.clients.get(EC2Client, region);
    const vpcs = of('vpc_id');
    for (const vpc of vpcs) {
        signal.throwIfAborted();
        const command = new DescribeVpcsCommand({ VpcIds: [vpc.value] });
        const found = await call(vpc, 'ec2:DescribeVpcs', () => ec2.send(command, { abortSignal: signal }));
        if (!found?.Vpcs?.length)
            throw settingProblem(vpc, `which does not exist in ${region}`);
        log(`${vpc.option} ${vpc.value} exists in ${region}`);
    }
    for (const subnet of of('subnet_id')) {
        signal.throwIfAborted();
        const command = new DescribeSubnetsCommand({ SubnetIds: [subnet.value] });
        const found = await call(subnet, 'ec2:DescribeSubnets', () => ec2.send(command, { abortSignal: signal }));
        const described = found?.Subnets?.[0];
        if (!described)
            throw settingProblem(subnet, `which does not exist in ${region}`);
        const other = vpcs.find((vpc) => vpc.value !== described.VpcId);
        if (other) {
            throw settingProblem(subnet, `which is in ${described.VpcId ?? 'another VPC'}, not in vpc_id '${other.value}'`);
        }
        log(`${subnet.option} ${subnet.value} exists in ${region} (${described.VpcId ?? 'VPC unknown'})`);
    }
    const keys = of('kms_key_id');
    if (keys.length === 0)
        return;
    // Loaded here, so that a bake without a key never loads the KMS SDK.
    const { DescribeKeyCommand, KMSClient } = await __webpack_require__.e(/* import() */ 676).then(__webpack_require__.t.bind(__webpack_require__, 676, 19));
    const kms = context.clients.get(KMSClient, region);
    for (const key of keys) {
        signal.throwIfAborted();
        const command = new DescribeKeyCommand({ KeyId: key.value });
        const found = await call(key, 'kms:DescribeKey', () => kms.send(command, { abortSignal: signal }));
        const metadata = found?.KeyMetadata;
        if (!found)
            throw settingProblem(key, `which does not exist in ${region}`);
        const problem = keyProblem(metadata);
        if (problem)
            throw settingProblem(key, problem);
        log(`${key.option} ${key.value} is an enabled symmetric encryption key (${metadata?.KeyId ?? ''})`);
    }
}
/** Why EBS cannot encrypt with a key of this description, or undefined. */
function keyProblem(metadata) {
    if (!metadata)
        return 'which KMS does not describe';
    if (metadata.KeyState !== 'Enabled') {
        return `which is ${metadata.KeyState ?? 'in an unknown state'} (EBS needs an Enabled key)`;
    }
    // An absent usage or spec is KMS's default (ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT);
    // moto leaves them out for a default key.
    if (metadata.KeyUsage && metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
        return `which is a ${metadata.KeyUsage} key (EBS needs a symmetric ENCRYPT_DECRYPT key)`;
    }
    if (metadata.KeySpec && metadata.KeySpec !== 'SYMMETRIC_DEFAULT') {
        return `which is an asymmetric ${metadata.KeySpec} key (EBS needs a symmetric SYMMETRIC_DEFAULT key)`;
    }
    return undefined;
}
/**
 * A problem with a setting, on the request field its value came from, e.g.
 * `'variables' sets subnet_id to 'subnet-0abc', which does not exist in
 * us-east-1`. Subnet, VPC and key ids are not secrets.
 */
function settingProblem(setting, problem) {
    const name = setting.variable ?? setting.option;
    const through = setting.variable && setting.variable !== setting.option ? ` (the template's ${setting.option})` : '';
    switch (setting.origin.kind) {
        case 'variables':
            return new InvalidRequestError('variables', `sets ${name}${through} to '${setting.value}', ${problem}`);
        case 'var-file':
            return new InvalidRequestError('varFiles', `names '${setting.origin.file}', where ${name}${through} is '${setting.value}', ${problem}`);
        case 'default':
            return new InvalidRequestError('template', `gives variable ${name}${through} the default '${setting.value}', ${problem}`);
        case 'template':
            return new InvalidRequestError('template', `sets ${setting.option} to '${setting.value}', ${problem}`);
    }
}
/** Where github-oidc.yaml grants each permission the preflight needs. */
const GRANTED_BY = {
    'ec2:DescribeSubnets': "github-oidc.yaml's bake role grants it (PackerDescribe)",
    'ec2:DescribeVpcs': "github-oidc.yaml's bake role grants it (PackerDescribe)",
    'kms:DescribeKey': "github-oidc.yaml's bake role grants it when AmiKmsKeyArn is this key (PreflightDescribeKey)",
};
/**
 * One lookup: undefined when AWS says the resource does not exist (for EC2,
 * a malformed id too), an InvalidRequestError naming the missing permission
 * when the role may not look, the result otherwise.
 */
async function call(setting, permission, lookup) {
    try {
        return await lookup();
    }
    catch (error) {
        const kind = awsErrorClass(error);
        if (kind === 'not-found' || (kind === 'invalid' && !permission.startsWith('kms:')))
            return undefined;
        if (kind === 'access-denied') {
            const grant = GRANTED_BY[permission] ?? 'grant it to the bake role';
            throw settingProblem(setting, `which bake-ami could not check: the role may not call ${permission} (${awsErrorName(error)}); ${grant}`);
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/bake.js
/**
 * One bake: fingerprint → look for an AMI already baked from it → preflight
 * of the template's subnet, VPC and key → Packer (init, validate, build) →
 * AMI ids. Everything it reads and talks to comes from the caller's
 * `Context` (log, cancellation signal, environment, AWS clients); what
 * happens along the way is reported as `BakeEvent`s.
 */











/**
 * Bakes an AMI, or finds the one already baked from the same inputs.
 * Cancelling `context.signal` interrupts Packer, waits for its cleanup and
 * throws CancelledError.
 */
async function bakeAmi(request, context, options = {}) {
    const started = Date.now();
    const onEvent = options.onEvent ?? (() => undefined);
    const { fingerprint, template, configFiles, varFiles, packer: onPath } = await bakeFingerprint(request, context);
    onEvent({ kind: 'fingerprint', fingerprint, template });
    const manifestPath = request.manifestPath ??
        join(context.env.RUNNER_TEMP || tmpdir(), `bake-ami-${request.runId}`, 'packer-manifest.json');
    const result = { fingerprint, region: request.region, manifestPath, runId: request.runId };
    if (request.force) {
        context.log.info('force is set: baking without looking for an AMI with the same fingerprint');
    }
    else {
        const found = await findBaked(request, fingerprint, context);
        if (found) {
            onEvent({ kind: 'found', ami: found.ami });
            const builds = [found.build];
            await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: true, builds });
            const { amis } = found.build;
            return {
                ...result,
                skipped: true,
                amiId: found.ami.imageId,
                amis,
                builds,
                durationMs: Date.now() - started,
                found: found.ami,
            };
        }
    }
    // The subnet, VPC and KMS key the template names, checked before Packer creates anything.
    // A cancellation during the lookups is a cancellation, not a failed check.
    const { variables, region } = request;
    await preflightTemplate({ configFiles, variables, varFiles, region }, context).catch((error) => {
        throwIfCancelled(context.signal);
        throw error;
    });
    throwIfCancelled(context.signal);
    const packer = onPath ?? (await resolvePacker({ version: request.packerVersion }, context));
    onEvent({ kind: 'packer', binary: packer });
    context.log.info(`Using Packer ${packer.version} at ${packer.path} (${packer.source})`);
    const setup = {
        packer,
        cwd: requestPaths(request).cwd,
        env: { ...context.env, CHECKPOINT_DISABLE: '1' },
        template,
        args: packerArgs(request, template, fingerprint, varFiles, context),
        graceMs: options.graceMs ?? 7_000,
        onEvent,
    };
    throwIfCancelled(context.signal);
    await packerInit(setup, request, context);
    await packerValidate(setup, context);
    const builds = await packerBuild(setup, request.timeoutMs, context);
    const amis = mergeAmis(builds);
    let amiId = amis[request.region];
    if (!amiId) {
        const [firstRegion = '', firstAmi = ''] = Object.entries(builds[0]?.amis ?? {})[0] ?? [];
        context.log.warn(`no AMI was built in ${request.region}; ami-id is ${firstAmi} from ${firstRegion}`);
        amiId = firstAmi;
    }
    if (builds.length > 1) {
        context.log.info(`${builds.length} builds produced AMIs; ami-id and amis take the first build's AMI per region`);
    }
    // A later skip finds every region's copy through this tag (the build region's AMI is the one it finds first).
    await tagBakedRegions({ amiId, region: request.region }, Object.keys(amis), context);
    await writeManifest(manifestPath, { runId: request.runId, fingerprint, skipped: false, builds });
    return { ...result, skipped: false, amiId, amis, builds, durationMs: Date.now() - started, packer };
}
/**
 * The AMI already baked with `fingerprint` and its copies in every region
 * it was baked for, as the build a skip returns; undefined when there is
 * none or a region's copy is gone.
 */
async function findBaked(request, fingerprint, context) {
    const query = { fingerprint, region: request.region };
    const ami = await findBakedAmi(query, context);
    if (!ami) {
        context.log.info(`No available AMI owned by this account has fingerprint ${fingerprint}; baking`);
        return undefined;
    }
    const amis = await findBakedCopies(ami, query, context);
    if (!amis)
        return undefined;
    context.log.info(`Skipping Packer: ${ami.imageId} (${ami.name}) in ${request.region} was already baked from these inputs ` +
        `(${Object.keys(amis).join(', ')})`);
    const artifactId = Object.entries(amis)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, id]) => `${region}:${id}`)
        .join(',');
    return { ami, build: { name: 'existing', amis, artifactId, builderId: 'bake-ami.existing' } };
}
function throwIfCancelled(signal) {
    if (signal.aborted)
        throw new CancelledError(cancelSignal(signal));
}

// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(1637);
;// CONCATENATED MODULE: ../../packages/kernel/lib/format.js
/** Text for log lines and summaries: durations and values that may be long. */

/** `950ms`, `42s`, `1m30s`, `2h`, `1h5m`: the one duration format of logs and errors. */
function format_formatDuration(ms) {
    if (ms < 1000)
        return `${Math.max(0, Math.round(ms))}ms`;
    const seconds = Math.round(ms / 1000);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
/**
 * `value` on one line, cut to `max` characters with an ellipsis. Only for
 * text that is never a secret (a stack event's reason, a template line);
 * a user's value goes through `quoteWhole`.
 */
function shorten(value, max = 80) {
    const flat = value.replace(/\s+/g, ' ');
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
/**
 * A user's value for an error line: whole, or not at all. The runner masks
 * only whole registered secrets, so a cut or re-spaced piece of one would
 * show; a long or multi-line value is named by its length instead, and a
 * URL with credentials is never shown.
 */
function quoteWhole(value, max = 80) {
    if (hasUrlCredentials(value))
        return '(a URL with credentials, not shown)';
    return value.length <= max && !/[\r\n]/.test(value) ? `'${value}'` : `(${value.length} characters, not shown)`;
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/images.js
/** Looking up an AMI already baked with a given fingerprint. */


/** Tag keys bake-ami relies on; the template puts its variables into these. */
const FINGERPRINT_TAG = 'fingerprint';
const RUN_ID_TAG = 'run-id';
/** Tag bake-ami puts on the build region's AMI: the regions the bake produced AMIs in, space separated. */
const REGIONS_TAG = 'bake-ami-regions';
/**
 * The newest `available` AMI owned by this account whose fingerprint tag is
 * `fingerprint`, or undefined.
 */
async function images_findBakedAmi(query, context) {
    const ec2 = context.clients.get(EC2Client, query.region);
    const filters = [
        { Name: `tag:${query.tagKey ?? FINGERPRINT_TAG}`, Values: [query.fingerprint] },
        { Name: 'state', Values: ['available'] },
    ];
    const images = [];
    const pages = paginateDescribeImages({ client: ec2 }, { Owners: ['self'], Filters: filters });
    for await (const page of pages) {
        context.signal.throwIfAborted();
        images.push(...(page.Images ?? []));
    }
    const newest = images
        .filter((image) => image.ImageId && image.State === 'available')
        .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
    if (!newest?.ImageId)
        return undefined;
    return {
        imageId: newest.ImageId,
        name: newest.Name ?? '',
        creationDate: newest.CreationDate ?? '',
        tags: Object.fromEntries((newest.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    };
}
/**
 * Region → AMI of a bake found by its fingerprint: the build region's AMI
 * plus, for each region its regions tag names, the AMI there that carries
 * the same fingerprint. Undefined when a region's copy is gone (the bake
 * must run again to give every region an AMI).
 */
async function images_findBakedCopies(found, query, context) {
    const { fingerprint, region: buildRegion } = query;
    const amis = { [buildRegion]: found.imageId };
    const tag = found.tags[REGIONS_TAG];
    if (tag === undefined) {
        context.log.warn(`${found.imageId} has no ${REGIONS_TAG} tag (baked before bake-ami recorded regions); ` +
            `amis holds ${buildRegion} only`);
        return amis;
    }
    for (const region of tag.split(/\s+/).filter((name) => name !== '' && name !== buildRegion)) {
        const copy = await images_findBakedAmi({ fingerprint, region }, context);
        if (!copy) {
            context.log.info(`${found.imageId} was baked for ${tag.split(/\s+/).join(', ')}, but ${region} has no available AMI ` +
                `with fingerprint ${fingerprint}; baking again`);
            return undefined;
        }
        amis[region] = copy.imageId;
    }
    return amis;
}
/** Records on the build region's AMI which regions the bake produced AMIs in (see findBakedCopies). */
async function images_tagBakedRegions(ami, regions, context) {
    const value = [...regions].sort().join(' ');
    const tags = [{ Key: REGIONS_TAG, Value: value }];
    try {
        await context.clients
            .get(EC2Client, ami.region)
            .send(new CreateTagsCommand({ Resources: [ami.amiId], Tags: tags }), { abortSignal: context.signal });
    }
    catch (error) {
        context.log.warn(`could not tag ${ami.amiId} with ${REGIONS_TAG}=${value} (${errorMessage(error)}); ` +
            'a later skip will return the build region only');
    }
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/sweep.js
/**
 * The post-step sweep: deletes what a cancelled or killed Packer run may have
 * left behind. Packer 1.6 cannot tag its temporary key pair and security
 * group, so they are found three ways: by name (recorded by the main step from
 * Packer's output), through the instances tagged with the run id (their key
 * name and `packer_*` groups) and by the run-id tag (newer Packer versions).
 */



const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
/** Packer names its temporary key pairs and security groups `packer_<uuid>`. */
const PACKER_TEMP = /^packer[_-]/;
/** Terminates this run's instances and deletes its temporary key pairs and security groups. */
async function sweepRunLeftovers(request, context) {
    const ec2 = context.clients.get(dist_cjs/* EC2Client */.gu5, request.region);
    const { signal } = context;
    const runFilter = { Name: `tag:${request.tagKey ?? RUN_ID_TAG}`, Values: [request.runId] };
    const result = { terminatedInstances: [], deletedKeyPairs: [], deletedSecurityGroups: [], failures: [] };
    const keyPairs = new Set((request.keyPairs ?? []).filter((name) => PACKER_TEMP.test(name)));
    const groupNames = new Set((request.securityGroups ?? []).filter((name) => PACKER_TEMP.test(name)));
    const groupIds = new Set();
    const instances = [
        ...(await describeInstances(ec2, [runFilter], signal)),
        ...(request.instanceIds?.length
            ? await describeInstances(ec2, [{ Name: 'instance-id', Values: request.instanceIds }], signal)
            : []),
    ];
    const live = new Set();
    const notTerminated = new Set();
    for (const instance of instances) {
        if (!instance.InstanceId)
            continue;
        if (instance.KeyName && PACKER_TEMP.test(instance.KeyName))
            keyPairs.add(instance.KeyName);
        for (const group of instance.SecurityGroups ?? []) {
            if (group.GroupId && PACKER_TEMP.test(group.GroupName ?? ''))
                groupIds.add(group.GroupId);
        }
        if (LIVE_STATES.includes(instance.State?.Name ?? ''))
            live.add(instance.InstanceId);
        if (instance.State?.Name !== 'terminated')
            notTerminated.add(instance.InstanceId);
    }
    if (live.size > 0) {
        const ids = [...live];
        context.log.info(`Terminating ${ids.length} instance(s) of run ${request.runId}: ${ids.join(', ')}`);
        await ec2.send(new dist_cjs/* TerminateInstancesCommand */.NaF({ InstanceIds: ids }), { abortSignal: signal });
        result.terminatedInstances.push(...ids);
    }
    // An instance holds its security groups until it is terminated (Packer's own, shutting down, too).
    if (notTerminated.size > 0)
        await waitTerminated(ec2, [...notTerminated], request.waitMs ?? 180_000, context);
    for (const pair of await describeKeyPairs(ec2, [runFilter], signal)) {
        if (pair.KeyName)
            keyPairs.add(pair.KeyName);
    }
    for (const name of keyPairs) {
        const exists = await describeKeyPairs(ec2, [{ Name: 'key-name', Values: [name] }], signal);
        if (exists.length === 0)
            continue;
        context.log.info(`Deleting key pair ${name}`);
        await ec2.send(new dist_cjs/* DeleteKeyPairCommand */.EWB({ KeyName: name }), { abortSignal: signal });
        result.deletedKeyPairs.push(name);
    }
    const groupFilters = [[runFilter]];
    if (groupNames.size > 0)
        groupFilters.push([{ Name: 'group-name', Values: [...groupNames] }]);
    for (const filters of groupFilters) {
        for (const group of await describeSecurityGroups(ec2, filters, signal))
            if (group.GroupId)
                groupIds.add(group.GroupId);
    }
    if (groupIds.size === 0)
        return result;
    for (const group of await describeSecurityGroups(ec2, [{ Name: 'group-id', Values: [...groupIds] }], signal)) {
        if (!group.GroupId)
            continue;
        context.log.info(`Deleting security group ${group.GroupId} (${group.GroupName ?? ''})`);
        try {
            await ec2.send(new dist_cjs/* DeleteSecurityGroupCommand */.yEh({ GroupId: group.GroupId }), { abortSignal: signal });
            result.deletedSecurityGroups.push(group.GroupId);
        }
        catch (error) {
            if (signal.aborted)
                throw error;
            result.failures.push(`security group ${group.GroupId}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    return result;
}
/**
 * Waits (the SDK's InstanceTerminated waiter) until `ids` are terminated.
 * Not reaching it is logged, not thrown: the sweep still deletes what it
 * can, and a group an instance still holds is reported as a failure.
 */
async function waitTerminated(ec2, ids, waitMs, context) {
    context.log.info(`Waiting up to ${format_formatDuration(waitMs)} for ${ids.join(', ')} to terminate`);
    // Seconds, as the waiter counts; it checks at once, then every 2 to 15 s (jittered).
    const waiter = { client: ec2, minDelay: 2, maxDelay: 15, abortSignal: context.signal };
    try {
        await (0,dist_cjs/* waitUntilInstanceTerminated */.GJr)({ ...waiter, maxWaitTime: Math.max(3, Math.ceil(waitMs / 1000)) }, { InstanceIds: ids });
    }
    catch (error) {
        context.signal.throwIfAborted();
        // The waiter's own message is a JSON dump of its last response.
        const why = error.name === 'TimeoutError' ? 'timed out' : 'an instance is in a state it does not terminate from';
        context.log.warn(`${ids.join(', ')} not terminated within ${format_formatDuration(waitMs)} (${why}); deleting what can be deleted`);
    }
}
async function describeInstances(ec2, filters, signal) {
    const instances = [];
    for await (const page of (0,dist_cjs/* paginateDescribeInstances */.H0T)({ client: ec2 }, { Filters: filters })) {
        signal.throwIfAborted();
        for (const reservation of page.Reservations ?? [])
            instances.push(...(reservation.Instances ?? []));
    }
    return instances;
}
async function describeSecurityGroups(ec2, filters, signal) {
    const groups = [];
    for await (const page of (0,dist_cjs/* paginateDescribeSecurityGroups */.nYn)({ client: ec2 }, { Filters: filters })) {
        signal.throwIfAborted();
        groups.push(...(page.SecurityGroups ?? []));
    }
    return groups;
}
/** DescribeKeyPairs has no paging: one call answers every match. */
async function describeKeyPairs(ec2, filters, signal) {
    const page = await ec2.send(new dist_cjs/* DescribeKeyPairsCommand */.DRu({ Filters: filters }), { abortSignal: signal });
    return page.KeyPairs ?? [];
}

;// CONCATENATED MODULE: ../../packages/packer-bake/lib/index.js
/**
 * @img-mgr/packer-bake: Packer builds of AMIs. Every operation takes the
 * kernel's `Context` (log, signal, env, AWS clients) and reads nothing global.
 */


















/***/ })

};
