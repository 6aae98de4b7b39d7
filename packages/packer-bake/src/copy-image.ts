/**
 * Bake once, copy everywhere: the baked AMI copied from its build region to
 * each target region by EC2 CopyImage, with the source's tags on the copy
 * *and* its snapshots at creation (TagSpecifications). Packer's own copy
 * (ami_regions) uses CopyImageTags, which leaves the copy's snapshots
 * untagged, and its later CreateTags on them is refused by the bake role
 * (it may only tag images and snapshots already marked created-by=packer).
 *
 * A region that already holds an AMI with the bake's fingerprint (an earlier
 * run's copy, available or still pending) is not copied again, so a re-run
 * copies only what is missing and never rebakes for it.
 */
import { randomBytes } from 'node:crypto';
import {
  CopyImageCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  EC2Client,
  paginateDescribeImages,
  type Image,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  ActionError,
  asFieldError,
  awsErrorName,
  errorMessage,
  formatDuration,
  poll,
  REJECTED_TAG_KEY,
  type Context,
} from '@img-mgr/kernel';
import { FINGERPRINT_TAG } from './images.js';

/**
 * The tag keys a copy carries: the template's local.tags (packer/img-mgr.pkr.hcl), which the bake role lets it
 * set at creation. bake-ami's regions record stays on the build region's AMI.
 */
export const COPIED_TAG_KEYS = [
  'Name',
  'application',
  'created-by',
  'flask-repo',
  'flask-ref',
  'app-revision',
  'fingerprint',
  'run-id',
] as const;

export interface CopyRequest {
  /** The baked AMI and its build region. */
  source: { amiId: string; region: string };
  /** The bake's fingerprint: how a region's existing copy is found. */
  fingerprint: string;
  /** Regions that need the AMI (the build region, if listed, is left out). */
  regions: string[];
  /** Bound of the whole wait for the copies to become available. */
  timeoutMs: number;
}

export interface RegionCopy {
  region: string;
  amiId: string;
  /** False when the region already had an AMI with the fingerprint. */
  copied: boolean;
  durationMs: number;
}

export interface CopyOptions {
  /** One call per region when its copy is found, started or available. */
  onCopy?: (event: { region: string; amiId: string; state: 'found' | 'copying' | 'available' }) => void;
  /** Injectable pause bounds for tests (defaults: 2 s to 15 s; real copies take minutes). */
  minIntervalMs?: number;
  maxIntervalMs?: number;
}

/** Copies the AMI to every region of `request` that lacks it, concurrently, and waits until each is available. */
export async function copyBakedAmi(
  request: CopyRequest,
  context: Context,
  options: CopyOptions = {},
): Promise<Record<string, RegionCopy>> {
  const targets = [...new Set(request.regions)].filter((region) => region !== request.source.region);
  if (targets.length === 0) return {};
  const source = await describeSource(request, context);
  const tags = copiedTags(source);
  const started = Date.now();
  // The first region that fails stops the others' copies and polls (up to the whole timeout otherwise), so the
  // step ends with that region's line at once; the copies already started stay and a re-run finds them.
  const stop = new AbortController();
  const regional: Context = { ...context, signal: AbortSignal.any([context.signal, stop.signal]) };
  let failure: { error: unknown } | undefined;
  const copies = await Promise.allSettled(
    targets.map((region) =>
      copyToRegion(region, { request, source, tags, started }, regional, options).catch((error: unknown) => {
        failure ??= { error };
        stop.abort(error);
        throw error;
      }),
    ),
  );
  if (failure) throw failure.error;
  return Object.fromEntries(
    copies.flatMap((copy) => (copy.status === 'fulfilled' ? [[copy.value.region, copy.value]] : [])),
  );
}

async function describeSource(request: CopyRequest, context: Context): Promise<Image> {
  const ec2 = context.clients.get(EC2Client, request.source.region);
  const { amiId, region } = request.source;
  let image: Image | undefined;
  try {
    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), { abortSignal: context.signal });
    image = images.Images?.[0];
  } catch (error: unknown) {
    // EC2 answers a missing image id with an error rather than an empty list.
    if (!awsErrorName(error).startsWith('InvalidAMIID'))
      // AccessDenied and the like are about the source the caller named: the error names its field.
      throw asFieldError(error, 'source', `names ${amiId}, which cannot be read in ${region}`);
  }
  if (!image || image.State !== 'available')
    throw new ActionError(
      `cannot copy ${amiId}: it is ${image?.State ?? 'not found'} in ${region}`,
      'bake it again, or publish an AMI that exists',
    );
  return image;
}

/** The source's tags that a copy carries (COPIED_TAG_KEYS), always with the fingerprint. */
function copiedTags(source: Image): Tag[] {
  const keys: readonly string[] = COPIED_TAG_KEYS;
  return (source.Tags ?? []).filter((tag) => tag.Key !== undefined && keys.includes(tag.Key));
}

interface CopyPlan {
  request: CopyRequest;
  source: Image;
  tags: Tag[];
  started: number;
}

