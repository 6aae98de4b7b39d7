/**
 * Account shapes for bakes: an account without a default VPC (Control Tower
 * landing zones delete it) and the network stack (cloudformation/vpc.yaml)
 * deployed into it, as tests need them against moto.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { repoRoot } from '@img-mgr/local-host';

type ClientConfig = ConstructorParameters<typeof EC2Client>[0] & object;

/** Deletes the default VPC of the config's region (its subnets first, as EC2 requires); returns its id. */
export async function deleteDefaultVpc(config: ClientConfig): Promise<string> {
  const ec2 = new EC2Client(config);
  try {
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId;
    if (!vpcId) return '';
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    for (const subnet of subnets.Subnets ?? []) await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    return vpcId;
  } finally {
    ec2.destroy();
  }
}

/**
 * Creates the network stack from cloudformation/vpc.yaml (CreateStack: moto
 * tags its subnets with aws:cloudformation:stack-name as AWS does) and
 * returns the ids of its resources by logical id. moto ignores the
 * template's `MapPublicIpOnLaunch: false` (it maps public IPs in the first
 * subnet of each zone), so the subnets are set as AWS would make them.
 */
export async function createNetworkStack(config: ClientConfig, stackName: string): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient(config);
  try {
    const TemplateBody = readFileSync(join(repoRoot(), 'cloudformation', 'vpc.yaml'), 'utf8');
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody }));
    const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    const ec2 = new EC2Client(config);
    for (const resource of resources.StackResources ?? []) {
      if (resource.ResourceType !== 'AWS::EC2::Subnet') continue;
      const off = { SubnetId: resource.PhysicalResourceId, MapPublicIpOnLaunch: { Value: false } };
      await ec2.send(new ModifySubnetAttributeCommand(off));
    }
    ec2.destroy();
    return Object.fromEntries(
      (resources.StackResources ?? []).map((resource) => [
        resource.LogicalResourceId ?? '',
        resource.PhysicalResourceId ?? '',
      ]),
    );
  } finally {
    cfn.destroy();
  }
}

/** Every instance (terminated ones too: moto keeps them) tagged `tag` = `value`. */
export async function instancesTagged(config: ClientConfig, tag: string, value: string): Promise<Instance[]> {
  const ec2 = new EC2Client(config);
  try {
    const found = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${tag}`, Values: [value] }] }));
    return (found.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  } finally {
    ec2.destroy();
  }
}
