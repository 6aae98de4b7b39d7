/**
 * A fault-injecting HTTP proxy for the AWS endpoint: it sits on loopback
 * between the code under test and moto and answers a chosen share of
 * requests with throttling, 5xx, a slow response or a dropped connection.
 * Faults are injected before the request reaches moto, so a fault never
 * has a side effect; that keeps "the final state is exactly right" testable.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `refuse` answers as AWS refuses a request it will not retry (400 ValidationError, query protocol): a stand-in
 * for a failure moto never produces (say, a stack update CloudFormation refuses), so a test says so in its name.
 */
export type FaultKind = 'throttle' | 'http500' | 'http503' | 'slow' | 'drop' | 'refuse';

export interface FaultProxyOptions {
  /** The real endpoint (moto). */
  target: string;
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  /** Which faults to draw from (default: all). */
  kinds?: FaultKind[];
  /** Delay of a slow response, in ms (default 1500). */
  slowMs?: number;
  /** Seed of the fault sequence, for reproducible runs. */
  seed?: number;
  /** Only calls of this operation (e.g. `PutParameter`) may get a fault; the others always pass. */
  operation?: string;
  /** At most this many faults in all; every later request passes (e.g. "the first two calls are throttled"). */
  maxFaults?: number;
  /** Only calls signed for this region (their credential scope) may get a fault. */
  region?: string;
  /** Only calls whose body holds this text (e.g. `StackName=img-mgr-dev&`) may get a fault. */
  bodyIncludes?: string;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen and faults injected, by kind and by AWS service. */
  readonly stats: { requests: number; faults: Record<FaultKind, number>; byService: Record<string, number> };
  setRate(rate: number): void;
  stop(): Promise<void>;
}

/** A small seeded PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The AWS service a signed request is for, from its credential scope. */
export function serviceOf(request: IncomingMessage): string {
  const auth = String(request.headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
}

/** The AWS region a signed request is for, from its credential scope. */
export function regionOf(request: IncomingMessage): string {
  const auth = String(request.headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
}

/** The API operation of a request: JSON protocols name it in X-Amz-Target, query protocols in `Action=`. */
export function operationOf(request: IncomingMessage, body: Buffer): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  return /(?:^|&)Action=([^&]+)/.exec(body.toString())?.[1] ?? 'unknown';
}

/** A throttling error body in the service's own protocol. */
function throttleResponse(service: string, response: ServerResponse): void {
  if (service === 'ssm') {
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded (injected)' }));
  } else if (service === 'ec2') {
    response.writeHead(503, { 'content-type': 'text/xml' });
    response.end(
      '<Response><Errors><Error><Code>RequestLimitExceeded</Code>' +
        '<Message>Request limit exceeded (injected)</Message></Error></Errors>' +
        '<RequestID>fault</RequestID></Response>',
    );
  } else {
    response.writeHead(400, { 'content-type': 'text/xml' });
    response.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>' +
        '<Message>Rate exceeded (injected)</Message></Error>' +
        '<RequestId>fault</RequestId></ErrorResponse>',
    );
  }
}

/** Starts the proxy on a free 127.0.0.1 port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const kinds = options.kinds ?? ['throttle', 'http500', 'http503', 'slow', 'drop'];
  const random = seeded(options.seed ?? 1);
  let rate = options.rate;
  const stats = {
    requests: 0,
    faults: { throttle: 0, http500: 0, http503: 0, slow: 0, drop: 0, refuse: 0 } as Record<FaultKind, number>,
    byService: {} as Record<string, number>,
  };

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    upstream.end(body);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = serviceOf(request);
      stats.requests += 1;
      stats.byService[service] = (stats.byService[service] ?? 0) + 1;
      const isApiCall = request.headers.authorization !== undefined;
      const injected = Object.values(stats.faults).reduce((sum, count) => sum + count, 0);
      const eligible =
        isApiCall &&
        (options.operation === undefined || operationOf(request, body) === options.operation) &&
        (options.region === undefined || regionOf(request) === options.region) &&
        (options.bodyIncludes === undefined || body.toString().includes(options.bodyIncludes)) &&
        injected < (options.maxFaults ?? Infinity);
      if (!eligible || random() >= rate) {
        forward(request, response, body);
        return;
      }
      const kind = kinds[Math.floor(random() * kinds.length)] ?? 'throttle';
      stats.faults[kind] += 1;
      switch (kind) {
        case 'throttle':
          throttleResponse(service, response);
          return;
        case 'http500':
        case 'http503':
          response.writeHead(kind === 'http500' ? 500 : 503, { 'content-type': 'text/plain' });
          response.end('injected server error');
          return;
        case 'slow':
          setTimeout(() => forward(request, response, body), options.slowMs ?? 1_500);
          return;
        case 'drop':
          request.socket.destroy();
          return;
        case 'refuse':
          response.writeHead(400, { 'content-type': 'text/xml' });
          response.end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>' +
              `<Message>${operationOf(request, body)} refused (injected by the test's fault proxy)</Message></Error>` +
              '<RequestId>fault</RequestId></ErrorResponse>',
          );
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setRate(next) {
      rate = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
