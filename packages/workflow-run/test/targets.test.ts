import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@img-mgr/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAmi, planTargets } from '../src/index.js';

let workspace: string;
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'img-mgr-targets-'));
  mkdirSync(join(workspace, 'deploy'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  writeFileSync(join(workspace, 'deploy', name), text);
  return `deploy/${name}`;
};
const request = (path: string) => ({ file: path, awsRegion: 'us-west-2', environment: 'dev', workspace });

async function refusal(path: string): Promise<string> {
  const error = await planTargets(request(path)).catch((thrown: unknown) => thrown);
  if (!(error instanceof InputError)) throw new Error(`not an InputError: ${String(error)}`);
  return error.message;
}

describe('plan-targets: the targets file as the wave jobs read it', () => {
  it('without a file: aws-region alone in wave 1, in the environment; no copy, the other waves empty', async () => {
    expect(await planTargets(request(''))).toEqual({
      home: 'us-west-2',
      copyRegions: '[]',
      regions: '["us-west-2"]',
      waveCount: 1,
      waves: [
        { regions: '["us-west-2"]', environment: 'dev' },
        { regions: '[]', environment: '' },
        { regions: '[]', environment: '' },
      ],
    });
  });

  it('a file: aws-region as wave 1, the others as JSON matrices of waves 2 and 3, with environments', async () => {
    const path = file(
      'ok.yml',
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1, ap-south-1]\n    environment: prod\n',
    );
    const planned = await planTargets(request(path));
    expect(planned.copyRegions).toBe('["eu-west-1","ap-south-1"]');
    expect(planned.waves[1]).toEqual({ regions: '["eu-west-1","ap-south-1"]', environment: 'prod' });
  });

  it('refuses in one line naming targets: a bad file, another home, a wave 1 of two regions, a bad path', async () => {
    expect(await refusal(file('empty.yml', 'waves:\n  - regions: [us-west-2]\n  - regions: []\n'))).toBe(
      "Input 'targets' is not usable: deploy/empty.yml:3: wave 2 is empty (it lists no region)",
    );
    expect(await refusal(file('home.yml', 'waves:\n  - regions: [eu-west-1]\n'))).toMatch(
      /^Input 'targets' is not usable: deploy\/home\.yml starts with eu-west-1, but aws-region is us-west-2/,
    );
    expect(await refusal(file('wide.yml', 'waves:\n  - regions: [us-west-2, eu-west-1]\n'))).toMatch(
      /wave 1 of deploy\/wide\.yml lists 2 regions; in the reusable workflow wave 1 is aws-region alone/,
    );
    expect(await refusal('deploy/missing.yml')).toBe(
      "Input 'targets' names deploy/missing.yml, which cannot be read in the caller's repository (ENOENT).",
    );
    expect(await refusal('../outside.yml')).toMatch(/^Input 'targets' has '..\/outside.yml', which is not a path/);
  });
});

describe('copy-ami', () => {
  it('copies nothing for no region, and refuses copy-regions that are not a JSON array of regions', async () => {
    const context = { signal: new AbortController().signal } as never;
    const base = { amiId: 'ami-0123456789abcdef0', region: 'us-west-2', fingerprint: 'f', timeoutMs: 1_000 };
    expect(await copyAmi({ ...base, copyRegions: '[]' }, context)).toBe('{}');
    await expect(copyAmi({ ...base, copyRegions: 'eu-west-1' }, context)).rejects.toThrow(
      "Input 'copy-regions' must be a JSON array of regions (plan-targets gives it).",
    );
  });
});
