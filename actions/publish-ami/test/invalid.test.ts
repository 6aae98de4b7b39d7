// @needs-tools moto_server
import type { SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, snapshotAws, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, createAmi, PARAMETER, readParameter } from './aws.js';

describe('publish-ami bundle against moto: bad values fail with one line and write nothing', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let ami: string;
  beforeAll(async () => {
    moto = await startMoto();
    const aws = clients(moto);
    ssm = aws.ssm;
    ami = (await createAmi(aws.ec2, 'my-ami-ok')).amiId;
  });
  afterAll(async () => {
    await moto.stop();
  });

  const publish = (inputs: Record<string, string>) => runBundledAction('publish-ami', { env: moto.env, inputs });

  /** The step failed with exactly one error line, and the parameter does not exist. */
  async function expectRejected(
    inputs: Record<string, string>,
    error: string | RegExp,
    name = PARAMETER,
  ): Promise<void> {
    const run = await publish(inputs);
    expect(run.exitCode, run.log).toBe(1);
    expect(run.errors).toHaveLength(1);
    if (typeof error === 'string') expect(run.errors[0]).toBe(error);
    else expect(run.errors[0]).toMatch(error);
    expect(run.log).not.toMatch(/^\s+at /m);
    expect(await readParameter(ssm, name)).toBeUndefined();
  }

  it('no AMI at all', async () => {
    await expectRejected(
      {},
      "Input 'ami-id' is required: set ami-id, amis (a region to AMI map), rollback-to, promote-from or reject-ami",
    );
  });

  it('a malformed AMI id', async () => {
    await expectRejected(
      { 'ami-id': 'ami-12345' },
      "Input 'ami-id' is invalid: 'ami-12345' is not an AMI id (ami- followed by 8 or 17 lowercase hex digits)",
    );
    await expectRejected(
      { 'ami-id': 'AMI-0123456789ABCDEF0' },
      /^Input 'ami-id' is invalid: 'AMI-0123456789ABCDEF0' is not an AMI id/,
    );
  });

  it('an AMI that does not exist in the region', async () => {
    await expectRejected(
      { 'ami-id': 'ami-0123456789abcdef0' },
      "Input 'ami-id' cannot be published: ami-0123456789abcdef0 does not exist in us-east-1 " +
        '(or is not shared with this account); nothing was written',
    );
  });

  it('an existing AMI published to a region where it does not exist', async () => {
    await expectRejected(
      { 'ami-id': ami, region: 'eu-west-1' },
      `Input 'ami-id' cannot be published: ${ami} does not exist in eu-west-1 ` +
        '(or is not shared with this account); nothing was written',
    );
  });

  it('malformed parameter names', async () => {
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': '/common/img mgr' },
      "Input 'parameter-name' '/common/img mgr' contains ' '; a parameter name has only letters, digits and _ . - /",
      '/common/img mgr',
    );
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': 'common/img-mgr' },
      "Input 'parameter-name' 'common/img-mgr' is a path, so it must start with /",
      'common/img-mgr',
    );
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': '/aws/golden' },
      "Input 'parameter-name' '/aws/golden' starts with 'aws', a prefix SSM reserves",
      '/aws/golden',
    );
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': 'SSM-golden' },
      "Input 'parameter-name' 'SSM-golden' starts with 'ssm', a prefix SSM reserves",
      'SSM-golden',
    );
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': '/common//golden' },
      /^Input 'parameter-name' '\/common\/\/golden' has an empty path level/,
      '/common//golden',
    );
    const deep = `/${Array.from({ length: 16 }, (_, index) => `l${index}`).join('/')}`;
    await expectRejected(
      { 'ami-id': ami, 'parameter-name': deep },
      /^Input 'parameter-name' .* has 16 levels; SSM allows at most 15$/,
      deep,
    );
  });

  it('invalid labels', async () => {
    await expectRejected(
      { 'ami-id': ami, labels: '0123abc' },
      /^Input 'labels' has label '0123abc', which starts with a digit/,
    );
    await expectRejected(
      { 'ami-id': ami, labels: 'awsome' },
      "Input 'labels' has label 'awsome', which starts with 'aws', a prefix SSM reserves",
    );
    await expectRejected(
      { 'ami-id': ami, labels: 'release/1' },
      "Input 'labels' has label 'release/1' with '/'; labels use only letters, digits and . - _",
    );
    await expectRejected({ 'ami-id': ami, labels: 'a'.repeat(101) }, /^Input 'labels' has a label of 101 characters/);
    await expectRejected(
      { 'ami-id': ami, labels: Array.from({ length: 11 }, (_, index) => `l${index}`).join(',') },
      "Input 'labels' has 11 labels; a parameter version carries at most 10",
    );
  });

  it('a region typo is one line naming the input, no AWS call, no retry; IMG_MGR_ANY_REGION=1 lets it in', async () => {
    const before = await snapshotAws(moto.clientConfig);
    const typo = 'which is not a known AWS region (set IMG_MGR_ANY_REGION=1 if it is new)';
    await expectRejected({ 'ami-id': ami, region: 'us-est-1' }, `Input 'region' has 'us-est-1', ${typo}`);
    await expectRejected({ amis: JSON.stringify({ 'eu-wset-1': ami }) }, `Input 'amis' has key 'eu-wset-1', ${typo}`);
    await expectRejected({ 'keep-amis': '3', region: 'us-east-1,us-wst-2' }, `Input 'region' has 'us-wst-2', ${typo}`);
    const fromEnv = await runBundledAction('publish-ami', {
      env: { ...moto.env, AWS_REGION: 'us-esat-1' },
      inputs: { 'ami-id': ami },
    });
    expect(fromEnv.errors).toEqual([`Input 'region' is not set and AWS_REGION has 'us-esat-1', ${typo}`]);
    expect(fromEnv.log).not.toContain('Retrying');
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    // With the override the region is used: the AMI is looked up there (and is not found).
    const newRegion = await runBundledAction('publish-ami', {
      env: { ...moto.env, IMG_MGR_ANY_REGION: '1' },
      inputs: { 'ami-id': ami, region: 'us-east-9' },
    });
    expect(newRegion.errors).toEqual([
      `Input 'ami-id' cannot be published: ${ami} does not exist in us-east-9 ` +
        '(or is not shared with this account); nothing was written',
    ]);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });

  it('other bad inputs', async () => {
    await expectRejected(
      { amis: '{"us-east-1":"ami-1"}' },
      "Input 'amis' for us-east-1 is invalid: 'ami-1' is not an AMI id (ami- followed by 8 or 17 lowercase hex digits)",
    );
    await expectRejected({ amis: 'ami-0123456789abcdef0' }, /^Input 'amis' is not JSON/);
    await expectRejected(
      { amis: '{"useast1":"ami-0123456789abcdef0"}' },
      /^Input 'amis' has key 'useast1', which is not an AWS region name/,
    );
    await expectRejected(
      { 'ami-id': ami, 'rollback-to': 'previous' },
      "Input 'rollback-to' cannot be combined with ami-id: a rollback republishes an earlier value",
    );
    await expectRejected({ 'ami-id': ami, tags: 'owner' }, "Input 'tags' has line 1 that is not KEY=VALUE");
    await expectRejected(
      { 'ami-id': ami, 'data-type': 'aws:ec2:Image' },
      "Input 'data-type' must be one of aws:ec2:image, text; got 'aws:ec2:Image'",
    );
    await expectRejected(
      { 'ami-id': ami, 'dry-run': 'true' },
      "Input 'dry-run' only applies to pruning; set keep-amis as well",
    );
    await expectRejected(
      { 'ami-id': ami, 'wait-timeout': 'soon' },
      /^Input 'wait-timeout' must be a positive duration/,
    );
  });
});
