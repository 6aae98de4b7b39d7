import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('publish-ami bundle against moto', () => {
  let moto: Moto;
  let ssm: SSMClient;
  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('fails with one line naming the missing input and writes nothing', async () => {
    const run = await runAction('publish-ami', { env: moto.env });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(["Input 'ami-id' is required but was not set"]);
    await expect(ssm.send(new GetParameterCommand({ Name: '/common/img-mgr/golden-ami' }))).rejects.toThrow();
  });

  it('writes the AMI id to the parameter and outputs the version', async () => {
    const run = await runAction('publish-ami', { env: moto.env, inputs: { 'ami-id': 'ami-0123456789abcdef0' } });
    expect(run.exitCode, run.log).toBe(0);
    const stored = await ssm.send(new GetParameterCommand({ Name: '/common/img-mgr/golden-ami' }));
    expect(stored.Parameter?.Value).toBe('ami-0123456789abcdef0');
    expect(run.outputs.version).toBe(String(stored.Parameter?.Version));
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/common/img-mgr/golden-ami' }));
    expect(history.Parameters?.map((p) => p.Value)).toEqual(['ami-0123456789abcdef0']);
  });
});
