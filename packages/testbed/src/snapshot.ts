/**
 * A snapshot of everything the actions can change in AWS, read through the
 * SDK: SSM parameters with their history and labels, CloudFormation stacks
 * with their change sets, and EC2 instances, images, key pairs and security
 * groups. Tests compare snapshots before and after to prove "no change".
 */
import { CloudFormationClient, ListChangeSetsCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeParametersCommand, GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';

export interface AwsSnapshot {
  parameters: { name: string; versions: { version: number; value: string; labels: string[] }[] }[];
  stacks: { name: string; status: string; changeSets: string[] }[];
  instances: { id: string; state: string; tags: Record<string, string> }[];
  images: { id: string; state: string; name: string }[];
  keyPairs: string[];
  securityGroups: string[];
}

type ClientConfig = ConstructorParameters<typeof SSMClient>[0] & object;

/** Reads the snapshot. */
export async function snapshotAws(config: ClientConfig): Promise<AwsSnapshot> {
  const ssm = new SSMClient(config);
  const cfn = new CloudFormationClient(config);
  const ec2 = new EC2Client(config);
  const parameters: AwsSnapshot['parameters'] = [];
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await ssm.send(new DescribeParametersCommand({ NextToken: token, MaxResults: 50 }));
    for (const parameter of page.Parameters ?? []) {
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: parameter.Name, MaxResults: 50 }));
      parameters.push({
        name: parameter.Name ?? '',
        versions: (history.Parameters ?? []).map((version) => ({
          version: version.Version ?? 0,
          value: version.Value ?? '',
          labels: [...(version.Labels ?? [])].sort(),
        })),
      });
    }
    token = page.NextToken;
  }
  const stacks: AwsSnapshot['stacks'] = [];
  for (const summary of (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? []) {
    if (summary.StackStatus === 'DELETE_COMPLETE') continue;
    const changeSets = await cfn.send(new ListChangeSetsCommand({ StackName: summary.StackId }));
    stacks.push({
      name: summary.StackName ?? '',
      status: summary.StackStatus ?? '',
      changeSets: (changeSets.Summaries ?? [])
        .map((changeSet) => `${changeSet.ChangeSetName}:${changeSet.ExecutionStatus}`)
        .sort(),
    });
  }
  const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
  const instances = reservations
    .flatMap((reservation) => reservation.Instances ?? [])
    .map((instance) => ({
      id: instance.InstanceId ?? '',
      state: instance.State?.Name ?? '',
      tags: Object.fromEntries((instance.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    }));
  const images = ((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? []).map((image) => ({
    id: image.ImageId ?? '',
    state: image.State ?? '',
    name: image.Name ?? '',
  }));
  const keyPairs = ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? [])
    .map((pair) => pair.KeyName ?? '')
    .sort();
  const securityGroups = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
    .map((group) => `${group.GroupName ?? ''}:${group.GroupId ?? ''}`)
    .sort();
  return {
    parameters: parameters.sort((a, b) => a.name.localeCompare(b.name)),
    stacks: stacks.sort((a, b) => a.name.localeCompare(b.name)),
    instances: instances.sort((a, b) => a.id.localeCompare(b.id)),
    images: images.sort((a, b) => a.id.localeCompare(b.id)),
    keyPairs,
    securityGroups,
  };
}
