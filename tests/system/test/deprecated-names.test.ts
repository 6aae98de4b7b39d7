/**
 * The bake role's template was github-oidc.yaml; it is github-bake-role.yaml now. The old name keeps
 * working for one release as an exact copy under a deprecation note, so a deploy command or script
 * written against it deploys the same role.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cfnDir, DEPRECATED_TEMPLATES, root } from './helpers.js';

const read = (path: string): string => readFileSync(join(cfnDir, path), 'utf8');

describe('deprecated names', () => {
  it('github-oidc.yaml is a deprecation note followed by github-bake-role.yaml, byte for byte', () => {
    const current = read('github-bake-role.yaml');
    const old = read('github-oidc.yaml');
    const note = old.slice(0, old.length - current.length);
    expect(old.endsWith(current)).toBe(true);
    expect(note).toMatch(/^# DEPRECATED NAME, removed in the next major release: use github-bake-role\.yaml/);
    expect(note.split('\n').every((line) => line === '' || line.startsWith('#'))).toBe(true);
    expect(DEPRECATED_TEMPLATES).toEqual(['github-oidc.yaml']);
  });

  it('parameters/github-oidc.json is github-bake-role.json', () => {
    expect(read('parameters/github-oidc.json')).toBe(read('parameters/github-bake-role.json'));
  });

  it('scripts/deprecated-names.mjs --check agrees, so regenerating the copies changes nothing', async () => {
    const run = await promisify(execFile)(process.execPath, ['scripts/deprecated-names.mjs', '--check'], { cwd: root });
    expect(run.stderr).toBe('');
  });
});
