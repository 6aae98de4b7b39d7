/**
 * The subnet the build instance runs in. Accounts without a default VPC
 * (Control Tower landing zones delete it) make Packer's amazon builder stop
 * with "a valid Subnet Id was not specified", so before Packer starts the
 * bake picks, in this order: the subnet the caller names (checked to exist
 * in the build region), a public subnet of the caller's network stack
 * (found by the `aws:cloudformation:stack-name` tag CloudFormation puts on
 * it, so the bake needs ec2:DescribeSubnets, not CloudFormation rights),
 * else the default VPC. When none of them exists, one InvalidRequestError
 * names `subnetId`, the field to set. Nothing is created here.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import { awsErrorClass, awsErrorName, InvalidRequestError, type Context } from '@img-mgr/kernel';

/** The Packer variables a chosen subnet is passed through. */
export const SUBNET_VARIABLES = { subnetId: 'subnet_id', publicIp: 'associate_public_ip_address' } as const;

/** Where the build subnet may come from. */
export interface SubnetRequest {
  region: string;
  /** A subnet the caller names; empty or absent to look one up. */
  subnetId?: string;
  /** The CloudFormation stack of the caller's network, whose public subnet serves when `subnetId` is empty. */
  networkStackName?: string;
}

/** The subnet chosen, or the default VPC (no subnet: Packer picks one of it). */
export type SubnetChoice =
  | { kind: 'given' | 'network-stack'; subnetId: string; vpcId: string; mapsPublicIp: boolean }
  | { kind: 'default-vpc'; vpcId: string };

/** The tags CloudFormation puts on every EC2 resource of a stack. */
const STACK_TAG = 'aws:cloudformation:stack-name';
const LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';

/** Picks the build subnet as the module comment says; throws InvalidRequestError('subnetId') when none serves. */
export async function chooseSubnet(request: SubnetRequest, context: Context): Promise<SubnetChoice> {
  const { region } = request;
  const ec2 = context.clients.get(EC2Client, region);
  const options = { abortSignal: context.signal };
  const given = request.subnetId?.trim() ?? '';
  if (given !== '') {
    const command = new DescribeSubnetsCommand({ SubnetIds: [given] });
    const found = await lookup('ec2:DescribeSubnets', () => ec2.send(command, options));
    const subnet = found?.Subnets?.[0];
    if (!subnet?.SubnetId) {
      // A subnet of another region is not visible here: EC2 answers InvalidSubnetID.NotFound for it too.
      throw new InvalidRequestError(
        'subnetId',
        `names '${given}', which does not exist in ${region} ` +
          '(the build region; a subnet of another region cannot serve)',
      );
    }
    return chosen('given', subnet);
  }
  const stack = request.networkStackName?.trim() ?? '';
  if (stack !== '') {
    const command = new DescribeSubnetsCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: [stack] }] });
    const found = await lookup('ec2:DescribeSubnets', () => ec2.send(command, options));
    const subnet = publicSubnetOf(found?.Subnets ?? []);
    if (subnet) return chosen('network-stack', subnet);
  }
  const command = new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] });
  const found = await lookup('ec2:DescribeVpcs', () => ec2.send(command, options));
  const vpcId = found?.Vpcs?.[0]?.VpcId;
  if (vpcId) return { kind: 'default-vpc', vpcId };
  const stackPart = stack ? `network stack '${stack}' has no public subnet there and ` : '';
  throw new InvalidRequestError(
    'subnetId',
    `is empty, and ${stackPart}the account has no default VPC in ${region}: ` +
      'set it to a subnet with a route to the internet (or deploy the network stack first)',
  );
}

/**
 * A public subnet among a stack's subnets: those whose logical id names them
 * public (vpc.yaml's PublicSubnet1 and PublicSubnet2) or that give instances
 * a public IP, the first by logical id so every bake picks the same one.
 */
