// @needs-tools moto_server
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
});
