/**
 * What the local runs need besides the workflow itself: the network stack
 * (the README's one-time step), and reading back what a run left behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParameterHistoryCommand, SSMClient, type ParameterHistory } from '@aws-sdk/client-ssm';

export const GOLDEN_AMI_PARAMETER = '/common/img-mgr/golden-ami';

/** Region, endpoint and credentials, as in a moto server's `clientConfig`. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The network stack the app stack imports from, as named by the fork's deploy/<env>.json. */
export function networkStackName(forkDir: string, environment = 'dev'): string {
  const parameters = JSON.parse(readFileSync(join(forkDir, 'deploy', `${environment}.json`), 'utf8')) as Record<
    string,
    string
  >;
  return parameters.NetworkStackName ?? 'img-mgr-vpc';
}

/**
 * Creates the network stack (cloudformation/vpc.yaml), as a user does once
 * before the first rollout. With CreateStack rather than through deploy-stack:
 * moto builds a stack's outputs and exports on CreateStack/UpdateStack but not
 * after ExecuteChangeSet, and the app stack imports the network's exports.
 */
export async function createNetworkStack(
  root: string,
  stackName: string,
  config: ClientConfig,
): Promise<Stack | undefined> {
  const cfn = new CloudFormationClient(config);
  const parameters = JSON.parse(
    readFileSync(join(root, 'cloudformation', 'parameters', 'vpc-dev-us-west-2.json'), 'utf8'),
  ) as Record<string, string>;
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(join(root, 'cloudformation', 'vpc.yaml'), 'utf8'),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
}

/**
 * The network stack's VPC and subnets as img-mgr.yaml's direct parameters
 * (VpcId, PublicSubnetIds, PrivateSubnetIds), for the fork's deploy/<env>.json.
 * moto cannot resolve Fn::ImportValue in a CREATE change set (the change
 * set's stack gets no view of the exports), so the local runs pass the
 * network explicitly, an option the template offers for an existing VPC; on
 * AWS, NetworkStackName's imports work as they are.
 */
export function networkParameters(network: Stack | undefined): Record<string, string> {
  const output = (key: string): string => {
    const value = network?.Outputs?.find((candidate) => candidate.OutputKey === key)?.OutputValue;
    if (!value) throw new Error(`the network stack has no ${key} output`);
    return value;
  };
  return {
    VpcId: output('VpcId'),
    PublicSubnetIds: output('PublicSubnets'),
    PrivateSubnetIds: output('PrivateSubnets'),
  };
}

export interface DeploymentState {
  parameter?: { value: string; version: number };
  history: ParameterHistory[];
  stack?: Stack;
  /** The ImageId parameter as CloudFormation resolved it for the stack. */
  stackImageId?: string;
  /** The stack's ImageIdOverride parameter (the AMI the last deploy pinned). */
  stackImageIdOverride?: string;
  /** AMIs of this account tagged application=img-mgr. */
  images: Image[];
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error as { message?: unknown } | null)?.message;
  return name === 'ParameterNotFound' || (typeof message === 'string' && /does not exist|not found/i.test(message));
}

/** Reads the golden-AMI parameter, the stack and the baked AMIs through the SDK. */
export async function readDeploymentState(
  config: ClientConfig,
  stackName: string,
  parameterName = GOLDEN_AMI_PARAMETER,
): Promise<DeploymentState> {
  const ssm = new SSMClient(config);
  const cfn = new CloudFormationClient(config);
  const ec2 = new EC2Client(config);
  const state: DeploymentState = { history: [], images: [] };
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    state.parameter = { value: Parameter?.Value ?? '', version: Parameter?.Version ?? 0 };
    state.history = (await ssm.send(new GetParameterHistoryCommand({ Name: parameterName }))).Parameters ?? [];
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    state.stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    const imageId = state.stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageId');
    state.stackImageId = imageId?.ResolvedValue ?? imageId?.ParameterValue;
    state.stackImageIdOverride = state.stack?.Parameters?.find(
      (parameter) => parameter.ParameterKey === 'ImageIdOverride',
    )?.ParameterValue;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const images = await ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:application', Values: ['img-mgr'] }] }),
  );
  state.images = images.Images ?? [];
  return state;
}
