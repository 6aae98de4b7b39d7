import { describe, expect, it } from 'vitest';
import {
  allRegions,
  MAX_WAVES,
  parseRegionsList,
  parseTargetsFile,
  singleRegion,
  TargetsError,
  workflowTargets,
} from '../src/index.js';

const FILE = 'deploy/targets.yml';

/** The error line parseTargetsFile gives for `text`. */
function problem(text: string, env = {}): string {
  try {
    parseTargetsFile(text, FILE, env);
  } catch (error: unknown) {
    if (error instanceof TargetsError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('the targets file', () => {
  it('reads waves in order, each with its regions and optional environment; the home region is the first', () => {
    const targets = parseTargetsFile(
      [
        '# staging first',
        'waves:',
        '  - regions: [us-west-2]',
        '    environment: staging',
        '  - regions:',
        '      - eu-west-1',
        '      - ap-southeast-2',
      ].join('\n'),
      FILE,
    );
    expect(targets).toEqual({
      source: FILE,
      home: 'us-west-2',
      waves: [
        { number: 1, regions: ['us-west-2'], environment: 'staging' },
        { number: 2, regions: ['eu-west-1', 'ap-southeast-2'] },
      ],
    });
    expect(allRegions(targets)).toEqual(['us-west-2', 'eu-west-1', 'ap-southeast-2']);
  });

  it('names the file, the line and the problem for each kind of bad input', () => {
    expect(problem('waves:\n  - regions: [us-west-2]\n    region: eu-west-1\n')).toBe(
      `${FILE}:3: wave 1 has an unknown key 'region' ` +
        '(a wave has: regions, environment, role-to-assume, smoke-urls, parameter-files)',
    );
    expect(problem('wave:\n  - regions: [us-west-2]\n')).toBe(
      `${FILE}:1: unknown key 'wave' (the file has only: waves)`,
    );
    expect(problem('waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1, us-west-2]\n')).toBe(
      `${FILE}:3: region us-west-2 is listed twice (wave 1 and wave 2); a region rolls out once`,
    );
    expect(problem('waves:\n  - regions: [us-west-2]\n  - regions:\n      - eu-wset-1\n')).toBe(
      `${FILE}:4: wave 2 lists 'eu-wset-1', which is not a known AWS region (set IMG_MGR_ANY_REGION=1 if it is new)`,
    );
    expect(problem('waves:\n  - regions: [us-west-2]\n  - regions: [Frankfurt]\n')).toBe(
      `${FILE}:3: wave 2 lists 'Frankfurt', which is not an AWS region name such as us-east-1`,
    );
    expect(problem('waves:\n  - regions: [us-west-2]\n  - regions: []\n')).toBe(
      `${FILE}:3: wave 2 is empty (it lists no region)`,
    );
    expect(problem('waves:\n  - regions: [us-west-2]\n  - environment: prod\n')).toBe(
      `${FILE}:3: wave 2 has no 'regions'`,
    );
    expect(problem('waves: []\n')).toBe(`${FILE}:1: 'waves' must be a non-empty list of waves`);
    expect(problem('waves:\n  - regions: [us-west-2]\nwaves: []\n')).toMatch(
      new RegExp(`^${FILE}:3: a key is given twice`),
    );
    expect(problem('waves:\n  - regions: [us-west-2\n')).toMatch(new RegExp(`^${FILE}:\\d+: is not valid YAML`));
    expect(problem('waves:\n  - regions: [us-west-2]\n    environment: "a/b"\n')).toMatch(
      new RegExp(`^${FILE}:3: wave 1's 'environment' must be`),
    );
  });

  it("reads a wave's role-to-assume and smoke-urls (a URL for some of its regions)", () => {
    const targets = parseTargetsFile(
      [
        'waves:',
        '  - regions: [us-west-2]',
        '  - regions: [eu-west-1, ap-southeast-2]',
        '    environment: prod',
        '    role-to-assume: arn:aws:iam::123456789012:role/deploy/prod-deploy',
        '    smoke-urls:',
        '      eu-west-1: https://eu.example.com/',
        '      ap-southeast-2: http://ap.example.com:8080/app',
      ].join('\n'),
      FILE,
    );
    expect(targets.waves[1]).toEqual({
      number: 2,
      regions: ['eu-west-1', 'ap-southeast-2'],
      environment: 'prod',
      role: 'arn:aws:iam::123456789012:role/deploy/prod-deploy',
      smokeUrls: { 'eu-west-1': 'https://eu.example.com/', 'ap-southeast-2': 'http://ap.example.com:8080/app' },
    });
    expect(workflowTargets(targets).waves.slice(1)).toEqual([
      {
        regions: '["eu-west-1","ap-southeast-2"]',
        environment: 'prod',
        role: 'arn:aws:iam::123456789012:role/deploy/prod-deploy',
        smokeUrls: '{"eu-west-1":"https://eu.example.com/","ap-southeast-2":"http://ap.example.com:8080/app"}',
        parameterFiles: '{}',
      },
      { regions: '[]', environment: '', role: '', smokeUrls: '{}', parameterFiles: '{}' },
    ]);
  });

  it('refuses a bad role-to-assume or smoke URL, and one for a region the wave does not list, naming the line', () => {
    const wave2 = (lines: string): string =>
      problem(`waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1, ap-south-1]\n${lines}`);
    const long = `arn:aws:iam::123456789012:user/${'x'.repeat(600)}`;
    expect(wave2(`    role-to-assume: ${long}\n`)).toBe(
      `${FILE}:4: wave 2's 'role-to-assume' has 'arn:aws:iam::123456789012:user/xxxxxx...', which is not an IAM role ` +
        'ARN (arn:aws:iam::<account>:role/<name>)',
    );
    expect(wave2(`    role-to-assume: arn:aws:iam::12345:role/r\n`)).toMatch(
      new RegExp(`^${FILE}:4: wave 2's 'role-to-assume' has 'arn:aws:iam::12345:role/r', which is not`),
    );
    expect(wave2('    role-to-assume: [a]\n')).toBe(
      `${FILE}:4: wave 2's 'role-to-assume' must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
    expect(wave2(`    role-to-assume: arn:aws:iam::123456789012:role/${'r'.repeat(513)}\n`)).toMatch(
      /not an IAM role ARN/,
    );
    expect(
      wave2('    smoke-urls:\n      eu-west-1: https://eu.example.com/\n      us-west-2: https://x.example.com/\n'),
    ).toBe(
      `${FILE}:6: wave 2's 'smoke-urls' names 'us-west-2', which is not a region of wave 2 ` +
        "(a wave's smoke URLs are for its own regions)",
    );
    expect(wave2('    smoke-urls:\n      ap-south-1: https://a.example.com/?q=1\n')).toBe(
      `${FILE}:5: wave 2's smoke URL for ap-south-1 has 'https://a.example.com/?q=1', which is not an http:// ` +
        'or https:// base URL (scheme://host[:port]/path: no query, fragment, spaces, quotes or ${...})',
    );
    const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
    const withToken = wave2(`    smoke-urls:\n      eu-west-1: https://x:${token}@eu.example.com/\n`);
    expect(withToken).toBe(
      `${FILE}:5: wave 2's smoke URL for eu-west-1 holds credentials (user:token@), ` +
        'which would reach logs and the summary',
    );
    expect(wave2('    smoke-urls:\n      eu-west-1:\n')).toMatch(
      new RegExp(`^${FILE}:5: wave 2's smoke URL for eu-west-1 is not an http:// or https:// base URL`),
    );
    expect(wave2('    smoke-urls: https://eu.example.com/\n')).toBe(
      `${FILE}:4: wave 2's 'smoke-urls' must be a mapping of its regions to URLs`,
    );
    expect(wave2('    parameter-files:\n      us-west-2: deploy/us.json\n')).toBe(
      `${FILE}:5: wave 2's 'parameter-files' names 'us-west-2', which is not a region of wave 2 ` +
        "(a wave's parameter files are for its own regions)",
    );
    expect(wave2('    parameter-files:\n      eu-west-1: ../secrets.json\n')).toBe(
      `${FILE}:5: wave 2's parameter file for eu-west-1 has '../secrets.json', which is not a .json, .yaml or .yml ` +
        'path relative to the repository (letters, digits and . _ - /, no ..)',
    );
  });

  it("reads a wave's parameter-files (a file for some of its regions)", () => {
    const text =
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1, ap-south-1]\n' +
      '    parameter-files: { eu-west-1: deploy/dev-eu-west-1.json }\n';
    expect(parseTargetsFile(text, FILE).waves[1]?.parameterFiles).toEqual({ 'eu-west-1': 'deploy/dev-eu-west-1.json' });
  });

  it('admits a region AWS opened after this release only with IMG_MGR_ANY_REGION=1', () => {
    const text = 'waves:\n  - regions: [xx-north-9]\n';
    expect(problem(text)).toMatch(/not a known AWS region/);
    expect(parseTargetsFile(text, FILE, { IMG_MGR_ANY_REGION: '1' }).home).toBe('xx-north-9');
  });
});

describe('--regions home,b,c', () => {
  it('is the home region as wave 1 and the others as wave 2; one region is one wave', () => {
    expect(parseRegionsList('us-west-2,eu-west-1,ap-southeast-2', '--regions').waves).toEqual([
      { number: 1, regions: ['us-west-2'] },
      { number: 2, regions: ['eu-west-1', 'ap-southeast-2'] },
    ]);
    expect(parseRegionsList('eu-west-1', '--regions').waves).toEqual([{ number: 1, regions: ['eu-west-1'] }]);
  });

  it('refuses an empty item, an unknown region and a repeated one, naming the flag', () => {
    expect(() => parseRegionsList('us-west-2,,eu-west-1', '--regions')).toThrow(
      '--regions: must be regions separated by commas, such as us-west-2,eu-west-1',
    );
    expect(() => parseRegionsList('us-west-2,eu-wset-1', '--regions')).toThrow(/^--regions: has 'eu-wset-1'/);
    expect(() => parseRegionsList('us-west-2,us-west-2', '--regions')).toThrow('--regions: lists us-west-2 twice');
  });
});

describe('the targets as workflow outputs', () => {
  it('gives the home region, the copy regions and exactly MAX_WAVES wave slots as JSON, the unused ones empty', () => {
    const targets = parseTargetsFile(
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1, ap-south-1]\n    environment: prod\n',
      FILE,
    );
    expect(workflowTargets(targets)).toEqual({
      home: 'us-west-2',
      copyRegions: '["eu-west-1","ap-south-1"]',
      regions: '["us-west-2","eu-west-1","ap-south-1"]',
      waveCount: 2,
      waves: [
        { regions: '["us-west-2"]', environment: '', role: '', smokeUrls: '{}', parameterFiles: '{}' },
        { regions: '["eu-west-1","ap-south-1"]', environment: 'prod', role: '', smokeUrls: '{}', parameterFiles: '{}' },
        { regions: '[]', environment: '', role: '', smokeUrls: '{}', parameterFiles: '{}' },
      ],
    });
    expect(MAX_WAVES).toBe(3);
    expect(workflowTargets(singleRegion('eu-west-1', 'dev')).waves[0]).toEqual({
      regions: '["eu-west-1"]',
      environment: 'dev',
      role: '',
      smokeUrls: '{}',
      parameterFiles: '{}',
    });
    const four = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-west-2'].map((region) => `  - regions: [${region}]\n`);
    expect(problem(`waves:\n${four.join('')}`)).toBe(`${FILE}:5: has more than 3 waves`);
  });
});
