/** Region and endpoint resolution (also the `./region` subpath: it loads no SDK code). */
import { InputError } from '@img-mgr/action-kit/errors';

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** True when `name` has the shape of an AWS region (us-east-1, us-gov-west-1). */
export function isRegionName(name: string): boolean {
  return REGION_PATTERN.test(name);
}

/**
 * The region to use: the input when given, else AWS_REGION, else
 * AWS_DEFAULT_REGION. Missing or malformed is an InputError on `inputName`.
 */
export function resolveRegion(input: string | undefined, inputName = 'region', env = process.env): string {
  const region = input || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  if (region === '') {
    throw new InputError(inputName, 'is not set and neither AWS_REGION nor AWS_DEFAULT_REGION is defined');
  }
  if (!isRegionName(region)) {
    throw new InputError(inputName, `has '${region}', which is not an AWS region name such as us-east-1`);
  }
  return region;
}

/** Services the actions talk to, by their AWS_ENDPOINT_URL_* suffix. */
export type ServiceId = 'SSM' | 'CLOUDFORMATION' | 'EC2' | 'STS' | 'S3';

/**
 * The endpoint override for `service`: AWS_ENDPOINT_URL_<SERVICE>, else
 * AWS_ENDPOINT_URL, else undefined (the SDK's default endpoint).
 */
export function endpointFor(service: ServiceId, env = process.env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
