import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogFolds } from '../src/folds.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function capture(body: () => void): string[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  body();
  vi.restoreAllMocks();
  return written.join('').split('\n').filter(Boolean);
}

describe('LogFolds', () => {
  it('folds UI lines per build, reopening a group when parallel builds interleave', () => {
    const lines = capture(() => {
      const folds = new LogFolds();
      folds.line({ level: 'say', text: '==> amazon-ebs.app: Launching', build: 'amazon-ebs.app' });
      folds.line({ level: 'say', text: '==> amazon-ebs.web: Launching', build: 'amazon-ebs.web' });
      folds.line({ level: 'message', text: '    amazon-ebs.web: Instance ID: i-1', build: 'amazon-ebs.web' });
      folds.line({ level: 'say', text: '==> amazon-ebs.app: Done', build: 'amazon-ebs.app' });
      folds.line({ level: 'say', text: 'Wait completed' });
      folds.close();
    });
    expect(lines).toEqual([
      '::group::Packer build amazon-ebs.app',
      '==> amazon-ebs.app: Launching',
      '::endgroup::',
      '::group::Packer build amazon-ebs.web',
      '==> amazon-ebs.web: Launching',
      '    amazon-ebs.web: Instance ID: i-1',
      '::endgroup::',
      '::group::Packer build amazon-ebs.app (continued)',
      '==> amazon-ebs.app: Done',
      'Wait completed',
      '::endgroup::',
    ]);
  });

  it('keeps a UI line from being read as a workflow command', () => {
    const lines = capture(() => new LogFolds().line({ level: 'say', text: '::set-env name=X::y' }));
    expect(lines).toEqual([' ::set-env name=X::y']);
  });
});
