/**
 * The smoke test through the front door: the one contract that the workflow
 * (against the stack's load balancer), the CLI (against its local preview)
 * and the tests run. Against a base URL, in order:
 *
 * 1. `GET /` answers 200 with the upload page (the app's heading). While
 *    nothing answers, or a load balancer answers 502/503/504 (no healthy
 *    target yet), it is asked again until the deadline.
 * 2. A small generated file, named `img-mgr-smoke-…` (the only objects the
 *    deploy role may delete), POSTed to the app's own `POST /upload`, lands in
 *    the bucket: read back with S3 GetObject and compared, then deleted. A
 *    502/503/504 is asked again (with a new file) until the deadline.
 * 3. `GET /static/img-mgr.json` is polled until `samples` answers in a row
 *    come from the expected revision (behind a load balancer, old and new
 *    instances answer in turn while a rolling update runs).
 *
 * Everything is bounded by one deadline (`timeoutMs`). It never follows a
 * redirect to another host, never sends credentials or cookies, and never
 * logs an answer's body (the app's pages hold presigned URLs).
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  awsErrorClass,
  hasUrlCredentials,
  InvalidRequestError,
  KernelError,
  sleep as kernelSleep,
  type Logger,
} from '@img-mgr/kernel';
import {
  parseRevisionFile,
  REVISION_FILE_PATH,
  RevisionFileError,
  shortRevision,
  type RevisionFile,
} from './revision-file.js';

/** The heading of the upstream app's upload page (templates/index.html). */
export const UPLOAD_PAGE_HEADING = 'Upload your files to the AWS S3 Bucket';

/** Every object the smoke test uploads is named so; the deploy role may delete only these. */
export const SMOKE_OBJECT_PREFIX = 'img-mgr-smoke-';

/** Where the upstream app puts an upload in its bucket: `uploads/<file name>`. */
export const UPLOAD_KEY_PREFIX = 'uploads/';

/** The S3 key pattern of the smoke test's objects, for an IAM policy's resource (`arn:aws:s3:::BUCKET/<this>`). */
export const SMOKE_OBJECT_KEY_PATTERN = `${UPLOAD_KEY_PREFIX}${SMOKE_OBJECT_PREFIX}*`;

/** The default number of answers in a row that must come from the expected revision. */
export const DEFAULT_SAMPLES = 5;

/** The default pause between two reads of the revision file. */
export const DEFAULT_INTERVAL_MS = 1000;

/** The longest a single request may take (less when the deadline is nearer). */
const REQUEST_TIMEOUT_MS = 10_000;

/** Redirects followed on the base URL's own host before giving up. */
const MAX_REDIRECTS = 3;

/** Statuses a load balancer answers while no target is healthy yet: asked again until the deadline. */
const NOT_READY = new Set([502, 503, 504]);

export interface SmokeTestRequest {
  /** The site's base URL (http or https, no credentials), e.g. the stack's `Url` output. */
  baseUrl: string;
  /** The bucket the app uploads to (the stack's bucket): where the uploaded file must land. */
  bucket: string;
  /** The app revision that must answer (`appRevision` of the revision file). */
  expectedRevision: string;
  /** Answers in a row from `expectedRevision` that pass the test; default 5. */
  samples?: number;
  /** The bound of the whole test, in milliseconds. */
  timeoutMs: number;
  /** The pause between two reads of the revision file; default 1000 ms. */
  intervalMs?: number;
  /**
   * The base URL is one server that already runs the revision it will run
   * (the local preview): an answer from another revision, or a missing file,
   * fails at once instead of being waited out.
   */
  singleServer?: boolean;
}

export interface SmokeTestContext {
  logger: Logger;
  /** Aborted on cancellation: the test stops with the signal's reason. */
  signal: AbortSignal;
  /** A client for the bucket's region (path-style addressing for a local AWS). */
  s3: S3Client;
  /** Injectable for tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** Injectable for tests; the kernel's abortable sleep by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests; Date.now by default. */
  now?: () => number;
}