async function copyToRegion(region: string, plan: CopyPlan, context: Context, options: CopyOptions) {
  const { request, source, tags } = plan;
  const ec2 = context.clients.get(EC2Client, region);
  const existing = await findCopy(ec2, request.fingerprint, context);
  let amiId: string;
  if (existing?.ImageId) {
    amiId = existing.ImageId;
    options.onCopy?.({ region, amiId, state: 'found' });
    context.log.info(`${region}: ${amiId} has fingerprint ${request.fingerprint} (${existing.State}); not copied`);
    if (existing.State === 'available') return { region, amiId, copied: false, durationMs: 0 };
  } else {
    const copy = await ec2.send(
      new CopyImageCommand({
        SourceImageId: request.source.amiId,
        SourceRegion: request.source.region,
        Name: source.Name,
        ...(source.Description ? { Description: source.Description } : {}),
        TagSpecifications: [
          { ResourceType: 'image', Tags: tags },
          { ResourceType: 'snapshot', Tags: tags },
        ],
        // The SDK's own retries of this request must not start a second copy.
        ClientToken: `img-mgr-copy-${randomBytes(12).toString('hex')}`,
      }),
      { abortSignal: context.signal },
    );
    if (!copy.ImageId) throw new ActionError(`CopyImage to ${region} returned no image id`);
    amiId = copy.ImageId;
    options.onCopy?.({ region, amiId, state: 'copying' });
    context.log.info(`${region}: copying ${request.source.amiId} from ${request.source.region} as ${amiId}`);
  }
  const image = await waitAvailable(ec2, { region, amiId }, plan, context, options);
  await tagIfUntagged(ec2, image, { region, tags }, context);
  options.onCopy?.({ region, amiId, state: 'available' });
  return { region, amiId, copied: existing === undefined, durationMs: Date.now() - plan.started };
}

/**
 * The newest of this account's AMIs with the fingerprint that is available or still being copied, and not
 * rejected: a wave that failed tags its copy img-mgr:rejected, and a re-run (its cause fixed elsewhere, the
 * home AMI still good) must get a fresh copy, which it can publish, instead of the one publish refuses.
 */
async function findCopy(ec2: EC2Client, fingerprint: string, context: Context): Promise<Image | undefined> {
  const images: Image[] = [];
  const filters = [
    { Name: `tag:${FINGERPRINT_TAG}`, Values: [fingerprint] },
    { Name: 'state', Values: ['available', 'pending'] },
  ];
  for await (const page of paginateDescribeImages({ client: ec2 }, { Owners: ['self'], Filters: filters })) {
    context.signal.throwIfAborted();
    images.push(...(page.Images ?? []));
  }
  return images
    .filter((image) => image.State === 'available' || image.State === 'pending')
    .filter((image) => !(image.Tags ?? []).some((tag) => tag.Key === REJECTED_TAG_KEY))
    .sort((a, b) => stateRank(a) - stateRank(b) || (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
}

const stateRank = (image: Image): number => (image.State === 'available' ? 0 : 1);

/** Polls the copy until it is available; a copy that fails ends the wait with EC2's reason. */
async function waitAvailable(
  ec2: EC2Client,
  copy: { region: string; amiId: string },
  plan: CopyPlan,
  context: Context,
  options: CopyOptions,
): Promise<Image> {
  const left = Math.max(1_000, plan.request.timeoutMs - (Date.now() - plan.started));
  return poll<Image>(
    async () => {
      const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [copy.amiId] }), {
        abortSignal: context.signal,
      });
      const image = images.Images?.[0];
      if (image?.State === 'available') return { done: true, value: image };
      if (image && image.State !== 'pending')
        throw new ActionError(
          `the copy ${copy.amiId} in ${copy.region} is ${image.State ?? '?'}` +
            `${image.StateReason?.Message ? `: ${image.StateReason.Message}` : ''}`,
          'run again: the other regions keep their copies and only this one is copied again',
        );
      return { done: false };
    },
    {
      timeoutMs: left,
      timeoutMessage: () =>
        `the copy ${copy.amiId} in ${copy.region} was not available within ${formatDuration(plan.request.timeoutMs)}`,
      minIntervalMs: options.minIntervalMs ?? 2_000,
      maxIntervalMs: options.maxIntervalMs ?? 15_000,
      signal: context.signal,
    },
  );
}

/**
 * EC2 tags the copy and its snapshots at creation. An emulator that ignores TagSpecifications on CopyImage
 * (moto) returns an untagged copy, which no later run could find by its fingerprint: tag it afterwards, and
 * say so. On AWS this never runs (and the bake role would refuse it: the copy is not yet created-by=packer).
 */
async function tagIfUntagged(
  ec2: EC2Client,
  image: Image,
  copy: { region: string; tags: Tag[] },
  context: Context,
): Promise<void> {
  const has = new Set((image.Tags ?? []).map((tag) => tag.Key));
  if (has.has(FINGERPRINT_TAG) || !image.ImageId) return;
  const snapshots = (image.BlockDeviceMappings ?? []).flatMap((mapping) =>
    mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : [],
  );
  context.log.warn(
    `${copy.region}: the copy ${image.ImageId} came back without the tags requested at creation ` +
      '(an emulator that ignores TagSpecifications on CopyImage); tagging it and its snapshots now',
  );
  try {
    await ec2.send(new CreateTagsCommand({ Resources: [image.ImageId, ...snapshots], Tags: copy.tags }), {
      abortSignal: context.signal,
    });
  } catch (error: unknown) {
    throw new ActionError(`could not tag the copy ${image.ImageId} in ${copy.region}: ${errorMessage(error)}`);
  }
}
