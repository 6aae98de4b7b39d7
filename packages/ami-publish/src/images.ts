/** Checks that an AMI can be published: it exists in the region and is available. */
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { ActionError, awsErrorClass, awsErrorName, sleep, TimeoutError } from '@img-mgr/kernel';

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
 * to `timeoutMs`; one that is missing, failed or deregistered fails at once.
 */
export async function waitForImage(
  ec2: EC2Client,
  region: string,
  amiId: string,
  options: WaitForImageOptions,
): Promise<Image> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.pollIntervalMs ?? 5_000;
  for (let poll = 1; ; poll++) {
    const image = await describeImage(ec2, region, amiId, options.signal);
    const state = image.State ?? 'unknown';
    if (state === 'available') {
      options.log(
        `${amiId} is available in ${region} (${image.Name ?? 'no name'}, created ${image.CreationDate ?? '?'})`,
      );
      return image;
    }
    if (state !== 'pending') {
      const reason = image.StateReason?.Message ? `: ${image.StateReason.Message}` : '';
      throw new ImageNotUsableError(amiId, region, `is ${state} in ${region}, not available${reason}`);
    }
    if (Date.now() + interval > deadline) {
      throw new TimeoutError(
        `${amiId} was still pending in ${region} after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout)`,
      );
    }
    options.log(`${amiId} is pending in ${region}; checking again in ${Math.round(interval / 1000)} s (poll ${poll})`);
    await sleep(interval, options.signal);
  }
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
