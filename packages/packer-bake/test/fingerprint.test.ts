import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  computeFingerprint,
  FINGERPRINT_FORMAT,
  hclVariables,
  inspectTemplate,
  jsonVariables,
  type FingerprintInput,
} from '../src/index.js';

let dir: string;

/** The fingerprint of the fixed inputs below, pinned. */
const GOLDEN = '8e4c2abd6e1b0632f0d1d1211965bf811b9303e43d370f6413b65a7fd4ebed2e';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bake-fp-'));
  mkdirSync(join(dir, 'packer', 'scripts'), { recursive: true });
  writeFileSync(
    join(dir, 'packer', 'main.pkr.hcl'),
    'variable "fingerprint" {\n  type = string\n}\nvariable "run_id" {}\n',
  );
  writeFileSync(join(dir, 'packer', 'scripts', 'install.sh'), 'echo install\n');
  writeFileSync(join(dir, 'vars.pkrvars.hcl'), 'instance_type = "t3.micro"\n');
});

async function fingerprintOf(overrides: Partial<FingerprintInput> = {}): Promise<string> {
  const template = await inspectTemplate(join(dir, 'packer'));
  return computeFingerprint({
    templateFiles: template.files,
    templateRoot: template.root,
    variables: { a: '1', b: '2' },
    varFiles: [join(dir, 'vars.pkrvars.hcl')],
    appRevision: 'abc123',
    sourceAmi: 'ami-0123456789abcdef0',
    packerVersion: '1.9.5',
    plugins: ['amazon github.com/hashicorp/amazon >= 1.2.0'],
    ...overrides,
  });
}

describe('computeFingerprint', () => {
  it('is a stable sha256 of the same inputs, whatever the variables order', async () => {
    const first = await fingerprintOf();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintOf({ variables: { b: '2', a: '1' } })).toBe(first);
  });

  it('golden: the format is pinned (a change rebakes every AMI once; bump FINGERPRINT_FORMAT if meant)', async () => {
    expect(FINGERPRINT_FORMAT).toBe('bake-ami-fingerprint-v2');
    expect(await fingerprintOf()).toBe(GOLDEN);
  });

  it('changes with any template file, variable, var-file content, app revision or build selection', async () => {
    const base = await fingerprintOf();
    const seen = new Set([base]);
    const variants: (() => Promise<string>)[] = [
      () => fingerprintOf({ variables: { a: '1', b: '3' } }),
      () => fingerprintOf({ variables: { a: '1' } }),
      () => fingerprintOf({ appRevision: 'def456' }),
      () => fingerprintOf({ appRevision: undefined }),
      () => fingerprintOf({ only: ['amazon-ebs.app'] }),
      // A patched base image, another Packer, another plugin constraint: each is a rebake.
      () => fingerprintOf({ sourceAmi: 'ami-0123456789abcdef1' }),
      () => fingerprintOf({ packerVersion: '1.11.2' }),
      () => fingerprintOf({ plugins: ['amazon github.com/hashicorp/amazon >= 1.3.0'] }),
      async () => {
        writeFileSync(join(dir, 'vars.pkrvars.hcl'), 'instance_type = "t3.large"\n');
        return fingerprintOf();
      },
      async () => {
        writeFileSync(join(dir, 'packer', 'scripts', 'install.sh'), 'echo install v2\n');
        return fingerprintOf();
      },
    ];
    for (const variant of variants) {
      const fingerprint = await variant();
      expect(seen.has(fingerprint)).toBe(false);
      seen.add(fingerprint);
    }
  });

  it('ignores hidden files, packer_cache and manifests a build writes into the template folder', async () => {
    const base = await fingerprintOf();
    mkdirSync(join(dir, 'packer', 'packer_cache'));
    writeFileSync(join(dir, 'packer', 'packer_cache', 'x'), 'cache');
    writeFileSync(join(dir, 'packer', '.terraform.lock'), 'x');
    writeFileSync(join(dir, 'packer', 'packer-manifest.json'), '{}');
    expect(await fingerprintOf()).toBe(base);
  });
});

describe('inspectTemplate', () => {
  it('lists a directory template sorted, with its variables and no plugins', async () => {
    const template = await inspectTemplate(join(dir, 'packer'));
    expect(template.kind).toBe('hcl');
    expect(template.files.map((file) => file.slice(dir.length))).toEqual([
      '/packer/main.pkr.hcl',
      '/packer/scripts/install.sh',
    ]);
    expect([...template.variables]).toEqual(['fingerprint', 'run_id']);
    expect(template.declaresPlugins).toBe(false);
  });

  it('sees required_plugins blocks but not the word in a comment', async () => {
    writeFileSync(
      join(dir, 'packer', 'plugins.pkr.hcl'),
      '# needs required_plugins { }\npacker {\n  required_plugins {\n  }\n}\n',
    );
    expect((await inspectTemplate(join(dir, 'packer'))).declaresPlugins).toBe(true);
    writeFileSync(join(dir, 'packer', 'plugins.pkr.hcl'), '# Packer 1.6 cannot parse `required_plugins`\n');
    expect((await inspectTemplate(join(dir, 'packer'))).declaresPlugins).toBe(false);
  });

  it('reads variables of HCL and JSON templates', () => {
    expect(hclVariables('variable "a" {\n}\n  variable "b_c" {}\nlocals { x = "variable \\"no\\" {" }')).toEqual([
      'a',
      'b_c',
    ]);
    expect(jsonVariables('{"variables": {"fingerprint": "", "run_id": ""}, "builders": []}')).toEqual([
      'fingerprint',
      'run_id',
    ]);
    expect(jsonVariables('{"variable": {"region": {}}}')).toEqual(['region']);
    expect(jsonVariables('not json')).toEqual([]);
  });

  it('fails clearly on a missing template', async () => {
    await expect(inspectTemplate(join(dir, 'nope'))).rejects.toThrow(
      /^'template' names '.*nope', which does not exist$/,
    );
  });
});
