/**
 * AMIs made in moto the way Packer makes them: an instance of moto's Amazon Linux 2023 image, imaged, then
 * terminated. CreateImage is instant in moto, so a test gets an `available` AMI with its snapshots at once.
 */
import {
  CreateImageCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';

export interface MakeAmiOptions {
  /** Tags on the image (e.g. application, fingerprint). */
  tags?: Record<string, string>;
  /** Leave the instance running from its base image instead of terminating it as Packer does. */
  keepInstance?: boolean;
}

export interface MadeAmi {
  amiId: string;
  /** The EBS snapshots behind the AMI. */
  snapshots: string[];
  /** The instance it was made from. */
  instanceId: string;
}

const baseImages = new WeakMap<EC2Client, string>();

/** An Amazon-owned al2023 image of the client's region (moto ships them in every region). */
export async function baseImageId(ec2: EC2Client): Promise<string> {
  const cached = baseImages.get(ec2);
  if (cached) return cached;
  const images = await ec2.send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }),
  );
  const id = images.Images?.[0]?.ImageId;
  if (!id) throw new Error('testbed: moto has no al2023 image');
  baseImages.set(ec2, id);
  return id;
}

/** Makes an AMI named `name` in the client's region. */
export async function makeAmi(ec2: EC2Client, name: string, options: MakeAmiOptions = {}): Promise<MadeAmi> {
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: await baseImageId(ec2), MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId ?? '';
  const tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const image = await ec2.send(
    new CreateImageCommand({
      InstanceId: instanceId,
      Name: name,
      ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'image', Tags: tags }] } : {}),
    }),
  );
  if (!options.keepInstance) await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  const amiId = image.ImageId ?? '';
  const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }));
  const snapshots = (described.Images?.[0]?.BlockDeviceMappings ?? []).flatMap((mapping) =>
    mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : [],
  );
  return { amiId, snapshots, instanceId };
}
