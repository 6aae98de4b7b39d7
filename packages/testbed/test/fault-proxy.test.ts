// @needs-tools moto_server
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, startMoto, type FaultProxy, type Moto } from '../src/index.js';

describe('fault proxy in front of moto', () => {
  let moto: Moto;
  let proxy: FaultProxy;
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy({ target: moto.endpoint, rate: 1, kinds: ['throttle'] });
  });
  afterAll(async () => {
    await proxy.stop();
    await moto.stop();
  });

  it('answers with an SSM ThrottlingException the SDK recognises, and never reaches moto', async () => {
    const ssm = new SSMClient({ ...moto.clientConfig, endpoint: proxy.endpoint, maxAttempts: 1 });
    await expect(ssm.send(new PutParameterCommand({ Name: '/f', Value: 'v', Type: 'String' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(proxy.stats.faults.throttle).toBe(1);
    const direct = new SSMClient(moto.clientConfig);
    await expect(direct.send(new GetParameterCommand({ Name: '/f' }))).rejects.toThrow();
  });

  it('forwards everything when the rate is zero', async () => {
    proxy.setRate(0);
    const ssm = new SSMClient({ ...moto.clientConfig, endpoint: proxy.endpoint, maxAttempts: 1 });
    await ssm.send(new PutParameterCommand({ Name: '/g', Value: 'v', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/g' }))).Parameter?.Value).toBe('v');
    expect(proxy.stats.byService.ssm).toBeGreaterThanOrEqual(3);
  });

  it('refuses (400 ValidationError, not retried) only the operation and region it is given, once', async () => {
    const refusing = await startFaultProxy({
      target: moto.endpoint,
      rate: 1,
      kinds: ['refuse'],
      operation: 'DescribeStacks',
      region: 'eu-west-1',
      maxFaults: 1,
    });
    const cfn = (region: string) =>
      new CloudFormationClient({ ...moto.clientConfig, region, endpoint: refusing.endpoint, maxAttempts: 3 });
    try {
      // Another region passes (moto answers: no such stack).
      await expect(cfn('us-west-2').send(new DescribeStacksCommand({ StackName: 'x' }))).rejects.toThrow(
        /does not exist/,
      );
      await expect(cfn('eu-west-1').send(new DescribeStacksCommand({ StackName: 'x' }))).rejects.toMatchObject({
        name: 'ValidationError',
        message: "DescribeStacks refused (injected by the test's fault proxy)",
      });
      expect(refusing.stats.faults.refuse).toBe(1);
      expect(refusing.stats.byService.cloudformation).toBe(2);
    } finally {
      await refusing.stop();
    }
  });
});
