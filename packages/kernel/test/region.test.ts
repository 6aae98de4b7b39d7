import { describe, expect, it } from 'vitest';
import { endpointFor, isKnownRegion, regionProblem, resolveRegion } from '../src/index.js';
import { userAgent } from '../src/client.js';

describe('resolveRegion', () => {
  it('prefers the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', 'region', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, 'region', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe(
      'us-east-1',
    );
    expect(resolveRegion(undefined, 'region', { AWS_DEFAULT_REGION: 'us-gov-west-1' })).toBe('us-gov-west-1');
  });

  it('names the input when the region is missing or malformed', () => {
    expect(() => resolveRegion(undefined, 'aws-region', {})).toThrow("Input 'aws-region' is not set");
    expect(() => resolveRegion('mars-1', 'region', {})).toThrow(
      "Input 'region' has 'mars-1', which is not an AWS region name",
    );
  });

  it('refuses a well-shaped region AWS does not have (a typo), unless IMG_MGR_ANY_REGION=1', () => {
    expect(() => resolveRegion('us-est-1', 'region', {})).toThrow(
      /^Input 'region' has 'us-est-1', which is not a known AWS region \(set IMG_MGR_ANY_REGION=1 if it is new\)$/,
    );
    expect(() => resolveRegion(undefined, 'region', { AWS_REGION: 'eu-wset-1' })).toThrow(
      new RegExp(
        /^Input 'region' is not set and AWS_REGION has 'eu-wset-1', which is not a known AWS region /.source +
          /\(set IMG_MGR_ANY_REGION=1 if it is new\)$/.source,
      ),
    );
    expect(resolveRegion('xx-new-1', 'region', { IMG_MGR_ANY_REGION: '1' })).toBe('xx-new-1');
    expect(() => resolveRegion('us east 1', 'region', { IMG_MGR_ANY_REGION: '1' })).toThrow(
      /which is not an AWS region name/,
    );
    expect(regionProblem('eu-central-2', {})).toBeUndefined();
    expect(isKnownRegion('ap-southeast-7')).toBe(true);
  });
});

describe('endpointFor', () => {
  it('prefers the service-specific variable', () => {
    const env = { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SSM: 'http://b' };
    expect(endpointFor('SSM', env)).toBe('http://b');
    expect(endpointFor('EC2', env)).toBe('http://a');
    expect(endpointFor('EC2', {})).toBeUndefined();
  });
});

describe('userAgent', () => {
  it('names the action, the run and its attempt', () => {
    expect(
      userAgent('deploy-stack', { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2', GITHUB_REPOSITORY: 'me/app' }),
    ).toEqual([
      ['img-mgr-deploy-stack', '1'],
      ['run', '42-2'],
      ['repo', 'me_app'],
    ]);
  });
});
