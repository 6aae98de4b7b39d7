// @needs-tools cfn-lint shellcheck
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolPath } from '@img-mgr/testbed';
import { packerDir, root, runTool, templates } from './helpers.js';

describe('static checks', () => {
  it('finds the five templates', () => {
    expect(
      templates()
        .map((path) => path.slice(root.length + 1))
        .sort(),
    ).toEqual([
      'cloudformation/github-bake-role.yaml',
      'cloudformation/github-deploy-role.yaml',
      'cloudformation/github-plan-role.yaml',
      'cloudformation/img-mgr.yaml',
      'cloudformation/vpc.yaml',
    ]);
  });

  it.each(templates().map((path) => [path.slice(root.length + 1), path]))(
    'cfn-lint reports nothing on %s',
    async (_name, path) => {
      const run = await runTool(toolPath('cfn-lint'), ['--', path]);
      expect(run.stdout + run.stderr).toBe('');
      expect(run.code).toBe(0);
    },
  );

  it.each(['install_my_app.sh', 'configure_app.sh', 'health-check.sh'])(
    'shellcheck is clean on packer/%s, which is bash with set -euo pipefail',
    async (name) => {
      const run = await runTool(toolPath('shellcheck'), [join(packerDir, name)]);
      expect(run.stdout + run.stderr).toBe('');
      expect(run.code).toBe(0);
      const text = readFileSync(join(packerDir, name), 'utf8');
      expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
      expect(text).toMatch(/^set -euo pipefail$/m);
    },
  );

  it('install_my_app.sh changes the app only through configure_app.sh (its one sed edits the stock nginx.conf)', () => {
    const text = readFileSync(join(packerDir, 'install_my_app.sh'), 'utf8');
    expect(text).not.toMatch(/app\.py/);
    const edits = text.split('\n').filter((line) => /\bsed\b.*-i\b/.test(line));
    expect(edits).toHaveLength(1);
    expect(edits[0]).toContain('"$conf"');
    expect(text).toMatch(/local conf="\$root\/etc\/nginx\/nginx\.conf"/);
  });

  it("pins the Amazon plugin to an exact version that the workflow's Packer can install from GitHub releases", () => {
    const plugins = readFileSync(join(packerDir, 'plugins.pkr.hcl'), 'utf8');
    const pinned = /version\s*=\s*"= (\d+)\.(\d+)\.(\d+)"/.exec(plugins);
    expect(pinned, 'an exact "= x.y.z" constraint').not.toBeNull();
    const workflow = readFileSync(join(root, '.github/workflows/bake-and-deploy.yml'), 'utf8');
    const packerVersion = /packer-version:[\s\S]*?default:\s*"?(\d+)\.(\d+)\.(\d+)/.exec(workflow);
    const [major, minor] = [Number(packerVersion?.[1]), Number(packerVersion?.[2])];
    // Packer before 1.14 installs plugins from GitHub releases, where v1.3.9 is the last
    // amazon plugin release with its SHA256SUMS file (packer-plugin-amazon#586, #598).
    if (major === 1 && minor < 14) {
      const [pMajor, pMinor, pPatch] = [Number(pinned?.[1]), Number(pinned?.[2]), Number(pinned?.[3])];
      expect(pMajor * 10_000 + pMinor * 100 + pPatch).toBeLessThanOrEqual(10_309);
    }
  });
});
