/**
 * What the local runs need besides the workflow itself: the network stack
 * (the README's one-time step), and reading back what a run left behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient, type ParameterHistory } from '@aws-sdk/client-ssm';

export const GOLDEN_AMI_PARAMETER = '/common/img-mgr/golden-ami';

/** Region, endpoint and credentials, as in a moto server's `clientConfig`. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The network stack the app stack imports from, as named by the fork's deploy/<env>.json. */
export function networkStackName(forkDir: string, environment = 'dev'): string {
  const parameters = JSON.parse(readFileSync(join(forkDir, 'deploy', `${environment}.json`), 'utf8')) as Record<string, string>;
  return parameters.NetworkStackName ?? 'img-mgr-vpc';
}

/**
 * Creates the network stack (cloudformation/vpc.yaml), as a user does once
 * before the first rollout. With CreateStack rather than through deploy-stack:
 * moto builds a stack's outputs and exports on CreateStack/UpdateStack but not
 * after ExecuteChangeSet, and the app stack imports the network's exports.
 */
export async function createNetworkStack(root: string, stackName: string, config: ClientConfig): Promise<Stack | undefined> {
  const cfn = new CloudFormationClient(config);
  const parameters = JSON.parse(
    readFileSync(join(root, 'cloudformation', 'parameters', 'vpc-dev-us-west-2.json'), 'utf8'),
  ) as Record<string, string>;
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(join(root, 'cloudformation', 'vpc.yaml'), 'utf8'),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }),
  );
  return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
}

/**
 * Creates the app stack once, with CreateStack, from a placeholder golden AMI
 * (one of the account's public Amazon Linux AMIs); the first push then
 * updates it. moto needs this: its CREATE change sets cannot resolve
 * Fn::ImportValue (the change set's stack gets no view of the exports), while
 * updates of a stack made by CreateStack can. moto also resolves an SSM-typed
 * parameter's default even when a value is passed, so the placeholder is put
 * into the golden-AMI parameter for the CreateStack and deleted right after:
 * the first publish starts the parameter's history at version 1, as on a
 * fresh account. On AWS the first push creates the stack itself.
 */
export async function createAppStack(
  root: string,
  forkDir: string,
  stackName: string,
  config: ClientConfig,
  environment = 'dev',
): Promise<Stack | undefined> {
  const ec2 = new EC2Client(config);
  const base = await ec2.send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-x86_64'] }] }),
  );
  const placeholder = base.Images?.[0]?.ImageId;
  if (!placeholder) throw new Error('moto lists no Amazon Linux 2023 AMI to use as the placeholder');
  const ssm = new SSMClient(config);
  await ssm.send(new PutParameterCommand({ Name: GOLDEN_AMI_PARAMETER, Value: placeholder, Type: 'String' }));
  const parameters = JSON.parse(readFileSync(join(forkDir, 'deploy', `${environment}.json`), 'utf8')) as Record<string, string>;
  const cfn = new CloudFormationClient(config);
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: readFileSync(join(root, 'cloudformation', 'img-mgr.yaml'), 'utf8'),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
  } finally {
    await ssm.send(new DeleteParameterCommand({ Name: GOLDEN_AMI_PARAMETER }));
  }
  return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
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
    state.stackImageIdOverride = state.stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageIdOverride')?.ParameterValue;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const images = await ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:application', Values: ['img-mgr'] }] }),
  );
  state.images = images.Images ?? [];
  return state;
}