export function publicSubnetOf(subnets: readonly Subnet[]): Subnet | undefined {
  const logicalId = (subnet: Subnet): string => subnet.Tags?.find((tag) => tag.Key === LOGICAL_ID_TAG)?.Value ?? '';
  return subnets
    .filter((subnet) => subnet.SubnetId && (/public/i.test(logicalId(subnet)) || subnet.MapPublicIpOnLaunch === true))
    .sort((a, b) => logicalId(a).localeCompare(logicalId(b)) || (a.SubnetId ?? '').localeCompare(b.SubnetId ?? ''))[0];
}

/** One line saying where the build instance runs. */
export function describeChoice(choice: SubnetChoice, request: SubnetRequest): string {
  switch (choice.kind) {
    case 'given':
      return `Build subnet ${choice.subnetId} (${choice.vpcId}), as given`;
    case 'network-stack':
      return (
        `Build subnet ${choice.subnetId} (${choice.vpcId}), ` +
        `a public subnet of network stack '${request.networkStackName ?? ''}'`
      );
    case 'default-vpc':
      return `Build subnet: the default VPC ${choice.vpcId} (Packer picks its subnet)`;
  }
}

function chosen(kind: 'given' | 'network-stack', subnet: Subnet): SubnetChoice {
  return {
    kind,
    subnetId: subnet.SubnetId ?? '',
    vpcId: subnet.VpcId ?? '',
    mapsPublicIp: subnet.MapPublicIpOnLaunch === true,
  };
}

/**
 * One EC2 lookup: undefined when EC2 says the resource does not exist or the
 * id is malformed, an InvalidRequestError naming the permission when the
 * role may not look, the result otherwise.
 */
async function lookup<T>(permission: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error: unknown) {
    const kind = awsErrorClass(error);
    if (kind === 'not-found' || kind === 'invalid') return undefined;
    if (kind === 'access-denied') {
      throw new InvalidRequestError(
        'subnetId',
        `could not be chosen: the role may not call ${permission} (${awsErrorName(error)}); ` +
          "github-bake-role.yaml's bake role grants it (PackerDescribe)",
      );
    }
    throw error;
  }
}

/** What the bake's subnet choice needs to know of the template. */
export interface SubnetTemplate {
  /** The variables the template declares. */
  variables: ReadonlySet<string>;
  /** Whether the template's amazon-ebs source already has a non-empty subnet_id or vpc_id (from any origin). */
  setsNetwork: boolean;
}

/**
 * The Packer variables that put the build instance in the chosen subnet:
 * none when the template already sets its subnet or VPC (the preflight checks them)
 * or declares no `subnet_id` variable to pass one through, nor for the
 * default VPC. A network-stack subnet that gives instances no public IP
 * (vpc.yaml's) also asks for one, so that Packer can reach the instance.
 */
export async function subnetVariables(
  request: SubnetRequest,
  template: SubnetTemplate,
  context: Context,
): Promise<Record<string, string>> {
  const given = (request.subnetId ?? '').trim() !== '';
  if (template.setsNetwork) {
    if (given) {
      throw new InvalidRequestError(
        'subnetId',
        "is set, and the template's subnet_id or vpc_id is set too (its default, a variable or a var file); " +
          'set one of them',
      );
    }
    return {};
  }
  if (!template.variables.has(SUBNET_VARIABLES.subnetId)) {
    if (given) throw new InvalidRequestError('subnetId', "is set, but the template declares no 'subnet_id' variable");
    return {};
  }
  const choice = await chooseSubnet(request, context);
  context.log.info(describeChoice(choice, request));
  if (choice.kind === 'default-vpc') return {};
  const variables: Record<string, string> = { [SUBNET_VARIABLES.subnetId]: choice.subnetId };
  if (choice.kind === 'network-stack' && !choice.mapsPublicIp && template.variables.has(SUBNET_VARIABLES.publicIp)) {
    variables[SUBNET_VARIABLES.publicIp] = 'true';
  }
  return variables;
}
