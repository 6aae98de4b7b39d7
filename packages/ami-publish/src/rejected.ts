/**
 * The rejected mark: an EC2 tag on an AMI whose rollout failed. The failure
 * path of the reusable workflow writes it; rollback (`previous`), promote
 * and pruning read it, so a bad AMI is never picked again by accident.
 */
import { CreateTagsCommand, DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { awsErrorClass, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { ImageNotUsableError } from './images.js';
import { REJECTED_TAG_KEY } from './rejected-tag.js';
import { amiIdProblem } from './validate.js';

export { REJECTED_TAG_KEY };

/** The value of `amiId`'s rejected tag, or undefined when it has none (or the AMI is gone). */
export async function rejectionOf(ec2: EC2Client, amiId: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const response = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), { abortSignal: signal });
    const image = response.Images?.find((candidate) => candidate.ImageId === amiId);
    return image ? rejectionTag(image) : undefined;
  } catch (error: unknown) {
    // A missing AMI is not rejected; whoever wants to use it finds out that it is gone.
    if (awsErrorClass(error) === 'not-found') return undefined;
    throw error;
  }
}

/** The value of a described image's rejected tag, or undefined when it has none. */
export function rejectionTag(image: Image): string | undefined {
  return image.Tags?.find((tag) => tag.Key === REJECTED_TAG_KEY)?.Value;
}

/**
 * An explicit publish of a rejected AMI: refused, so a re-run of a commit whose
 * rollout failed (same fingerprint, bake skipped) cannot roll the bad AMI out again.
 */
export class RejectedImageError extends ImageNotUsableError {
  constructor(
    amiId: string,
    region: string,
    readonly rejectedBy: string,
  ) {
    super(
      amiId,
      region,
      `is rejected in ${region} (${REJECTED_TAG_KEY}=${rejectedBy}: run ${rejectedBy} rejected it after a failed ` +
        `rollout); ` +
        `rebake with force (the workflow's force input, bake-ami force: true), or remove the tag to publish it anyway`,
    );
  }
}

export interface RejectRequest {
  region: string;
  amiId: string;
  /** Who rejects it: the tag's value (the workflow run id). */
  by: string;
}

/** Tags `amiId` with `img-mgr:rejected=<by>` (overwriting an earlier rejection). */
export async function rejectAmi(request: RejectRequest, context: Context): Promise<void> {
  const problem = amiIdProblem(request.amiId);
  if (problem) throw new InvalidRequestError('amiId', `is invalid: ${problem}`);
  const ec2 = context.clients.get(EC2Client, request.region);
  try {
    // DescribeImages first: CreateTags accepts ids of AMIs that do not exist on some endpoints.
    const found = await ec2.send(new DescribeImagesCommand({ ImageIds: [request.amiId] }), {
      abortSignal: context.signal,
    });
    if (!found.Images?.some((image) => image.ImageId === request.amiId)) throw notFound(request);
    await ec2.send(
      new CreateTagsCommand({ Resources: [request.amiId], Tags: [{ Key: REJECTED_TAG_KEY, Value: request.by }] }),
      { abortSignal: context.signal },
    );
  } catch (error: unknown) {
    if (awsErrorClass(error) === 'not-found') throw notFound(request);
    throw error;
  }
  context.log.info(
    `[${request.region}] Tagged ${request.amiId} ${REJECTED_TAG_KEY}=${request.by}: rollback-to previous, promote ` +
      `and pruning treat it as rejected`,
  );
}

function notFound(request: RejectRequest): ImageNotUsableError {
  return new ImageNotUsableError(
    request.amiId,
    request.region,
    `does not exist in ${request.region}, so it cannot be tagged rejected`,
  );
}
