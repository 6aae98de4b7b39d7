/** Test helpers: AMIs tagged as Packer tags them (testbed makes them in moto), and the parameter read back. */
import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  GetParameterCommand,
  paginateGetParameterHistory,
  PutParameterCommand,
  SSMClient,
  LabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { makeAmi, type Moto } from '@img-mgr/testbed';

export const PARAMETER = '/common/img-mgr/golden-ami';

export function clients(moto: Moto, region = 'us-east-1'): { ssm: SSMClient; ec2: EC2Client } {
  const config = { ...moto.clientConfig, region };
  return { ssm: new SSMClient(config), ec2: new EC2Client(config) };
}

/** An AMI as Packer tags it (application=<application>, created-by=packer), made in moto by testbed. */
export async function createAmi(
  ec2: EC2Client,
  name: string,
  options: { application?: string } = {},
): Promise<{ amiId: string; snapshots: string[] }> {
  const { amiId, snapshots } = await makeAmi(ec2, name, {
    tags: { application: options.application ?? 'img-mgr', 'created-by': 'packer' },
  });
  return { amiId, snapshots };
}

/** Launches an instance from `amiId` and leaves it running. */
export async function launchFrom(ec2: EC2Client, amiId: string): Promise<string> {
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: amiId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
  );
  return run.Instances?.[0]?.InstanceId ?? '';
}

/** AMI ids that still exist among `amiIds`. */
export async function existingImages(ec2: EC2Client, amiIds: string[]): Promise<string[]> {
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
  return amiIds.filter((id) => images.Images?.some((image) => image.ImageId === id));
}

/** Snapshot ids that still exist among `snapshotIds`. */
export async function existingSnapshots(ec2: EC2Client, snapshotIds: string[]): Promise<string[]> {
  const snapshots = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return snapshotIds.filter((id) => snapshots.Snapshots?.some((snapshot) => snapshot.SnapshotId === id));
}

export interface StoredVersion {
  version: number;
  value: string;
  labels: string[];
}

/** The parameter as stored: current value/version and full history (oldest first); undefined when absent. */
export async function readParameter(
  ssm: SSMClient,
  name = PARAMETER,
): Promise<{ value: string; version: number; dataType?: string; history: StoredVersion[] } | undefined> {
  try {
    const current = await ssm.send(new GetParameterCommand({ Name: name }));
    const history: StoredVersion[] = [];
    for await (const page of paginateGetParameterHistory({ client: ssm }, { Name: name, MaxResults: 50 })) {
      history.push(
        ...(page.Parameters ?? []).map((entry) => ({
          version: entry.Version ?? 0,
          value: entry.Value ?? '',
          labels: entry.Labels ?? [],
        })),
      );
    }
    return {
      value: current.Parameter?.Value ?? '',
      version: current.Parameter?.Version ?? 0,
      ...(current.Parameter?.DataType ? { dataType: current.Parameter.DataType } : {}),
      history,
    };
  } catch (error: unknown) {
    if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/** Writes `count` versions directly (not through the action), e.g. to reach the 100-version limit. */
export async function putVersions(ssm: SSMClient, values: string[], name = PARAMETER): Promise<void> {
  for (const value of values) {
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: 'String', DataType: 'text', Overwrite: true }),
    );
  }
}

export async function label(ssm: SSMClient, version: number, labels: string[], name = PARAMETER): Promise<void> {
  await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: labels }));
}
