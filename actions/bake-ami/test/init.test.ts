// @needs-tools moto_server packer
/**
 * `packer init` needs Packer 1.7+, which this machine does not have (Debian's
 * 1.6.6). A stand-in `packer` script that answers like 1.9.5 and records its
 * arguments and PACKER_GITHUB_API_TOKEN shows what bake-ami runs and passes.
 * (The real-Packer behaviour is covered in bake.test.ts.)
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let moto: Moto;
let dir: string;
let calls: string;

const FAKE_PACKER = `#!/bin/sh
echo "$1 token=\${PACKER_GITHUB_API_TOKEN:-none}" >> "$FAKE_PACKER_CALLS"
case "$1" in
  version) echo "Packer v1.9.5" ;;
  init) echo "Installed plugin github.com/hashicorp/amazon v1.2.0" ;;
  validate) echo "1,,ui,say,The configuration is valid." ;;
  build)
    echo "1,,ui,say,==> amazon-ebs.app: Creating AMI"
    echo "1,amazon-ebs.app,artifact-count,1"
    echo "1,amazon-ebs.app,artifact,0,builder-id,mitchellh.amazonebs"
    echo "1,amazon-ebs.app,artifact,0,id,us-east-1:ami-0123456789abcdef0"
    echo "1,amazon-ebs.app,artifact,0,end" ;;
esac
`;

beforeAll(async () => {
  moto = await startMoto();
  dir = mkdtempSync(join(tmpdir(), 'bake-init-'));
  writeFileSync(join(dir, 'packer'), FAKE_PACKER);
  chmodSync(join(dir, 'packer'), 0o755);
  writeFileSync(
    join(dir, 'template.pkr.hcl'),
    'packer {\n  required_plugins {\n    amazon = {\n      version = ">= 1.2.0"\n' +
      '      source  = "github.com/hashicorp/amazon"\n    }\n  }\n}\n' +
      'variable "fingerprint" {}\nvariable "run_id" {}\n',
  );
  calls = join(dir, 'calls.log');
});

afterAll(async () => {
  await moto.stop();
});

function bake(inputs: Record<string, string>) {
  writeFileSync(calls, '');
  return runBundledAction('bake-ami', {
    inputs: { template: join(dir, 'template.pkr.hcl'), 'github-token': 'ghs_secrettoken123', ...inputs },
    env: { ...moto.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, FAKE_PACKER_CALLS: calls },
  });
}

describe('packer init', { timeout: 30_000 }, () => {
  it('runs init with the workflow token as PACKER_GITHUB_API_TOKEN if the template has plugins; masked', async () => {
    const run = await bake({});
    expect(run.errors).toEqual([]);
    expect(run.outputs['ami-id']).toBe('ami-0123456789abcdef0');
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toEqual([
      'version token=none',
      'init token=ghs_secrettoken123',
      'validate token=none',
      'build token=none',
    ]);
    expect(run.log).toContain('::add-mask::ghs_secrettoken123');
    expect(run.log.split('\n').filter((line) => line.includes('ghs_secrettoken123'))).toEqual([
      '::add-mask::ghs_secrettoken123',
    ]);
  });

  it('skips init when turned off, and says so', async () => {
    const run = await bake({ init: 'false', force: 'true' });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(calls, 'utf8')).not.toContain('init');
    expect(run.log).toContain("Skipping packer init: turned off by 'init: false'");
  });
});
