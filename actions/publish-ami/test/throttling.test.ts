// @needs-tools moto_server
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, startFaultProxy, startMoto, type FaultProxy, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, readParameter } from './aws.js';

/**
 * testbed's fault proxy in front of moto, answering the first `count` calls of one SSM operation with
 * ThrottlingException, as SSM does under load, and forwarding everything else. Unlike an SDK mock, the
 * action's real retry path runs.
 */
function throttlingProxy(target: string, operation: string, count: number): Promise<FaultProxy> {
  return startFaultProxy({ target, rate: 1, kinds: ['throttle'], operation, maxFaults: count });
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
      expect(proxy.stats.faults.throttle).toBe(2);
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
      await proxy.stop();
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
      expect(proxy.stats.faults.throttle).toBe(6);
      expect(run.errors).toEqual([
        'Publishing failed in 1 of 1 region(s): us-east-1 ' +
          '(ThrottlingException: Rate exceeded (injected)). Succeeded: none',
      ]);
      expect(await readParameter(ssm, name)).toBeUndefined();
    } finally {
      await proxy.stop();
    }
  });
});
