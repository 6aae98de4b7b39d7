/** Looking up an AMI already baked with a given fingerprint. */
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { createClient } from '@img-mgr/aws';

/** Tag keys bake-ami relies on; the template puts its variables into these. */
export const FINGERPRINT_TAG = 'fingerprint';
export const RUN_ID_TAG = 'run-id';

export interface BakedAmi {
  imageId: string;
  name: string;
  creationDate: string;
  tags: Record<string, string>;
}

/**
 * The newest `available` AMI owned by this account whose fingerprint tag is
 * `fingerprint`, or undefined.
 */
export async function findBakedAmi(
  ec2: EC2Client,
  fingerprint: string,
  options: { tagKey?: string; signal?: AbortSignal } = {},
): Promise<BakedAmi | undefined> {
  const tagKey = options.tagKey ?? FINGERPRINT_TAG;
  const images: Image[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [
          { Name: `tag:${tagKey}`, Values: [fingerprint] },
          { Name: 'state', Values: ['available'] },
        ],
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
      { abortSignal: options.signal },
    );
    images.push(...(page.Images ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const newest = images
    .filter((image) => image.ImageId && image.State === 'available')
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest?.ImageId) return undefined;
  return {
    imageId: newest.ImageId,
    name: newest.Name ?? '',
    creationDate: newest.CreationDate ?? '',
    tags: Object.fromEntries((newest.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

/** An EC2 client for `region` with the project's endpoint, retry and user-agent settings. */
export function createEc2Client(region: string, options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): EC2Client {
  return createClient(EC2Client, { region, service: 'EC2', caller: 'bake-ami', ...options });
}
