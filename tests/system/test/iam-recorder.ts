/**
 * A recording HTTP proxy in front of moto: it forwards every request
 * unchanged and notes the AWS service (from the signature's credential scope)
 * and the operation of each API call, so a test can list the calls the real
 * actions and Packer make. Query-protocol services (EC2, CloudFormation, IAM,
 * STS) name the operation in the form body's Action; JSON services (SSM) in
 * the X-Amz-Target header.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serviceOf } from '@img-mgr/testbed';

export interface RecordedCall {
  service: string;
  operation: string;
  region: string;
  /** A query-protocol CreateTags: the resource ids it names and the tags it sets. */
  tagging?: { resources: string[]; tags: Record<string, string> };
}

/** The resources and tags of an EC2 CreateTags form body (ResourceId.N, Tag.N.Key, Tag.N.Value). */
export function taggingOf(body: string): { resources: string[]; tags: Record<string, string> } {
  const form = new URLSearchParams(body);
  const resources: string[] = [];
  const tags: Record<string, string> = {};
  for (const [name, value] of form) {
    if (/^ResourceId\.\d+$/.test(name)) resources.push(value);
    const key = /^Tag\.(\d+)\.Key$/.exec(name);
    if (key) tags[value] = form.get(`Tag.${key[1]}.Value`) ?? '';
  }
  return { resources, tags };
}

export interface CallRecorder {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  stop(): Promise<void>;
}

/** The operation of a signed AWS request, or a method-and-path label for REST services. */
export function operationOf(
  headers: Record<string, string | string[] | undefined>,
  method: string,
  url: string,
  body: string,
): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const action = new URLSearchParams(body).get('Action') ?? new URL(url, 'http://x').searchParams.get('Action');
  return action ?? `${method} ${new URL(url, 'http://x').pathname}`;
}

/** Starts the proxy on a free 127.0.0.1 port, forwarding to `target`. */
export async function startCallRecorder(target: string): Promise<CallRecorder> {
  const upstreamUrl = new URL(target);
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (request.headers.authorization !== undefined) {
        const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization))?.[1] ?? '';
        const text = body.toString();
        const operation = operationOf(request.headers, request.method ?? 'GET', request.url ?? '/', text);
        calls.push({
          service: serviceOf(request),
          operation,
          region: scope,
          ...(operation === 'CreateTags' ? { tagging: taggingOf(text) } : {}),
        });
      }
      const upstream = httpRequest(
        {
          host: upstreamUrl.hostname,
          port: upstreamUrl.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