export interface SmokeTestResult {
  /** The base URL that was tested. */
  url: string;
  /** Answers in a row from the expected revision that passed it. */
  samples: number;
  /** How many reads of the revision file each revision answered (`(missing)` for a 404). */
  revisionsSeen: Record<string, number>;
  /** The AMI ids the answers named (instances write theirs at boot; none on the local preview). */
  amiIds: string[];
  elapsedMs: number;
  /** The uploaded object's key and the status `POST /upload` answered. */
  upload: { key: string; status: number; removed: boolean };
}

/** Which check failed, for callers that branch on it (never on the message). */
export type SmokeCheck = 'unreachable' | 'home' | 'upload' | 'revision' | 'redirect' | 'access';

/**
 * A failed smoke test: one line, `smoke test of <url>: <what failed>`.
 * `kind` is 'timeout' when the deadline ran out, else 'failed'.
 */
export class SmokeTestError extends KernelError {
  override readonly name = 'SmokeTestError';
  readonly kind: 'failed' | 'timeout';
  constructor(
    readonly url: string,
    readonly check: SmokeCheck,
    readonly problem: string,
    timedOut = false,
  ) {
    super(`smoke test of ${url}: ${problem}`);
    this.kind = timedOut ? 'timeout' : 'failed';
  }
}

/** The key `fileName` gets in the bucket when the upstream app uploads it. */
export function uploadKey(fileName: string): string {
  return `${UPLOAD_KEY_PREFIX}${fileName}`;
}

/** A label for a missing revision file in `revisionsSeen`. */
export const MISSING_REVISION = '(missing)';

/** Runs the smoke test; resolves with what it saw or throws SmokeTestError (or the signal's reason). */
export async function runSmokeTest(request: SmokeTestRequest, context: SmokeTestContext): Promise<SmokeTestResult> {
  const base = checkRequest(request);
  const url = base.href;
  const now = context.now ?? Date.now;
  const started = now();
  const deadline = started + request.timeoutMs;
  const http = new FrontDoor(base, deadline, context);
  const fail = (check: SmokeCheck, problem: string, timedOut = false): SmokeTestError =>
    new SmokeTestError(url, check, problem, timedOut);

  await http.waitForHome(fail);
  context.logger.info(`GET / → 200, the upload page`);

  const upload = await uploadOnce(base, request.bucket, http, context, fail);
  context.logger.info(
    `POST /upload → ${upload.status}; s3://${request.bucket}/${upload.key} arrived` +
      (upload.removed ? ' (removed again)' : ' (could not be removed: it stays)'),
  );

  const seen = await pollRevision(request, http, context, fail);
  const elapsedMs = now() - started;
  context.logger.info(
    `GET ${REVISION_FILE_PATH}: ${seen.samples} answers in a row from ${shortRevision(request.expectedRevision)}` +
      `${seen.amiIds.length > 0 ? ` (AMI ${seen.amiIds.join(', ')})` : ''}`,
  );
  return { url, samples: seen.samples, revisionsSeen: seen.revisionsSeen, amiIds: seen.amiIds, elapsedMs, upload };
}

