import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFactory, createClient } from '../src/client.js';

/** A real HTTP endpoint that throttles the first `throttle` requests. */
function throttlingServer(throttle: number): Promise<{ server: Server; url: string; seen: { agent: string[] } }> {
  let count = 0;
  const seen = { agent: [] as string[] };
  const server = createServer((request, response) => {
    seen.agent.push(String(request.headers['user-agent']) + ' ' + String(request.headers['x-amz-user-agent'] ?? ''));
    request.resume();
    request.on('end', () => {
      count += 1;
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (count <= throttle) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      response.end(JSON.stringify({ Parameter: { Name: '/p', Value: 'ami-12345678', Version: 3 } }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen });
    });
  });
}

describe('createClient', () => {
  let fixture: Awaited<ReturnType<typeof throttlingServer>>;
  beforeAll(async () => {
    fixture = await throttlingServer(2);
  });
  afterAll(() => {
    fixture.server.close();
  });

  it('retries throttling with a log line naming the operation, and sends the user agent', async () => {
    const lines: string[] = [];
    const ssm = createClient(SSMClient, {
      region: 'us-east-1',
      service: 'SSM',
      caller: 'publish-ami',
      log: (line) => lines.push(line),
      random: () => 0,
      env: { AWS_ENDPOINT_URL_SSM: fixture.url, GITHUB_RUN_ID: '7' },
    });
    ssm.config.credentials = () => Promise.resolve({ accessKeyId: 'a', secretAccessKey: 'b' });
    const response = await ssm.send(new GetParameterCommand({ Name: '/p' }));
    expect(response.Parameter?.Version).toBe(3);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^Retrying SSM\.GetParameter \(attempt 2 of 6\) after ThrottlingException 400; backed off 0 ms$/,
    );
    expect(fixture.seen.agent[0]).toContain('img-mgr-publish-ami/1');
    expect(fixture.seen.agent[0]).toContain('run/7-1');
  });
});

describe('createClient against an endpoint that never answers', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Reads the request and never answers: a black hole, as a stuck proxy or a lost packet looks.
    server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('ends each attempt at requestTimeoutMs and retries it, so a call never hangs', async () => {
    const lines: string[] = [];
    const ssm = createClient(SSMClient, {
      region: 'us-east-1',
      service: 'SSM',
      caller: 'publish-ami',
      log: (line) => lines.push(line),
      random: () => 0,
      maxAttempts: 2,
      requestTimeoutMs: 200,
      env: { AWS_ENDPOINT_URL_SSM: url },
    });
    ssm.config.credentials = () => Promise.resolve({ accessKeyId: 'a', secretAccessKey: 'b' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(lines).toEqual([expect.stringMatching(/^Retrying SSM\.GetParameter \(attempt 2 of 2\) after TimeoutError/)]);
  });
});

describe('clientFactory', () => {
  it('reads the endpoint override by the service id the client carries, not its (minifiable) class name', () => {
    const env = { AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' };
    const Renamed = class e extends SSMClient {};
    const clients = clientFactory({ caller: 'test', env });
    const client = clients.get(Renamed, 'us-east-1');
    expect(clients.get(Renamed, 'us-east-1')).toBe(client);
    expect(clients.get(Renamed, 'eu-west-1')).not.toBe(client);
    return expect(client.config.endpoint?.()).resolves.toMatchObject({ hostname: '127.0.0.1', port: 1 });
  });

  it("takes the endpoint from the caller's env only, never from an override left in process.env", async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = 'http://127.0.0.1:1';
    try {
      const client = clientFactory({ caller: 'test', env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } }).get(
        SSMClient,
        'eu-west-1',
      );
      let host: string | undefined;
      client.middlewareStack.add(
        () => (args) => {
          host = (args as { request?: { hostname?: string } }).request?.hostname;
          return Promise.reject(new Error('stop before sending'));
        },
        { step: 'finalizeRequest', name: 'testCaptureHost' },
      );
      await expect(client.send(new GetParameterCommand({ Name: '/p' }))).rejects.toThrow('stop before sending');
      expect(host).toBe('ssm.eu-west-1.amazonaws.com');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
      else process.env.AWS_ENDPOINT_URL_SSM = saved;
    }
  });
});
