// @needs-tools moto_server
/**
 * The bundled action against moto: parameter files keep what was written, the list form's UsePreviousValue,
 * region typos.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TEMPLATE, deploy, describe as describeStack } from './helpers.js';

let moto: Moto;
let cfn: CloudFormationClient;

beforeAll(async () => {
  moto = await startMoto();
  cfn = new CloudFormationClient(moto.clientConfig);
});
afterAll(() => moto.stop());

const files = {
  'app.yaml': APP_TEMPLATE,
  'as-written.yaml': 'ImageId: 0012\nEnvironment: 1.10\n',
  'keep.json': JSON.stringify([
    { ParameterKey: 'ImageId', ParameterValue: 'ami-2' },
    { ParameterKey: 'Environment', UsePreviousValue: true },
  ]),
  'both.yaml': '- ParameterKey: ImageId\n  ParameterValue: ami-3\n  UsePreviousValue: true\n',
};
const stackParameters = async (name: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    ((await describeStack(cfn, name))?.Parameters ?? []).map((parameter) => [
      parameter.ParameterKey ?? '',
      parameter.ParameterValue ?? '',
    ]),
  );

describe('deploy-stack parameter files and regions against moto', () => {
  it('YAML scalars reach the stack exactly as written (0012 and 1.10, not 12 and 1.1)', async () => {
    const run = await deploy(
      moto,
      { 'stack-name': 'as-written', template: 'app.yaml', 'parameter-overrides': 'as-written.yaml' },
      { files },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(await stackParameters('as-written')).toEqual({ ImageId: '0012', Environment: '1.10' });
  });

  it('the CloudFormation list form with UsePreviousValue: true keeps the stack value', async () => {
    const first = await deploy(
      moto,
      { 'stack-name': 'keep', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1\nEnvironment=prod' },
      { files },
    );
    expect(first.exitCode, first.log).toBe(0);
    const run = await deploy(
      moto,
      { 'stack-name': 'keep', template: 'app.yaml', 'parameter-overrides': 'keep.json' },
      { files },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain('Parameters keeping their previous value: Environment');
    expect(await stackParameters('keep')).toEqual({ ImageId: 'ami-2', Environment: 'prod' });
  });

  it('bad inputs are one line naming the input, and nothing changes in AWS', async () => {
    const before = await snapshotAws(moto.clientConfig);
    const both = await deploy(
      moto,
      { 'stack-name': 'keep', template: 'app.yaml', 'parameter-overrides': 'both.yaml' },
      { files },
    );
    expect(both.exitCode).toBe(1);
    expect(both.errors).toEqual([
      "Input 'parameter-overrides' file 'both.yaml' entry 1 (ImageId) " +
        'sets both ParameterValue and UsePreviousValue: true; give one of them',
    ]);
    const typo = await deploy(
      moto,
      { 'stack-name': 'keep', template: 'app.yaml', region: 'us-est-1', 'parameter-overrides': 'ImageId=ami-4' },
      { files },
    );
    expect(typo.exitCode).toBe(1);
    expect(typo.errors).toEqual([
      "Input 'region' has 'us-est-1', which is not a known AWS region (set IMG_MGR_ANY_REGION=1 if it is new)",
    ]);
    expect(typo.log).not.toMatch(/Retrying|getaddrinfo|^\s+at /m);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });
});
