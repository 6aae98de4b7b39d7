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
      `${FILE}:3: wave 1 has an unknown key 'region' (a wave has: regions, environment)`,
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
        { regions: '["us-west-2"]', environment: '' },
        { regions: '["eu-west-1","ap-south-1"]', environment: 'prod' },
        { regions: '[]', environment: '' },
      ],
    });
    expect(MAX_WAVES).toBe(3);
    expect(workflowTargets(singleRegion('eu-west-1', 'dev')).waves[0]).toEqual({
      regions: '["eu-west-1"]',
      environment: 'dev',
    });
    const four = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-west-2'].map((region) => `  - regions: [${region}]\n`);
    expect(problem(`waves:\n${four.join('')}`)).toBe(`${FILE}:5: has more than 3 waves`);
  });
});
