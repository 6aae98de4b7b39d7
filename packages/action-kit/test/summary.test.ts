import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cell, group, jobSummary } from '../src/index.js';

describe('jobSummary', () => {
  let file: string;
  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
  });
  afterEach(() => {
    delete process.env.GITHUB_STEP_SUMMARY;
  });

  it('appends a heading and a table to the real summary file', async () => {
    await jobSummary()
      .heading('Deploy')
      .table(['Stack', 'Status'], [['img-mgr', cell('UPDATE_COMPLETE')]])
      .write();
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('<h2>Deploy</h2>');
    expect(written).toContain('<th>Stack</th>');
    expect(written).toContain('<td>UPDATE_COMPLETE</td>');
  });

  it('escapes cells', () => {
    expect(cell('<a|b>')).toBe('&lt;a&#124;b&gt;');
  });
});

describe('group', () => {
  it('returns the body result and closes the group when the body throws', async () => {
    expect(await group('ok', () => Promise.resolve(5))).toBe(5);
    await expect(group('fails', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
