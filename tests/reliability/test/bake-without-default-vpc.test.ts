// @needs-tools moto_server packer
/**
 * An account without a default VPC (Control Tower landing zones delete it;
 * here moto's is deleted), where Packer alone stops with "a valid Subnet Id
 * was not specified". `img-mgr-pipeline run` deploys the network stack
 * first and its build instance really runs in the stack's first public
 * subnet; a warm run still skips Packer. The bundled bake-ami finds the
 * same subnet through `network-stack-name`. Without a subnet and a network
 * stack, and with a subnet that does not exist or lives in another region,
 * bake-ami stops in one line naming `subnet-id` (the CLI's bake: the vpc
 * stack and --vpc-stack), before Packer starts, and moto is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  deleteDefaultVpc,
  instancesTagged,
  repoRoot,
  runBundledAction,
  snapshotAws,
  startMoto,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, runCli, type Clients } from './helpers.js';

/** packer-bake's test template: the amazon-ebs settings of packer/ (subnet_id among them), communicator none. */
const TEMPLATE = join(repoRoot(), 'packages', 'packer-bake', 'test', 'fixtures', 'network');
const NETWORK_STACK = 'img-mgr-vpc-dev';

let moto: Moto;
let aws: Clients;
let stateDir: string;

beforeAll(async () => {
  moto = await startMoto();
  aws = clientsFor(moto);
  stateDir = mkdtempSync(join(tmpdir(), 'reliability-no-default-vpc-'));
  expect(await deleteDefaultVpc(moto.clientConfig)).toMatch(/^vpc-/);
});

afterAll(async () => {
  rmSync(stateDir, { recursive: true, force: true });
  await moto?.stop();
});

function bakeInputs(extra: Record<string, string>): Record<string, string> {
  return { template: TEMPLATE, init: 'false', variables: `ec2_endpoint=${moto.endpoint}`, force: 'true', ...extra };
}

/** bake-ami refuses before Packer starts: exit 1, exactly `message`, moto unchanged. */
async function refusedBake(extra: Record<string, string>, message: string): Promise<void> {
  const before = await snapshotAws(moto.clientConfig);
  const run = await runBundledAction('bake-ami', { env: moto.env, inputs: bakeInputs(extra) });
  expect(run.exitCode, run.log).toBe(1);
  expect(run.errors).toEqual([message]);
  expect(run.log).not.toMatch(/packer (init|validate|build)/i);
  expect(await snapshotAws(moto.clientConfig)).toEqual(before);
}

async function stackSubnet(logicalId: string): Promise<string> {
  const command = new DescribeStackResourceCommand({ StackName: NETWORK_STACK, LogicalResourceId: logicalId });
  return (await aws.cfn.send(command)).StackResourceDetail?.PhysicalResourceId ?? '';
}

/** The subnets the build instances of the bake that made `amiId` ran in (moto keeps terminated instances). */
async function buildSubnets(amiId: string): Promise<string[]> {
  const image = (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0];
  const runId = image?.Tags?.find((tag) => tag.Key === 'run-id')?.Value ?? '';
  expect(runId).not.toBe('');
  return (await instancesTagged(moto.clientConfig, 'run-id', runId)).map((instance) => instance.SubnetId ?? '');
}

describe('bakes in an account without a default VPC', { timeout: 180_000 }, () => {
  it('bake-ami with neither subnet-id nor the network stack: one line naming subnet-id, nothing created', async () => {
    await refusedBake(
      { 'network-stack-name': NETWORK_STACK },
      `Input 'subnet-id' is empty, and network stack '${NETWORK_STACK}' has no public subnet there and the ` +
        'account has no default VPC in us-east-1: set it to a subnet with a route to the internet ' +
        '(or deploy the network stack first)',
    );
  });

  it('bake-ami with a subnet-id that does not exist: one line, nothing created', async () => {
    await refusedBake(
      { 'subnet-id': 'subnet-0abc1234567890def' },
      "Input 'subnet-id' names 'subnet-0abc1234567890def', which does not exist in us-east-1 " +
        '(the build region; a subnet of another region cannot serve)',
    );
  });

  it('bake-ami with a subnet-id of another region: one line, nothing created', async () => {
    const west = new EC2Client({ ...moto.clientConfig, region: 'us-west-2' });
    const vpc = (await west.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc?.VpcId;
    const subnet = (await west.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.50.1.0/24' }))).Subnet;
    west.destroy();
    const id = subnet?.SubnetId ?? '';
    expect(id).toMatch(/^subnet-/);
    await refusedBake(
      { 'subnet-id': id },
      `Input 'subnet-id' names '${id}', which does not exist in us-east-1 ` +
        '(the build region; a subnet of another region cannot serve)',
    );
  });

  it('img-mgr-pipeline bake without the vpc stack: exit 4, one line naming the stack and --vpc-stack', async () => {
    const before = await snapshotAws(moto.clientConfig);
    const run = await runCli(['bake', '--endpoint', moto.endpoint, '--state-dir', stateDir]);
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('img-mgr-pipeline: error:'))).toEqual([
      `img-mgr-pipeline: error: bake: no subnet to build in: the vpc stack '${NETWORK_STACK}' has no public subnet ` +
        'in us-east-1 and the account has no default VPC. deploy it first (img-mgr-pipeline run deploys it before ' +
        'the bake), or name another with --vpc-stack',
    ]);
    expect(run.stderr).not.toMatch(/packer build: started/);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });

  it('img-mgr-pipeline run deploys the network, then bakes in its public subnet; a warm run skips Packer', async () => {
    const first = await runCli(['run', '--endpoint', moto.endpoint, '--json', '--state-dir', stateDir], {
      timeoutMs: 170_000,
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const ami = (JSON.parse(first.stdout) as { ami?: { id?: string; skipped?: boolean } }).ami;
    expect(ami?.skipped).toBe(false);
    expect(await buildSubnets(ami?.id ?? '')).toEqual([await stackSubnet('PublicSubnet1')]);
    // The network deploy comes before the bake.
    expect(first.stderr.indexOf('deploy vpc')).toBeGreaterThanOrEqual(0);
    expect(first.stderr.indexOf('deploy vpc')).toBeLessThan(first.stderr.indexOf('Packer build'));

    const warm = await runCli(['run', '--endpoint', moto.endpoint, '--json', '--state-dir', stateDir], {
      timeoutMs: 120_000,
    });
    expect(warm.exitCode, warm.stderr).toBe(0);
    const again = (JSON.parse(warm.stdout) as { ami?: { id?: string; skipped?: boolean } }).ami;
    expect(again).toMatchObject({ id: ami?.id, skipped: true });
  });

  it("bake-ami with network-stack-name bakes in the stack's first public subnet", async () => {
    const run = await runBundledAction('bake-ami', {
      env: moto.env,
      inputs: bakeInputs({ 'network-stack-name': NETWORK_STACK }),
    });
    expect(run.exitCode, run.log).toBe(0);
    const subnet = await stackSubnet('PublicSubnet1');
    expect(await buildSubnets(run.outputs['ami-id'] ?? '')).toEqual([subnet]);
    expect(run.log).toContain(`Build subnet ${subnet} `);
  });
});
