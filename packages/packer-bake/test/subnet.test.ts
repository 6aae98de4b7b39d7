// @needs-tools moto_server packer
/**
 * The build subnet in an account without a default VPC (moto's deleted):
 * with neither a subnet nor a network stack the bake stops in one line
 * naming subnetId before Packer starts; with the network stack (vpc.yaml,
 * created through moto's CloudFormation) the build instance really runs in
 * its first public subnet (Packer asked for a public IP); a subnet that does not exist,
 * or exists in another region, stops in one line with nothing created.
 */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import { InvalidRequestError } from '@img-mgr/kernel';
import {
  createNetworkStack,
  deleteDefaultVpc,
  instancesTagged,
  repoRoot,
  snapshotAws,
  startMoto,
  type Moto,
} from '@img-mgr/testbed';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeAmi, newRunId, publicSubnetOf, subnetVariables, type BakeEvent, type BakeRequest } from '../src/index.js';
import { motoContext } from './context.js';

const TEMPLATE = join(repoRoot(), 'packages', 'packer-bake', 'test', 'fixtures', 'network');
const REGION = 'us-east-1';
const STACK = 'img-mgr-vpc-dev';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto({ region: REGION });
  expect(await deleteDefaultVpc(moto.clientConfig)).toMatch(/^vpc-/);
});

afterAll(async () => {
  await moto?.stop();
});

function request(overrides: Partial<BakeRequest> = {}): BakeRequest {
  return {
    template: TEMPLATE,
    workingDirectory: '.',
    region: REGION,
    variables: { ec2_endpoint: moto.endpoint },
    varFiles: [],
    only: [],
    except: [],
    packerVersion: 'path',
    init: false,
    appRevision: 'rev-1',
    force: true,
    timeoutMs: 60_000,
    runId: newRunId({}),
    ...overrides,
  };
}

/** Bakes expecting a refusal before Packer: one line, no Packer event, AWS unchanged. */
async function refused(req: BakeRequest): Promise<string> {
  const before = await snapshotAws(moto.clientConfig);
  const events: BakeEvent[] = [];
  const error = await bakeAmi(req, motoContext(moto), { onEvent: (event) => events.push(event) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as InvalidRequestError).field).toBe('subnetId');
  expect(events.filter((event) => ['packer', 'step', 'resource'].includes(event.kind))).toEqual([]);
  expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  const message = (error as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe('the build subnet without a default VPC (moto, real Packer)', { timeout: 120_000 }, () => {
  it('neither a subnet nor a network stack: one line naming subnetId, before Packer starts', async () => {
    expect(await refused(request({ networkStackName: STACK }))).toBe(
      `'subnetId' is empty, and network stack '${STACK}' has no public subnet there and the account has no ` +
        `default VPC in ${REGION}: set it to a subnet with a route to the internet (or deploy the network stack first)`,
    );
  });

  it('a subnet that does not exist: one line naming subnetId', async () => {
    expect(await refused(request({ subnetId: 'subnet-0abc1234567890def' }))).toBe(
      `'subnetId' names 'subnet-0abc1234567890def', which does not exist in ${REGION} ` +
        '(the build region; a subnet of another region cannot serve)',
    );
  });

  it('a subnet of another region: the same line', async () => {
    const west = new EC2Client({ ...moto.clientConfig, region: 'us-west-2' });
    const vpc = (await west.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc?.VpcId;
    const subnet = (await west.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.1.0/24' }))).Subnet;
    west.destroy();
    expect(subnet?.SubnetId).toMatch(/^subnet-/);
    expect(await refused(request({ subnetId: subnet?.SubnetId ?? '' }))).toBe(
      `'subnetId' names '${subnet?.SubnetId ?? ''}', which does not exist in ${REGION} ` +
        '(the build region; a subnet of another region cannot serve)',
    );
  });

  let resources: Record<string, string> = {};

  it('with the network stack, the build instance runs in its first public subnet', async () => {
    resources = await createNetworkStack(moto.clientConfig, STACK);
    const req = request({ networkStackName: STACK });
    const context = motoContext(moto);
    const result = await bakeAmi(req, context);
    expect(result.amiId).toMatch(/^ami-/);
    const instances = await instancesTagged(moto.clientConfig, 'run-id', req.runId);
    expect(instances.map((instance) => instance.SubnetId)).toEqual([resources.PublicSubnet1]);
    expect(context.lines).toContain(
      `Build subnet ${resources.PublicSubnet1} (${resources.Vpc}), a public subnet of network stack '${STACK}'`,
    );
  });

  it("asks Packer for a public IP in the stack's subnet, which maps none (vpc.yaml)", async () => {
    const template = { variables: new Set(['subnet_id', 'associate_public_ip_address']), setsNetwork: false };
    expect(await subnetVariables({ region: REGION, networkStackName: STACK }, template, motoContext(moto))).toEqual({
      subnet_id: resources.PublicSubnet1,
      associate_public_ip_address: 'true',
    });
    // A template that names its VPC (or subnet) keeps it: the stack's subnet could be in another VPC.
    const named = { ...template, setsNetwork: true };
    expect(await subnetVariables({ region: REGION, networkStackName: STACK }, named, motoContext(moto))).toEqual({});
    // A subnet the caller names keeps its own public-IP setting.
    const given = { region: REGION, subnetId: resources.PublicSubnet2 ?? '' };
    expect(await subnetVariables(given, template, motoContext(moto))).toEqual({ subnet_id: resources.PublicSubnet2 });
  });

  it('a subnet given and subnet_id in variables too: one line, nothing created', async () => {
    const variables = { ec2_endpoint: moto.endpoint, subnet_id: resources.PublicSubnet2 ?? '' };
    expect(await refused(request({ subnetId: resources.PublicSubnet1 ?? '', variables }))).toBe(
      "'subnetId' is set, and the template's subnet_id or vpc_id is set too (its default, a variable or a var file); " +
        'set one of them',
    );
  });
});

describe('publicSubnetOf', () => {
  const subnet = (id: string, logicalId: string, mapsPublicIp = false): Subnet => ({
    SubnetId: id,
    MapPublicIpOnLaunch: mapsPublicIp,
    Tags: [{ Key: 'aws:cloudformation:logical-id', Value: logicalId }],
  });

  it('takes the first public subnet by logical id, never a private one', () => {
    const subnets = [
      subnet('subnet-4', 'PrivateSubnet1'),
      subnet('subnet-2', 'PublicSubnet2'),
      subnet('subnet-1', 'PublicSubnet1'),
    ];
    expect(publicSubnetOf(subnets)?.SubnetId).toBe('subnet-1');
    expect(publicSubnetOf([subnet('subnet-4', 'PrivateSubnet1')])).toBeUndefined();
  });

  it('takes a subnet that maps public IPs whatever its logical id', () => {
    expect(publicSubnetOf([subnet('subnet-9', 'Edge', true)])?.SubnetId).toBe('subnet-9');
  });
});
