// @needs-tools moto_server
/**
 * The smoke test against a real HTTP server on 127.0.0.1 shaped like the
 * upstream app (the upload page, POST /upload that stores `uploads/<name>` in
 * the bucket and answers 302 to /, Flask's /static/img-mgr.json) and a real
 * S3 (moto). Each case breaks one thing the way a bad revision or a bad load
 * balancer would, and the failure is read back as the one line it must be.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { lineLogger } from '@img-mgr/kernel';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  runSmokeTest,
  SmokeTestError,
  UPLOAD_PAGE_HEADING,
  type SmokeTestContext,
  type SmokeTestRequest,
} from '../src/index.js';

const NEW = 'b1e2c3d4e5f60718293a4b5c6d7e8f9012345678';
const OLD = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
const BUCKET = 'img-mgr-uploads';
/** What the app's pages may carry and the smoke test must never print. */
const PRESIGNED = 'https://bucket.s3.amazonaws.com/x?X-Amz-Signature=deadbeefsecret';

/** How the app behaves; each test sets what it breaks. */
interface AppShape {
  home: (response: ServerResponse) => void;
  upload: 'store' | 'fail' | 'drop';
  /** POSTs to /upload answered with this status (a load balancer's) before the app gets them. */
  uploadBusy?: number[];
  /** The revision file's body per read (the last repeats), or 404. */
  revisions: (string | 404)[];
}

let moto: Moto;
let s3: S3Client;
let app: Server;
let base: string;
let shape: AppShape;
let reads = 0;
let requests: IncomingMessage[] = [];
/** The file names POSTed to /upload, in order. */
let uploaded: string[] = [];
let lines: string[] = [];

function goodShape(): AppShape {
  return {
    home: (response) => {
      response.setHeader('set-cookie', 'session=abc; Path=/');
      response.end(`<html><h1>${UPLOAD_PAGE_HEADING}</h1><a href="${PRESIGNED}">a picture</a></html>`);
    },
    upload: 'store',
    revisions: [JSON.stringify({ appRevision: NEW, fingerprint: 'fp-1', amiId: 'ami-0123456789abcdef0' })],
  };
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  requests.push(request);
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  if (request.method === 'GET' && path === '/') return shape.home(response);
  if (request.method === 'POST' && path === '/upload') {
    if (shape.upload === 'fail') {
      response.statusCode = 500;
      response.end(`Internal Server Error ${PRESIGNED}`);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = await new Request('http://x/upload', {
      method: 'POST',
      headers: { 'content-type': request.headers['content-type'] ?? '' },
      body: Buffer.concat(chunks),
    }).formData();
    const file = form.get('file') as File;
    uploaded.push(file.name);
    const busy = shape.uploadBusy?.shift();
    if (busy !== undefined) {
      response.writeHead(busy).end('Bad Gateway');
      return;
    }
    if (shape.upload === 'store')
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `uploads/${file.name}`,
          Body: Buffer.from(await file.arrayBuffer()),
        }),
      );
    response.writeHead(302, { location: '/' }).end(`Redirecting to / ${PRESIGNED}`);
    return;
  }
  if (request.method === 'GET' && path === '/static/img-mgr.json') {
    const body = shape.revisions[Math.min(reads++, shape.revisions.length - 1)];
    if (body === 404 || body === undefined) response.writeHead(404).end('Not Found');
    else response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  response.writeHead(404).end();
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
    }),
  );
}

function context(): SmokeTestContext {
  return { logger: lineLogger((line) => lines.push(line)), signal: AbortSignal.timeout(60_000), s3 };
}

function request(overrides: Partial<SmokeTestRequest> = {}): SmokeTestRequest {
  return {
    baseUrl: base,
    bucket: BUCKET,
    expectedRevision: NEW,
    samples: 3,
    intervalMs: 0,
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** The SmokeTestError a run ends with (the test fails when it passes or throws anything else). */
async function failure(overrides: Partial<SmokeTestRequest> = {}): Promise<SmokeTestError> {
  const thrown = await runSmokeTest(request(overrides), context()).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(SmokeTestError);
  const error = thrown as SmokeTestError;
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toContain('X-Amz-Signature');
  return error;
}

async function bucketKeys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  app = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(599).end());
  });
  base = await listen(app);
});
afterAll(async () => {
  app.closeAllConnections();
  app.close();
  s3.destroy();
  await moto.stop();
});
beforeEach(() => {
  shape = goodShape();
  reads = 0;
  requests = [];
  uploaded = [];
  lines = [];
});

