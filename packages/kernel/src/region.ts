/** Region and endpoint resolution (also the `./region` subpath: it loads no SDK code). */
import type { Env } from './context.js';
import { InputError } from './errors.js';
import { quoteWhole } from './format.js';

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** True when `name` has the shape of an AWS region (us-east-1, us-gov-west-1). */
export function isRegionName(name: string): boolean {
  return REGION_PATTERN.test(name);
}

/** AWS regions as of 2026 (commercial, China, GovCloud). */
const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-east-1',
  'us-gov-west-1',
]);

/**
 * Set to 1 in a step's environment to let the actions use a region this list
 * does not know yet (a region AWS opened after this release).
 */
export const ANY_REGION_ENV = 'IMG_MGR_ANY_REGION';

/** True for a region AWS operates (an unknown one is most likely a typo). */
export function isKnownRegion(region: string): boolean {
  return KNOWN_REGIONS.has(region);
}

/**
 * Why `region` cannot be used, or undefined: not shaped like a region, or not
 * a region AWS has (unless IMG_MGR_ANY_REGION=1). A typo fails here, before
 * the SDK retries a host name that does not resolve.
 */
export function regionProblem(region: string, env: Env): string | undefined {
  if (!isRegionName(region)) return `${quoteWhole(region, 40)}, which is not an AWS region name such as us-east-1`;
  if (!isKnownRegion(region) && env[ANY_REGION_ENV] !== '1') {
    return `'${region}', which is not a known AWS region (set ${ANY_REGION_ENV}=1 if it is new)`;
  }
  return undefined;
}

/**
 * The region to use: the input when given, else AWS_REGION, else
 * AWS_DEFAULT_REGION. Missing, malformed or unknown is an InputError on
 * `inputName` that says where the value came from.
 */
export function resolveRegion(input: string | undefined, inputName: string, env: Env): string {
  const source = input
    ? undefined
    : env.AWS_REGION
      ? 'AWS_REGION'
      : env.AWS_DEFAULT_REGION
        ? 'AWS_DEFAULT_REGION'
        : undefined;
  const region = input || (source ? (env[source] ?? '') : '');
  if (region === '') {
    throw new InputError(inputName, 'is not set and neither AWS_REGION nor AWS_DEFAULT_REGION is defined');
  }
  const problem = regionProblem(region, env);
  if (problem) throw new InputError(inputName, source ? `is not set and ${source} has ${problem}` : `has ${problem}`);
  return region;
}

/** Services the actions talk to, by their AWS_ENDPOINT_URL_* suffix. */
export type ServiceId = 'SSM' | 'CLOUDFORMATION' | 'EC2' | 'STS' | 'S3' | 'KMS';

/**
 * The endpoint override for `service`: AWS_ENDPOINT_URL_<SERVICE>, else
 * AWS_ENDPOINT_URL, else undefined (the SDK's default endpoint).
 */
export function endpointFor(service: ServiceId, env: Env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
