/** Checks that an AMI can be published: it exists in the region and is available. */
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { ActionError, awsErrorClass, awsErrorName, formatDuration, poll } from '@img-mgr/kernel';

/** The AMI cannot be published; `problem` says why (the caller names its input). */
export class ImageNotUsableError extends ActionError {
  constructor(
    readonly amiId: string,
    readonly region: string,
    readonly problem: string,
  ) {
    super(`${amiId} ${problem}`);
  }
}

export interface WaitForImageOptions {
  timeoutMs: number;
  pollIntervalMs?: number;
  log: (line: string) => void;
  signal: AbortSignal;
}

/**
 * Describes `amiId` until it is `available`. A pending AMI is waited for up
 * to `timeoutMs` (kernel `poll`: the SDK's waitUntilImageAvailable would
 * keep waiting on a deregistered or missing AMI); one that is missing,
 * failed or deregistered fails at once.
 */
export async function waitForImage(
  ec2: EC2Client,
  region: string,
  amiId: string,
  options: WaitForImageOptions,
): Promise<Image> {
  const interval = options.pollIntervalMs ?? 5_000;
  const image = await poll<Image>(
    async (check) => {
      const image = await describeImage(ec2, region, amiId, options.signal);
      const state = image.State ?? 'unknown';
      if (state === 'available') return { done: true, value: image };
      if (state !== 'pending') {
        const reason = image.StateReason?.Message ? `: ${image.StateReason.Message}` : '';
        throw new ImageNotUsableError(amiId, region, `is ${state} in ${region}, not available${reason}`);
      }
      options.log(
        `${amiId} is pending in ${region} (check ${check}); waiting up to ${formatDuration(options.timeoutMs)}`,
      );
      return { done: false };
    },
    {
      timeoutMs: options.timeoutMs,
      timeoutMessage: () =>
        `${amiId} was still pending in ${region} after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout)`,
      // An AMI takes minutes: start at the interval, then check less often.
      minIntervalMs: interval,
      maxIntervalMs: interval * 3,
      signal: options.signal,
    },
  );
  options.log(`${amiId} is available in ${region} (${image.Name ?? 'no name'}, created ${image.CreationDate ?? '?'})`);
  return image;
}

async function describeImage(ec2: EC2Client, region: string, amiId: string, signal: AbortSignal): Promise<Image> {
  try {
    const response = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), { abortSignal: signal });
    const image = response.Images?.find((candidate) => candidate.ImageId === amiId);
    if (image) return image;
  } catch (error: unknown) {
    if (awsErrorName(error) === 'InvalidAMIID.Malformed')
      throw new ImageNotUsableError(amiId, region, `is not a well-formed AMI id`);
    if (awsErrorClass(error) !== 'not-found') throw error;
  }
  throw new ImageNotUsableError(amiId, region, `does not exist in ${region} (or is not shared with this account)`);
}