describe('runSmokeTest against an upstream-shaped app and S3', () => {
  it('a good revision passes: the page, an upload read back from S3 and removed, N answers in a row', async () => {
    const result = await runSmokeTest(request(), context());
    expect(result).toMatchObject({
      url: base,
      samples: 3,
      revisionsSeen: { [NEW]: 3 },
      amiIds: ['ami-0123456789abcdef0'],
      upload: { status: 302, removed: true },
    });
    expect(result.upload.key).toMatch(/^uploads\/img-mgr-smoke-[0-9TZ]+-[0-9a-f]{8}\.txt$/);
    expect(await bucketKeys()).toEqual([]);
    // No cookie the app set, no credentials: every request went out bare.
    expect(requests.every((seen) => !seen.headers.cookie && !seen.headers.authorization)).toBe(true);
    // The bodies (with presigned URLs) are never logged.
    expect(lines.join('\n')).not.toContain('X-Amz-Signature');
    expect(lines).toContain('GET / → 200, the upload page');
    // One server (the local preview): the same, as quickly.
    reads = 0;
    await expect(runSmokeTest(request({ singleServer: true, samples: 5 }), context())).resolves.toMatchObject({
      revisionsSeen: { [NEW]: 5 },
    });
  });

  it('reads the revision file past any cache: Cache-Control: no-cache and a query new on every read', async () => {
    await runSmokeTest(request(), context());
    const reads = requests.filter((seen) => seen.url?.startsWith('/static/img-mgr.json'));
    expect(reads).toHaveLength(3);
    for (const read of reads) {
      expect(read.url).toMatch(/^\/static\/img-mgr\.json\?smoke=[0-9a-f]{12}$/);
      expect(read.headers['cache-control']).toBe('no-cache');
    }
    expect(new Set(reads.map((read) => read.url)).size).toBe(3);
  });

  it('waits out old instances while a rolling update runs: N answers in a row from the new revision', async () => {
    const old = JSON.stringify({ appRevision: OLD });
    shape.revisions = [old, JSON.stringify({ appRevision: NEW }), old, JSON.stringify({ appRevision: NEW })];
    const result = await runSmokeTest(request(), context());
    expect(result.revisionsSeen).toEqual({ [OLD]: 2, [NEW]: 4 });
    expect(result.amiIds).toEqual([]);
  });

  it.each([
    [
      'GET / answers 500',
      { home: (response: ServerResponse) => response.writeHead(500).end(PRESIGNED) },
      'GET / answered 500',
    ],
    [
      'GET / answers 200 without the upload page',
      { home: (response: ServerResponse) => response.end('<h1>Welcome to nginx!</h1>') },
      `GET / answered 200 without the upload page ("${UPLOAD_PAGE_HEADING}")`,
    ],
    ['POST /upload answers 500', { upload: 'fail' as const }, 'POST /upload answered 500'],
  ])('%s: fails naming the URL and the check', async (_name, broken, problem) => {
    Object.assign(shape, broken);
    const error = await failure();
    expect(error.message).toBe(`smoke test of ${base}: ${problem}`);
    expect(error.kind).toBe('failed');
  });

  it('POST /upload answered 502 then 504 by a load balancer: asked again with a new file each time', async () => {
    shape.uploadBusy = [502, 504];
    const result = await runSmokeTest(request(), context());
    expect(uploaded).toHaveLength(3);
    expect(new Set(uploaded).size).toBe(3);
    expect(result.upload.key).toBe(`uploads/${uploaded[2]}`);
    expect(lines.filter((line) => line.startsWith('POST /upload answered'))).toEqual([
      'POST /upload answered 502; trying again with a new file (try 2)',
      'POST /upload answered 504; trying again with a new file (try 3)',
    ]);
  });

  it('POST /upload answered 503 until the deadline: a bounded timeout naming the status', async () => {
    shape.uploadBusy = Array<number>(100).fill(503);
    const error = await failure({ timeoutMs: 1_000 });
    expect(error.check).toBe('upload');
    expect(error.kind).toBe('timeout');
    expect(error.problem).toMatch(/^POST \/upload answered 503 on every try until the deadline \(\d+\)$/);
  });

  it('an upload answered 302 that never reaches the bucket fails, naming the object S3 does not have', async () => {
    shape.upload = 'drop';
    const error = await failure();
    expect(error.check).toBe('upload');
    expect(error.message).toMatch(
      new RegExp(
        `^smoke test of ${base.replace(/[.]/g, '\\.')}: POST /upload answered 302 but ` +
          `s3://${BUCKET}/uploads/img-mgr-smoke-\\S+\\.txt is not there \\(NoSuchKey\\)$`,
      ),
    );
  });

  it('a missing revision file: waited out on a fleet, at once on one server; says who writes it', async () => {
    shape.revisions = [404];
    const fleet = await failure({ timeoutMs: 1000, intervalMs: 50 });
    expect(fleet.message).toMatch(
      /: \/static\/img-mgr\.json is missing \(404 on [23] answers\): the app's configuration step did not write it$/,
    );
    expect(fleet.kind).toBe('timeout');
    const preview = await failure({ singleServer: true });
    expect(preview.message).toBe(
      `smoke test of ${base}: /static/img-mgr.json is missing (404): the app's configuration step did not write it`,
    );
  });

  it('a wrong revision: fails within the bound, saying how many answers came from which revision', async () => {
    shape.revisions = [JSON.stringify({ appRevision: OLD })];
    const started = Date.now();
    const error = await failure({ timeoutMs: 1000, intervalMs: 50 });
    expect(Date.now() - started).toBeLessThan(5_000);
    // As many as the window holds (3) once the bound allowed that many reads.
    expect(error.message).toMatch(
      new RegExp(
        `^smoke test of ${base.replace(/[.]/g, '\\.')}: ([123]) of the last \\1 answers came from revision ` +
          'a0a0a0a0a0a0…, not b1e2c3d4e5f6…, within 1 s \\(3 in a row needed\\)$',
      ),
    );
    expect((await failure({ singleServer: true })).message).toBe(
      `smoke test of ${base}: /static/img-mgr.json answered revision a0a0a0a0a0a0…, not b1e2c3d4e5f6…`,
    );
  });

  it('a revision file that is not one fails at once, without repeating what it held', async () => {
    shape.revisions = [JSON.stringify({ appRevision: NEW, token: PRESIGNED })];
    expect((await failure()).message).toBe(
      `smoke test of ${base}: /static/img-mgr.json answered 200, but the revision file has a field it may not have: ` +
        '"token" (only appRevision, fingerprint, amiId)',
    );
  });

  it('a redirect to another host is not followed; the other host never hears from it', async () => {
    const other = createServer((req, res) => {
      requests.push(req);
      res.end(UPLOAD_PAGE_HEADING);
    });
    const otherBase = (await listen(other)).replace('127.0.0.1', 'localhost');
    shape.home = (response) => response.writeHead(302, { location: `${otherBase}login?X-Amz-Signature=x` }).end();
    try {
      const error = await failure();
      expect(error.check).toBe('redirect');
      expect(error.message).toBe(
        `smoke test of ${base}: GET / redirected off 127.0.0.1 to ${otherBase.replace(/\/$/, '')}; not followed`,
      );
      expect(requests.map((seen) => seen.url)).toEqual(['/']);
    } finally {
      other.close();
    }
  });

  it('a redirect on the same host is followed', async () => {
    let first = true;
    const good = shape.home;
    shape.home = (response) => {
      if (first) response.writeHead(301, { location: '/' }).end();
      else good(response);
      first = false;
    };
    await expect(runSmokeTest(request(), context())).resolves.toMatchObject({ samples: 3 });
  });

  it('a URL where nothing listens: a bounded failure naming the URL and the last error', async () => {
    const closed = createServer();
    const url = await listen(closed);
    closed.close();
    const started = Date.now();
    const thrown = await runSmokeTest(request({ baseUrl: url, timeoutMs: 700 }), context()).catch(
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(thrown).toBeInstanceOf(SmokeTestError);
    expect((thrown as SmokeTestError).message).toMatch(
      new RegExp(
        `^smoke test of ${url.replace(/[.]/g, '\\.')}: no answer within 0\\.[5-9] s \\(last: ECONNREFUSED\\)$`,
      ),
    );
    expect((thrown as SmokeTestError).kind).toBe('timeout');
  });

  it('a server that accepts and never answers: bounded by the deadline too', async () => {
    shape.home = () => undefined;
    const started = Date.now();
    const error = await failure({ timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toMatch(/: no answer within 0\.\d s \(last: no answer within 0\.\d s\)$/);
  });

  it('refuses a base URL with credentials without repeating it', async () => {
    await expect(runSmokeTest(request({ baseUrl: 'http://user:hunter2@127.0.0.1/' }), context())).rejects.toThrow(
      /^'baseUrl' holds credentials \(user:password@\); use a URL without them$/,
    );
  });
});
