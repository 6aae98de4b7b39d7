// @needs-tools moto_server
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerEnv, parseCommandFile, snapshotAws, startMoto, type Moto } from '../src/index.js';

describe('moto server', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('serves SSM on its own loopback port and resets', async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ssm = new SSMClient(moto.clientConfig);
    await ssm.send(new PutParameterCommand({ Name: '/t', Value: 'v', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/t' }))).Parameter?.Value).toBe('v');
    await moto.reset();
    await expect(ssm.send(new GetParameterCommand({ Name: '/t' }))).rejects.toThrow(/ParameterNotFound|not found/i);
  });
});

describe('runner environment', () => {
  it('creates the runner files and parses heredoc outputs', () => {
    const runner = createRunnerEnv();
    try {
      expect(Object.keys(runner.env)).toEqual(
        expect.arrayContaining(['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'RUNNER_TEMP']),
      );
      expect(parseCommandFile('a=1\nb<<EOF_X\nline1\nline2\nEOF_X\n')).toEqual({ a: '1', b: 'line1\nline2' });
    } finally {
      runner.cleanup();
    }
  });
});

describe('snapshotAws', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('sees a parameter change and nothing else', async () => {
    const before = await snapshotAws(moto.clientConfig);
    await new SSMClient(moto.clientConfig).send(new PutParameterCommand({ Name: '/snap', Value: 'a', Type: 'String' }));
    const after = await snapshotAws(moto.clientConfig);
    expect(after.parameters).toEqual([{ name: '/snap', versions: [{ version: 1, value: 'a', labels: [] }] }]);
    expect({ ...after, parameters: [] }).toEqual({ ...before, parameters: [] });
  });
});
