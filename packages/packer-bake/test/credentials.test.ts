import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hasUrlCredentials,
  urlCredentialsProblem,
  varFileWithUrlCredentials,
  variableWithUrlCredentials,
} from '../src/credentials.js';

describe('URLs with credentials', () => {
  it.each([
    ['https://x-access-token:ghp_abcdef123456@github.com/me/app.git', true],
    ['https://ghp_abcdef123456@github.com/me/app.git', true],
    ['git+https://user:pw@example.com/repo', true],
    ['https://github.com/me/app.git', false],
    ['https://github.com/me/app@v1', false],
    ['git@github.com:me/app.git', false],
    ['prod', false],
  ])('%s: %s', (value, expected) => {
    expect(hasUrlCredentials(value)).toBe(expected);
  });

  it('names the variable, never its value', () => {
    const name = variableWithUrlCredentials({
      flask_ref: 'master',
      flask_repo: 'https://x-access-token:ghp_abcdef123456@github.com/me/app.git',
    });
    expect(name).toBe('flask_repo');
    const problem = urlCredentialsProblem(name ?? '');
    expect(problem).toContain("'flask_repo'");
    expect(problem).not.toMatch(/ghp_|x-access-token|github\.com/);
  });

  it('finds a var file that holds such a URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'varfiles-'));
    writeFileSync(join(dir, 'clean.pkrvars.hcl'), 'flask_repo = "https://github.com/me/app.git"\n');
    writeFileSync(
      join(dir, 'token.pkrvars.hcl'),
      'flask_repo = "https://x-access-token:ghp_abc123@github.com/me/app.git"\n',
    );
    expect(await varFileWithUrlCredentials([join(dir, 'clean.pkrvars.hcl')])).toBeUndefined();
    expect(
      await varFileWithUrlCredentials([
        join(dir, 'clean.pkrvars.hcl'),
        join(dir, 'token.pkrvars.hcl'),
        join(dir, 'missing.hcl'),
      ]),
    ).toBe(join(dir, 'token.pkrvars.hcl'));
  });
});
