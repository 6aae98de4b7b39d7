// @needs-tools moto_server
import { createServer, request, type Server } from 'node:http';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { freePort, runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, readParameter } from './aws.js';

/**
 * A proxy in front of moto that answers the first `count` calls of one SSM
 * operation with ThrottlingException, as SSM does under load, and forwards
 * everything else. Unlike an SDK mock, the action's real retry path runs.
 */
async function throttlingProxy(
  target: string,
  operation: string,
  count: number,
): Promise<{ endpoint: string; throttled: () => number; server: Server }> {
  let throttled = 0;
  const server = createServer((incoming, outgoing) => {
    if (incoming.headers['x-amz-target'] === `AmazonSSM.${operation}` && throttled < count) {
      throttled += 1;
      incoming.resume();
      outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      outgoing.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return;
    }
    const url = new URL(incoming.url ?? '/', target);
    const forward = request(url, { method: incoming.method, headers: incoming.headers }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${port}`, throttled: () => throttled, server };
}

describe('publish-ami bundle against moto: throttling', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ami: string;
  beforeAll(async () => {
    moto = await startMoto();
    const aws = clients(moto);
    ssm = aws.ssm;
    ami = (await createAmi(aws.ec2, 'my-ami-throttled')).amiId;
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('a throttled PutParameter is retried with jitter, logged, and the publish succeeds', async () => {
    const proxy = await throttlingProxy(moto.endpoint, 'PutParameter', 2);
    try {
      const name = '/throttled/golden';
      const run = await runBundledAction('publish-ami', {
        env: { ...moto.env, AWS_ENDPOINT_URL_SSM: proxy.endpoint },
        inputs: { 'ami-id': ami, 'parameter-name': name },
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(proxy.throttled()).toBe(2);
      expect(run.log).toMatch(
        /Retrying SSM\.PutParameter \(attempt 2 of 6\) after ThrottlingException 400; backed off \d+ ms/,
      );
      expect(run.log).toMatch(
        /Retrying SSM\.PutParameter \(attempt 3 of 6\) after ThrottlingException 400; backed off \d+ ms/,
      );
      const stored = await readParameter(ssm, name);
      expect(stored).toMatchObject({ value: ami, version: 1 });
      expect(stored?.history).toEqual([{ version: 1, value: ami, labels: [] }]);
    } finally {
      proxy.server.close();
    }
  });

  it('throttling that outlasts the retries fails the step with one line and writes nothing', async () => {
    const proxy = await throttlingProxy(moto.endpoint, 'PutParameter', 100);
    try {
      const name = '/throttled/never';
      const run = await runBundledAction('publish-ami', {
        env: { ...moto.env, AWS_ENDPOINT_URL_SSM: proxy.endpoint },
        inputs: { 'ami-id': ami, 'parameter-name': name },
      });
      expect(run.exitCode).toBe(1);
      expect(proxy.throttled()).toBe(6);
      expect(run.errors).toEqual([
        'Publishing failed in 1 of 1 region(s): us-east-1 (ThrottlingException: Rate exceeded). Succeeded: none',
      ]);
      expect(await readParameter(ssm, name)).toBeUndefined();
    } finally {
      proxy.server.close();
    }
  });
});