function checkRequest(request: SmokeTestRequest): URL {
  if (hasUrlCredentials(request.baseUrl))
    throw new InvalidRequestError('baseUrl', 'holds credentials (user:password@); use a URL without them');
  let base: URL;
  try {
    base = new URL(request.baseUrl);
  } catch {
    throw new InvalidRequestError('baseUrl', 'is not a URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new InvalidRequestError('baseUrl', `must be http or https, not ${base.protocol.replace(/:$/, '')}`);
  if (base.search || base.hash) throw new InvalidRequestError('baseUrl', 'may not have a query or a fragment');
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  if (!request.bucket) throw new InvalidRequestError('bucket', 'is empty');
  if (!request.expectedRevision) throw new InvalidRequestError('expectedRevision', 'is empty');
  const samples = request.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1 || samples > 100)
    throw new InvalidRequestError('samples', `must be a whole number from 1 to 100, not ${samples}`);
  if (!(request.timeoutMs > 0)) throw new InvalidRequestError('timeoutMs', 'must be positive');
  return base;
}

/** What one request answered (the body read only when asked for, and never logged). */
interface Answer {
  status: number;
  body: string;
}

/** The base URL's requests: one deadline, same-host redirects only, no credentials, errors named. */
class FrontDoor {
  /** What the last request that got no answer failed with (ECONNREFUSED, a timeout). */
  lastProblem = 'no request made';
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(
    readonly base: URL,
    readonly deadline: number,
    readonly context: SmokeTestContext,
  ) {
    this.fetch = context.fetch ?? fetch;
    this.sleep = context.sleep ?? kernelSleep;
    this.now = context.now ?? Date.now;
  }

  remainingMs(): number {
    return this.deadline - this.now();
  }

  async pause(ms: number): Promise<void> {
    await this.sleep(Math.max(0, Math.min(ms, this.remainingMs())), this.context.signal);
  }

  /** `GET /` until it answers 200 with the upload page; waits out no answer and 502/503/504. */
  async waitForHome(fail: (check: SmokeCheck, problem: string, timedOut?: boolean) => SmokeTestError): Promise<void> {
    const started = this.now();
    for (;;) {
      const answer = await this.request('GET', '/', { readBody: true }, fail);
      if (answer && !NOT_READY.has(answer.status)) {
        if (answer.status !== 200) throw fail('home', `GET / answered ${answer.status}`);
        if (!answer.body.includes(UPLOAD_PAGE_HEADING))
          throw fail('home', `GET / answered 200 without the upload page ("${UPLOAD_PAGE_HEADING}")`);
        return;
      }
      if (answer) this.lastProblem = `GET / answered ${answer.status}`;
      if (this.remainingMs() <= 0)
        throw fail(
          answer ? 'home' : 'unreachable',
          `no answer within ${seconds(this.now() - started)} (last: ${this.lastProblem})`,
          true,
        );
      await this.pause(250);
    }
  }

  /**
   * One request to `path` under the base URL. Resolves undefined when
   * nothing answered (the reason in `lastProblem`); follows a redirect only
   * on the base URL's host (at most 3), and throws on any other.
   */
  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { readBody?: boolean; body?: FormData; follow?: boolean },
    fail: (check: SmokeCheck, problem: string) => SmokeTestError,
  ): Promise<Answer | undefined> {
    let target = new URL(path.replace(/^\//, ''), this.base);
    for (let hop = 0; ; hop++) {
      const remaining = this.remainingMs();
      if (remaining <= 0) return undefined;
      const timeout = AbortSignal.timeout(Math.min(REQUEST_TIMEOUT_MS, remaining));
      let response: Response;
      try {
        response = await this.fetch(target, {
          method,
          redirect: 'manual',
          credentials: 'omit',
          // A cache in front of the site must not answer for the instances behind it.
          headers: { 'cache-control': 'no-cache' },
          ...(options.body ? { body: options.body } : {}),
          signal: AbortSignal.any([this.context.signal, timeout]),
        });
      } catch (error: unknown) {
        if (this.context.signal.aborted) throw this.context.signal.reason;
        this.lastProblem = timeout.aborted
          ? `no answer within ${seconds(Math.min(REQUEST_TIMEOUT_MS, remaining))}`
          : networkReason(error);
        return undefined;
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null && options.follow !== false) {
        await response.body?.cancel();
        const next = this.sameHost(location, `${method} ${target.pathname}`, fail);
        if (hop >= MAX_REDIRECTS)
          throw fail('redirect', `${method} ${pathOf(path)} redirected more than ${MAX_REDIRECTS} times`);
        target = next;
        continue;
      }
      if (response.status >= 300 && response.status < 400 && location !== null)
        this.sameHost(location, `${method} ${target.pathname}`, fail);
      let body = '';
      try {
        if (options.readBody) body = await response.text();
        else await response.body?.cancel();
      } catch (error: unknown) {
        if (this.context.signal.aborted) throw this.context.signal.reason;
        this.lastProblem = `the answer to ${method} ${pathOf(path)} broke off (${networkReason(error)})`;
        return undefined;
      }
      return { status: response.status, body };
    }
  }

  /** The redirect target when it is on the base URL's host; throws naming only the other host. */
  private sameHost(location: string, what: string, fail: (check: SmokeCheck, problem: string) => SmokeTestError): URL {
    let next: URL;
    try {
      next = new URL(location, this.base);
    } catch {
      throw fail('redirect', `${what} redirected to something that is not a URL`);
    }
    if (next.hostname !== this.base.hostname || (next.protocol !== 'http:' && next.protocol !== 'https:'))
      // Only the host: the rest of a redirect may carry a presigned query.
      throw fail(
        'redirect',
        `${what} redirected off ${this.base.hostname} to ${next.protocol}//${next.host}; not followed`,
      );
    return next;
  }
}

/** POSTs one generated file to /upload and reads it back from the bucket; then removes it. */
async function uploadOnce(
  base: URL,
  bucket: string,
  http: FrontDoor,
  context: SmokeTestContext,
  fail: (check: SmokeCheck, problem: string, timedOut?: boolean) => SmokeTestError,
): Promise<SmokeTestResult['upload']> {
  let name: string;
  let content: string;
  let answer: Answer | undefined;
  // A load balancer answers 502/503/504 now and then even after GET / passed (a target just drained): asked
  // again until the deadline, each time with a new file, so what is read back is what this try uploaded.
  for (let tries = 1; ; tries++) {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    name = `${SMOKE_OBJECT_PREFIX}${stamp}-${randomBytes(4).toString('hex')}.txt`;
    content = `uploaded by the img-mgr smoke test of ${base.host} at ${new Date().toISOString()}\n`;
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/plain' }), name);
    // Not followed: upstream answers 302 to /, and the status is what is reported.
    answer = await http.request('POST', '/upload', { body: form, follow: false }, fail);
    if (!answer) throw fail('upload', `POST /upload got no answer (${http.lastProblem})`, http.remainingMs() <= 0);
    if (!NOT_READY.has(answer.status)) break;
    if (http.remainingMs() > 0) await http.pause(250);
    if (http.remainingMs() <= 0)
      throw fail('upload', `POST /upload answered ${answer.status} on every try until the deadline (${tries})`, true);
    context.logger.info(`POST /upload answered ${answer.status}; trying again with a new file (try ${tries + 1})`);
  }
  if (answer.status >= 400) throw fail('upload', `POST /upload answered ${answer.status}`);
  const key = uploadKey(name);
  const where = `s3://${bucket}/${key}`;
  const abortSignal = AbortSignal.any([
    context.signal,
    AbortSignal.timeout(Math.max(1, Math.min(REQUEST_TIMEOUT_MS, http.remainingMs()))),
  ]);
  let stored: string;
  try {
    const object = await context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
    stored = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error: unknown) {
    if (context.signal.aborted) throw context.signal.reason;
    // Refused is not missing: the caller's credentials may not read the bucket, which says nothing about the app.
    if (awsErrorClass(error) === 'access-denied') {
      throw fail('access', `may not read ${where} back (${errorName(error)}): check the role's grant on the bucket`);
    }
    throw fail('upload', `POST /upload answered ${answer.status} but ${where} is not there (${errorName(error)})`);
  }
  const removed = await context.s3
    .send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: context.signal })
    .then(
      () => true,
      (error: unknown) => {
        if (context.signal.aborted) throw context.signal.reason;
        context.logger.warn(`smoke test: could not remove ${where} (${errorName(error)}); remove it by hand`);
        return false;
      },
    );
  if (stored !== content)
    throw fail('upload', `POST /upload answered ${answer.status} but ${where} holds something else than was uploaded`);
  return { key, status: answer.status, removed };
}

