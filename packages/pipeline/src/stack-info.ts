/**
 * Reading a deployed stack for reports: its status, outputs, the AMI its
 * ImageId parameter resolved to, and the AMI its launch template really
 * holds (the resource itself, which is what instances boot from).
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from '@img-mgr/kernel';

export interface StackInfo {
  name: string;
  exists: boolean;
  status: string;
  outputs: Record<string, string>;
  /** ResolvedValue of the ImageId parameter (SSM lookups), else the ImageId output. */
  imageId?: string;
  /** ImageId of the launch template's latest version. */
  launchTemplateAmi?: string;
}

/** The part of a Context that reading AWS needs: the client factory and the cancellation. */
export type AwsReader = Pick<Context, 'clients' | 'signal'>;

/** Describes `name`; a missing stack is `exists: false`. */
export async function describeStackInfo(name: string, region: string, aws: AwsReader): Promise<StackInfo> {
  const cfn = aws.clients.get(CloudFormationClient, region);
  let stack: Stack | undefined;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }), { abortSignal: aws.signal })).Stacks?.[0];
  } catch (error: unknown) {
    if (error instanceof Error && /does not exist/i.test(error.message))
      return { name, exists: false, status: 'DOES_NOT_EXIST', outputs: {} };
    throw error;
  }
  if (!stack) return { name, exists: false, status: 'DOES_NOT_EXIST', outputs: {} };
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
  );
  const imageParameter = stack.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageId');
  const imageId = imageParameter?.ResolvedValue ?? outputs.ImageId;
  const info: StackInfo = {
    name,
    exists: true,
    status: stack.StackStatus ?? '?',
    outputs,
    ...(imageId ? { imageId } : {}),
  };
  const launchTemplateId = outputs.LaunchTemplateId;
  if (launchTemplateId) {
    const ami = await launchTemplateAmi(launchTemplateId, region, aws).catch(() => undefined);
    if (ami) info.launchTemplateAmi = ami;
  }
  return info;
}

async function launchTemplateAmi(id: string, region: string, aws: AwsReader): Promise<string | undefined> {
  const response = await aws.clients
    .get(EC2Client, region)
    .send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Latest'] }), {
      abortSignal: aws.signal,
    });
  return response.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId;
}
