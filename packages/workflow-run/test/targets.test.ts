import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { InputError, silentLogger, type ClientFactory, type Context } from '@img-mgr/kernel';
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
        { regions: '["us-west-2"]', environment: 'dev', role: '', smokeUrls: '{}', parameterFiles: '{}' },
        { regions: '[]', environment: '', role: '', smokeUrls: '{}', parameterFiles: '{}' },
        { regions: '[]', environment: '', role: '', smokeUrls: '{}', parameterFiles: '{}' },
      ],
    });
  });

  it("a file: waves 2 and 3 as JSON matrices with environment (else the workflow's), role, smoke URLs", async () => {
    const role = 'arn:aws:iam::123456789012:role/prod-deploy';
    const path = file(
      'ok.yml',
      [
        'waves:',
        '  - regions: [us-west-2]',
        '  - regions: [eu-west-1, ap-south-1]',
        '    environment: prod',
        `    role-to-assume: ${role}`,
        '    smoke-urls: { ap-south-1: https://ap.example.com/ }',
        '  - regions: [eu-central-1]',
      ].join('\n'),
    );
    const planned = await planTargets(request(path));
    expect(planned.copyRegions).toBe('["eu-west-1","ap-south-1","eu-central-1"]');
    expect(planned.waves).toEqual([
      { regions: '["us-west-2"]', environment: 'dev', role: '', smokeUrls: '{}', parameterFiles: '{}' },
      {
        regions: '["eu-west-1","ap-south-1"]',
        environment: 'prod',
        role,
        smokeUrls: '{"ap-south-1":"https://ap.example.com/"}',
        parameterFiles: '{}',
      },
      // No environment named: the workflow's, where its role-to-assume (role '') is trusted.
      { regions: '["eu-central-1"]', environment: 'dev', role: '', smokeUrls: '{}', parameterFiles: '{}' },
    ]);
    // A workflow with no environment leaves an unnamed one empty.
    const plain = file('plain.yml', 'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n');
    expect((await planTargets({ ...request(plain), environment: '' })).waves[1]?.environment).toBe('');
  });

  it("refuses a later wave in another environment with no role: the workflow's role is not trusted there", async () => {
    expect(
      await refusal(
        file('norole.yml', 'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    environment: prod\n'),
      ),
    ).toBe(
      "Input 'targets' is not usable: wave 2 of deploy/norole.yml runs in the environment prod, not the workflow's " +
        "'dev', with no role-to-assume; the workflow's role-to-assume trusts only its own environment: " +
        'give wave 2 the role of prod',
    );
    // The workflow's own environment needs no role of its own.
    const same = file('same.yml', 'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    environment: dev\n');
    expect((await planTargets(request(same))).waves[1]).toMatchObject({ environment: 'dev', role: '' });
  });

  it('refuses a role-to-assume or smoke-urls on wave 1: it uses the role-to-assume and smoke-url inputs', async () => {
    const role = 'arn:aws:iam::123456789012:role/dev-deploy';
    expect(await refusal(file('role1.yml', `waves:\n  - regions: [us-west-2]\n    role-to-assume: ${role}\n`))).toBe(
      "Input 'targets' is not usable: wave 1 of deploy/role1.yml names a role-to-assume; in the reusable workflow " +
        'wave 1 assumes the role-to-assume input (remove it from wave 1)',
    );
    expect(
      await refusal(
        file('smoke1.yml', 'waves:\n  - regions: [us-west-2]\n    smoke-urls: { us-west-2: https://a.example.com/ }\n'),
      ),
    ).toBe(
      "Input 'targets' is not usable: wave 1 of deploy/smoke1.yml has smoke-urls; in the reusable workflow wave 1 " +
        'is smoke-tested through the smoke-url input (remove them from wave 1)',
    );
  });

  it('refuses parameter-files on wave 1, and a parameter file that is not in the repository', async () => {
    expect(
      await refusal(
        file('files1.yml', 'waves:\n  - regions: [us-west-2]\n    parameter-files: { us-west-2: a.json }\n'),
      ),
    ).toBe(
      "Input 'targets' is not usable: wave 1 of deploy/files1.yml has parameter-files; in the reusable workflow " +
        'wave 1 deploys with the parameter-file input (remove them from wave 1)',
    );
    const missing =
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    parameter-files: { eu-west-1: eu.json }\n';
    expect(await refusal(file('files2.yml', missing))).toBe(
      "Input 'targets' is not usable: wave 2 of deploy/files2.yml gives eu-west-1 the parameter file eu.json, " +
        "which is not in the caller's repository",
    );
    writeFileSync(join(workspace, 'eu.json'), '{}');
    const planned = await planTargets(request('deploy/files2.yml'));
    expect(planned.waves[1]?.parameterFiles).toBe('{"eu-west-1":"eu.json"}');
  });

  it('checks what later waves reuse elsewhere before wave 1: template, launch key, roles, file contents', async () => {
    const two = file('two.yml', 'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n');
    const refusedWith = async (extra: Partial<ReturnType<typeof request>> & Record<string, string>) => {
      const error = await planTargets({ ...request(two), ...extra }).catch((thrown: unknown) => thrown);
      if (!(error instanceof InputError)) throw new Error(`not an InputError: ${String(error)}`);
      return error.message;
    };
    expect(await refusedWith({ template: 's3://bucket/app.yaml' })).toBe(
      "Input 'template' is a URL, which names one region's bucket, but deploy/two.yml rolls out to other regions " +
        "too: use a template file in the caller's repository (or img-mgr's, the default)",
    );
    expect(await refusedWith({ launchKmsKey: 'arn:aws:kms:us-west-2:123456789012:key/abc' })).toMatch(
      /^Input 'launch-kms-key' names one region's key, but deploy\/two\.yml rolls out to other regions too: use alias/,
    );
    const planned = await planTargets({ ...request(two), launchKmsKey: 'alias/img-mgr', template: 'app.yaml' });
    expect(planned.waveCount).toBe(2);
    const other = file(
      'account.yml',
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    environment: prod\n' +
        '    role-to-assume: arn:aws:iam::210987654321:role/prod-deploy\n',
    );
    const error = await planTargets({
      ...request(other),
      roleToAssume: 'arn:aws:iam::123456789012:role/dev-deploy',
    }).catch((thrown: unknown) => thrown);
    expect(String((error as Error).message)).toBe(
      "Input 'targets' is not usable: wave 2 of deploy/account.yml assumes a role of account 210987654321, not " +
        "123456789012 (role-to-assume's): the AMI copies, the parameter and the CloudFormation role are that account's",
    );
    writeFileSync(join(workspace, 'bad.json'), '{"Network": ');
    const broken =
      'waves:\n  - regions: [us-west-2]\n  - regions: [eu-west-1]\n    parameter-files: { eu-west-1: bad.json }\n';
    expect(await refusal(file('broken.yml', broken))).toMatch(
      new RegExp(
        "^Input 'targets' is not usable: wave 2 of deploy/broken\\.yml gives eu-west-1 the parameter file " +
          'bad\\.json, which is not a parameter file: ',
      ),
    );
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

  it('refuses an element of copy-regions that is not an AWS region, in one line naming the input', async () => {
    const context = { signal: new AbortController().signal, env: {} } as never;
    const base = { amiId: 'ami-0123456789abcdef0', region: 'us-west-2', fingerprint: 'f', timeoutMs: 1_000 };
    await expect(copyAmi({ ...base, copyRegions: '["eu-west-1","eu west 1"]' }, context)).rejects.toThrow(
      "Input 'copy-regions' holds 'eu west 1', which is not an AWS region name such as us-east-1",
    );
    await expect(copyAmi({ ...base, copyRegions: '["xx-nowhere-9"]' }, context)).rejects.toThrow(
      /^Input 'copy-regions' holds 'xx-nowhere-9', which is not a known AWS region/,
    );
  });

  it('SDK mock (moto grants every call): a source AMI the role may not read names ami-id', async () => {
    const clients: ClientFactory = {
      get(_Client, region) {
        const client = new EC2Client({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
        client.send = (() =>
          Promise.reject(
            Object.assign(new Error('You are not authorized to perform this operation.'), {
              name: 'UnauthorizedOperation',
              $metadata: { httpStatusCode: 403 },
            }),
          )) as never;
        return client as never;
      },
    };
    const context: Context = { log: silentLogger, signal: new AbortController().signal, env: {}, clients };
    const request = {
      amiId: 'ami-0123456789abcdef0',
      region: 'us-west-2',
      fingerprint: 'f',
      copyRegions: '["eu-west-1"]',
      timeoutMs: 1_000,
    };
    const error: unknown = await copyAmi(request, context).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      "Input 'ami-id' names ami-0123456789abcdef0, which cannot be read in us-west-2: " +
        'UnauthorizedOperation: You are not authorized to perform this operation.',
    );
  });
});
