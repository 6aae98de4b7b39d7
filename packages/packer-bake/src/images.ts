/** Looking up an AMI already baked with a given fingerprint. */
import { CreateTagsCommand, DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { errorMessage } from '@img-mgr/kernel';
import { createClient } from '@img-mgr/kernel/aws';

/** Tag keys bake-ami relies on; the template puts its variables into these. */
export const FINGERPRINT_TAG = 'fingerprint';
export const RUN_ID_TAG = 'run-id';
/** Tag bake-ami puts on the build region's AMI: the regions the bake produced AMIs in, space separated. */
export const REGIONS_TAG = 'bake-ami-regions';

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

/**
 * Region → AMI of a bake found by its fingerprint: the build region's AMI
 * plus, for each region its regions tag names, the AMI there that carries
 * the same fingerprint. Undefined when a region's copy is gone (the bake
 * must run again to give every region an AMI).
 */
export async function findBakedCopies(
  found: BakedAmi,
  fingerprint: string,
  buildRegion: string,
  options: { ec2: EC2Client; log: (line: string) => void; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<Record<string, string> | undefined> {
  const amis: Record<string, string> = { [buildRegion]: found.imageId };
  const tag = found.tags[REGIONS_TAG];
  if (tag === undefined) {
    options.log(`Warning: ${found.imageId} has no ${REGIONS_TAG} tag (baked before bake-ami recorded regions); amis holds ${buildRegion} only`);
    return amis;
  }
  for (const region of tag.split(/\s+/).filter((name) => name !== '' && name !== buildRegion)) {
    const client = createEc2Client(region, { log: options.log, ...(options.env ? { env: options.env } : {}) });
    try {
      const copy = await findBakedAmi(client, fingerprint, options.signal ? { signal: options.signal } : {});
      if (!copy) {
        options.log(`${found.imageId} was baked for ${tag.split(/\s+/).join(', ')}, but ${region} has no available AMI with fingerprint ${fingerprint}; baking again`);
        return undefined;
      }
      amis[region] = copy.imageId;
    } finally {
      client.destroy();
    }
  }
  return amis;
}

/** Records on the build region's AMI which regions the bake produced AMIs in (see findBakedCopies). */
export async function tagBakedRegions(ec2: EC2Client, amiId: string, regions: string[], log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const value = [...regions].sort().join(' ');
  try {
    await ec2.send(new CreateTagsCommand({ Resources: [amiId], Tags: [{ Key: REGIONS_TAG, Value: value }] }), { abortSignal: signal });
  } catch (error: unknown) {
    log(`Warning: could not tag ${amiId} with ${REGIONS_TAG}=${value} (${errorMessage(error)}); a later skip will return the build region only`);
  }
}
