/** The revision file's parser: what the smoke test accepts at /static/img-mgr.json, and nothing else. */
import { describe, expect, it } from 'vitest';
import { formatRevisionFile, parseRevisionFile, RevisionFileError } from '../src/index.js';

const REV = '0123456789abcdef0123456789abcdef01234567';

describe('parseRevisionFile', () => {
  it.each([
    ['the app revision alone', { appRevision: REV }],
    ['with a fingerprint', { appRevision: REV, fingerprint: 'sha256:abc' }],
    ['with the AMI id written at boot', { appRevision: REV, fingerprint: 'f', amiId: 'ami-0123456789abcdef0' }],
    ['an 8-digit AMI id', { appRevision: 'v1', amiId: 'ami-01234567' }],
  ])('accepts %s', (_name, file) => {
    expect(parseRevisionFile(JSON.stringify(file))).toEqual(file);
  });

  it.each([
    ['not JSON', '<html>Not Found</html>', 'the revision file is not JSON'],
    ['an array', '[]', 'the revision file is not a JSON object'],
    ['null', 'null', 'the revision file is not a JSON object'],
    ['no appRevision', '{"fingerprint":"f"}', "the revision file has no 'appRevision'"],
    [
      'an empty appRevision',
      '{"appRevision":""}',
      "the revision file's 'appRevision' is not 1 to 200 printable characters without blanks",
    ],
    [
      'a number for a revision',
      '{"appRevision":7}',
      "the revision file's 'appRevision' is not 1 to 200 printable characters without blanks",
    ],
    [
      'a revision with a line break',
      JSON.stringify({ appRevision: 'a\nb' }),
      "the revision file's 'appRevision' is not 1 to 200 printable characters without blanks",
    ],
    [
      'a fingerprint too long',
      JSON.stringify({ appRevision: 'a', fingerprint: 'f'.repeat(201) }),
      "the revision file's 'fingerprint' is not 1 to 200 printable characters without blanks",
    ],
    [
      'an AMI id that is not one',
      JSON.stringify({ appRevision: 'a', amiId: 'ami-XYZ' }),
      "the revision file's 'amiId' is not an AMI id (ami- and 8 or 17 hex digits)",
    ],
    [
      'a field of its own (never repeated beyond its name)',
      JSON.stringify({ appRevision: 'a', url: 'https://x/?X-Amz-Signature=s' }),
      'the revision file has a field it may not have: "url" (only appRevision, fingerprint, amiId)',
    ],
    [
      'more than 4 KiB',
      JSON.stringify({ appRevision: 'a', pad: ' '.repeat(5000) }),
      'the revision file is larger than 4096 bytes',
    ],
  ])('refuses %s with one line', (_name, text, message) => {
    let thrown: unknown;
    try {
      parseRevisionFile(text);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RevisionFileError);
    expect((thrown as Error).message).toBe(message);
  });

  it('formatRevisionFile writes what the parser reads back, and refuses what it would refuse', () => {
    const file = { appRevision: REV, fingerprint: 'fp' };
    const text = formatRevisionFile(file);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseRevisionFile(text)).toEqual(file);
    expect(() => formatRevisionFile({ appRevision: 'has blank' })).toThrow(RevisionFileError);
  });
});
