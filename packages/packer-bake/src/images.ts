/** Looking up an AMI already baked with a given fingerprint. */
import { CreateTagsCommand, EC2Client, paginateDescribeImages, type Image } from '@aws-sdk/client-ec2';
import { errorMessage, type Context } from '@img-mgr/kernel';

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

/** Which baked AMI to look for: the fingerprint (tag `tagKey`, default `fingerprint`) in a region. */
export interface BakedAmiQuery {
  fingerprint: string;
  region: string;
  tagKey?: string;
}

/**
 * The newest `available` AMI owned by this account whose fingerprint tag is
 * `fingerprint`, or undefined.
 */
export async function findBakedAmi(query: BakedAmiQuery, context: Context): Promise<BakedAmi | undefined> {
  const ec2 = context.clients.get(EC2Client, query.region);
  const filters = [
    { Name: `tag:${query.tagKey ?? FINGERPRINT_TAG}`, Values: [query.fingerprint] },
    { Name: 'state', Values: ['available'] },
  ];
  const images: Image[] = [];
  const pages = paginateDescribeImages({ client: ec2 }, { Owners: ['self'], Filters: filters });
  for await (const page of pages) {
    context.signal.throwIfAborted();
    images.push(...(page.Images ?? []));
  }
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

/**
 * Region → AMI of a bake found by its fingerprint: the build region's AMI
 * plus, for each region its regions tag names, the AMI there that carries
 * the same fingerprint. Undefined when a region's copy is gone (the bake
 * must run again to give every region an AMI).
 */
export async function findBakedCopies(
  found: BakedAmi,
  query: BakedAmiQuery,
  context: Context,
): Promise<Record<string, string> | undefined> {
  const { fingerprint, region: buildRegion } = query;
  const amis: Record<string, string> = { [buildRegion]: found.imageId };
  const tag = found.tags[REGIONS_TAG];
  if (tag === undefined) {
    context.log.warn(
      `${found.imageId} has no ${REGIONS_TAG} tag (baked before bake-ami recorded regions); ` +
        `amis holds ${buildRegion} only`,
    );
    return amis;
  }
  for (const region of tag.split(/\s+/).filter((name) => name !== '' && name !== buildRegion)) {
    const copy = await findBakedAmi({ fingerprint, region }, context);
    if (!copy) {
      context.log.info(
        `${found.imageId} was baked for ${tag.split(/\s+/).join(', ')}, but ${region} has no available AMI ` +
          `with fingerprint ${fingerprint}; baking again`,
      );
      return undefined;
    }
    amis[region] = copy.imageId;
  }
  return amis;
}

/** Records on the build region's AMI which regions the bake produced AMIs in (see findBakedCopies). */
export async function tagBakedRegions(
  ami: { amiId: string; region: string },
  regions: string[],
  context: Context,
): Promise<void> {
  const value = [...regions].sort().join(' ');
  const tags = [{ Key: REGIONS_TAG, Value: value }];
  try {
    await context.clients
      .get(EC2Client, ami.region)
      .send(new CreateTagsCommand({ Resources: [ami.amiId], Tags: tags }), { abortSignal: context.signal });
  } catch (error: unknown) {
    context.log.warn(
      `could not tag ${ami.amiId} with ${REGIONS_TAG}=${value} (${errorMessage(error)}); ` +
        'a later skip will return the build region only',
    );
  }
}
