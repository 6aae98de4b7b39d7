/**
 * Code and comments say why, not which ticket: a reader of this repository has no issue tracker
 * to look a ticket number up in. Commit messages may name issues; tracked sources may not.
 * Upstream references stay (`hashicorp/packer-plugin-amazon issues 586`, `packer#881`): they
 * name another project's public thread.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers.js';

const SOURCES = ['*.ts', '*.mjs', '*.sh', '*.yml', '*.yaml', '*.hcl', '*.py', '*.md'];
/** The word issue or issues, a space and a number (with or without a dotted part); not "line 2, item 3". */
const OUR_ISSUE = /\bissues? \d+(\.\d+)?\b/i;
/** A line that names another project's issue: its owner/name comes right before. */
const UPSTREAM = /[\w.-]+\/[\w.-]+\s+issues? \d+/i;

describe('no issue numbers in code or comments', () => {
  it('no tracked source names one of our issues by number', () => {
    const files = execFileSync('git', ['ls-files', '-z', '--', ...SOURCES], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && !file.includes('/dist/') && file !== 'CHANGELOG.md');
    const found: string[] = [];
    for (const file of files) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (OUR_ISSUE.test(line) && !UPSTREAM.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