/** Reads the revision file until `samples` answers in a row come from the expected revision. */
async function pollRevision(
  request: SmokeTestRequest,
  http: FrontDoor,
  context: SmokeTestContext,
  fail: (check: SmokeCheck, problem: string, timedOut?: boolean) => SmokeTestError,
): Promise<{ samples: number; revisionsSeen: Record<string, number>; amiIds: string[] }> {
  const samples = request.samples ?? DEFAULT_SAMPLES;
  const interval = request.intervalMs ?? DEFAULT_INTERVAL_MS;
  const expected = request.expectedRevision;
  const revisionsSeen: Record<string, number> = {};
  const amiIds = new Set<string>();
  /** The last `samples` answers: a revision, MISSING_REVISION, or undefined for no answer. */
  const window: (string | undefined)[] = [];
  let streak = 0;
  let lastStatus: number | undefined;
  let lastProblem: string | undefined;
  for (let read = 0; ; read++) {
    if (read > 0) await http.pause(interval);
    // A query new on every read: a cache in front of the site that keeps the file (a CDN) cannot answer it.
    const path = `${REVISION_FILE_PATH}?smoke=${randomBytes(6).toString('hex')}`;
    const answer = await http.request('GET', path, { readBody: true }, fail);
    let revision: string | undefined;
    if (answer) {
      lastStatus = answer.status;
      if (answer.status === 404) revision = MISSING_REVISION;
      else if (answer.status === 200) {
        let file: RevisionFile;
        try {
          file = parseRevisionFile(answer.body);
        } catch (error: unknown) {
          if (!(error instanceof RevisionFileError)) throw error;
          throw fail('revision', `${REVISION_FILE_PATH} answered 200, but ${error.message}`);
        }
        revision = file.appRevision;
        if (file.amiId && revision === expected) amiIds.add(file.amiId);
      } else if (!NOT_READY.has(answer.status)) {
        throw fail('revision', `GET ${REVISION_FILE_PATH} answered ${answer.status}`);
      }
      lastProblem = revision === undefined ? `GET ${REVISION_FILE_PATH} answered ${answer.status}` : undefined;
    } else lastProblem = http.lastProblem;
    if (revision !== undefined) revisionsSeen[revision] = (revisionsSeen[revision] ?? 0) + 1;
    window.push(revision);
    if (window.length > samples) window.shift();
    streak = revision === expected ? streak + 1 : 0;
    if (streak >= samples) return { samples, revisionsSeen, amiIds: [...amiIds].sort() };

    const finished = http.remainingMs() <= 0;
    // One server answers the same until it is restarted: a wrong answer will not turn right.
    const settled = request.singleServer === true && revision !== undefined && revision !== expected;
    if (!finished && !settled) continue;
    const missing = (count: number): string =>
      `${REVISION_FILE_PATH} is missing (404${count > 1 ? ` on ${count} answers` : ''}): ` +
      "the app's configuration step did not write it";
    const answered = window.filter((seen): seen is string => seen !== undefined);
    if (settled && revision === MISSING_REVISION) throw fail('revision', missing(1));
    if (settled)
      throw fail(
        'revision',
        `${REVISION_FILE_PATH} answered revision ${shortRevision(revision ?? '')}, not ${shortRevision(expected)}`,
      );
    if (answered.length === 0)
      throw fail(
        'revision',
        `no answer from ${REVISION_FILE_PATH} within ${seconds(request.timeoutMs)} ` +
          `(last: ${lastProblem ?? (lastStatus !== undefined ? `answered ${lastStatus}` : 'none')})`,
        true,
      );
    if (answered.every((seen) => seen === MISSING_REVISION)) throw fail('revision', missing(answered.length), true);
    const others = answered.filter((seen) => seen !== expected);
    const counts = new Map<string, number>();
    for (const seen of others) counts.set(seen, (counts.get(seen) ?? 0) + 1);
    const [commonest] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const otherText = commonest
      ? commonest[0] === MISSING_REVISION
        ? 'had no revision file (404)'
        : `came from revision ${shortRevision(commonest[0])}`
      : 'were not from it';
    throw fail(
      'revision',
      `${others.length} of the last ${answered.length} answers ${otherText}, not ${shortRevision(expected)}, ` +
        `within ${seconds(request.timeoutMs)} (${samples} in a row needed)`,
      true,
    );
  }
}

/** The reason a request got no answer: the system error's code (ECONNREFUSED, ENOTFOUND) when there is one. */
function networkReason(error: unknown): string {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cause = cause.cause;
  }
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message.split('\n')[0] || 'Error' : error.name;
  return String(error);
}

function pathOf(path: string): string {
  // Without the query: the revision file's changes on every read.
  const bare = path.replace(/[?].*$/, '');
  return bare.startsWith('/') ? bare : `/${bare}`;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 100) / 10)} s`;
}
