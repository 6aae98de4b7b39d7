import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolPath } from '@img-mgr/testbed';
import { packerDir, root, runTool, templates } from './helpers.js';

describe('static checks', () => {
  it('finds the four templates', () => {
    expect(templates().map((path) => path.slice(root.length + 1)).sort()).toEqual([
      'cloudformation/github-oidc.yaml',
      'cloudformation/github-plan-role.yaml',
      'cloudformation/img-mgr.yaml',
      'cloudformation/vpc.yaml',
    ]);
  });

  it.each(templates().map((path) => [path.slice(root.length + 1), path]))('cfn-lint reports nothing on %s', async (_name, path) => {
    const run = await runTool(toolPath('cfn-lint'), ['--', path]);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('shellcheck is clean on install_my_app.sh', async () => {
    const run = await runTool(toolPath('shellcheck'), [join(packerDir, 'install_my_app.sh')]);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('install_my_app.sh is bash with set -euo pipefail and edits no app code', () => {
    const text = readFileSync(join(packerDir, 'install_my_app.sh'), 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(text).not.toMatch(/\bsed -i\b/);
  });
});
