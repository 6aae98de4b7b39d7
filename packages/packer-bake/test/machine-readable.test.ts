import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArtifactCollector,
  buildOfUiText,
  LineSplitter,
  MachineReadableParser,
  mergeAmis,
  parseAmiArtifactId,
  parseRecord,
  unescapeField,
  type BuildResult,
  type PackerArtifact,
  type UiLine,
} from '../src/index.js';

/** Outputs recorded from Packer 1.6.6 building the test template against moto. */
function recording(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', 'recordings', `${name}.txt`), 'utf8');
}

interface Parsed {
  ui: UiLine[];
  artifacts: PackerArtifact[];
  builds: BuildResult[];
  buildErrors: string[];
  plain: string[];
}

/** Feeds `text` to a parser in chunks of `chunkSize` characters (0: one chunk). */
function parse(text: string, chunkSize = 0): Parsed {
  const result: Parsed = { ui: [], artifacts: [], builds: [], buildErrors: [], plain: [] };
  const collector = new ArtifactCollector();
  const parser = new MachineReadableParser({
    onUi: (line) => result.ui.push(line),
    onArtifact: (artifact) => {
      result.artifacts.push(artifact);
      collector.add(artifact);
    },
    onBuildError: (build, message) => result.buildErrors.push(`${build}: ${message}`),
    onPlainLine: (line) => result.plain.push(line),
  });
  if (chunkSize <= 0) parser.push(text);
  else for (let at = 0; at < text.length; at += chunkSize) parser.push(text.slice(at, at + chunkSize));
  parser.end();
  result.builds = collector.results();
  return result;
}

describe('machine-readable records', () => {
  it('unescapes %!(PACKER_COMMA), \\n and \\r in data fields', () => {
    expect(unescapeField('No volumes to clean up%!(PACKER_COMMA) skipping')).toBe('No volumes to clean up, skipping');
    expect(unescapeField('AMIs were created:\\nus-east-1: ami-1\\r\\n')).toBe(
      'AMIs were created:\nus-east-1: ami-1\r\n',
    );
  });

  it('splits timestamp, target, type and data, keeping escaped commas inside one field', () => {
    expect(
      parseRecord('1795322328,amazon-ebs.app,artifact,0,id,us-east-1:ami-a%!(PACKER_COMMA)us-west-2:ami-b'),
    ).toEqual({
      timestamp: 1795322328,
      target: 'amazon-ebs.app',
      type: 'artifact',
      data: ['0', 'id', 'us-east-1:ami-a,us-west-2:ami-b'],
    });
    expect(parseRecord('==> not a record')).toBeUndefined();
    expect(parseRecord('12,x')).toBeUndefined();
  });

  it('names the build a UI line belongs to', () => {
    expect(buildOfUiText('==> amazon-ebs.app: Launching a source AWS instance...')).toBe('amazon-ebs.app');
    expect(buildOfUiText('    amazon-ebs.web: Instance ID: i-1')).toBe('amazon-ebs.web');
    expect(buildOfUiText('--> amazon-ebs.app: AMIs were created:')).toBe('amazon-ebs.app');
    expect(buildOfUiText("Build 'amazon-ebs.app' finished after 1 second.")).toBe('amazon-ebs.app');
    expect(buildOfUiText('==> Wait completed after 691 milliseconds')).toBeUndefined();
    expect(buildOfUiText('Error: Undefined -var variable')).toBeUndefined();
  });

  it('parses AMI artifact ids with one or several regions, and rejects others', () => {
    expect(parseAmiArtifactId('us-east-1:ami-0123456789abcdef0')).toEqual({ 'us-east-1': 'ami-0123456789abcdef0' });
    expect(parseAmiArtifactId('us-east-1:ami-a1,us-west-2:ami-b2')).toEqual({
      'us-east-1': 'ami-a1',
      'us-west-2': 'ami-b2',
    });
    expect(parseAmiArtifactId('us-gov-west-1:ami-c3')).toEqual({ 'us-gov-west-1': 'ami-c3' });
    expect(parseAmiArtifactId('packer-manifest.json')).toBeUndefined();
    expect(parseAmiArtifactId('us-east-1:ami-a1,garbage')).toBeUndefined();
  });
});

describe('parser on recorded Packer 1.6.6 output', () => {
  it('multi-region build: one build, the AMI of every region, escaped newlines expanded', () => {
    const parsed = parse(recording('multi-region'));
    expect(parsed.builds).toEqual([
      {
        name: 'amazon-ebs.app',
        builderId: 'mitchellh.amazonebs',
        artifactId: 'eu-west-1:ami-e9134a2a2131017fe,us-east-1:ami-1beebbc7eaaccd399,us-west-2:ami-f894aabbd5a5c92da',
        amis: {
          'eu-west-1': 'ami-e9134a2a2131017fe',
          'us-east-1': 'ami-1beebbc7eaaccd399',
          'us-west-2': 'ami-f894aabbd5a5c92da',
        },
      },
    ]);
    expect(parsed.artifacts[0]?.string).toBe(
      'AMIs were created:\neu-west-1: ami-e9134a2a2131017fe\n' +
        'us-east-1: ami-1beebbc7eaaccd399\nus-west-2: ami-f894aabbd5a5c92da\n',
    );
    const texts = parsed.ui.map((line) => line.text);
    expect(texts).toContain('==> amazon-ebs.app: No volumes to clean up, skipping');
    // The artifact's UI record spans lines; each is a line of its own, of the same build.
    expect(parsed.ui).toContainEqual({
      level: 'say',
      text: 'us-west-2: ami-f894aabbd5a5c92da',
      build: 'amazon-ebs.app',
    });
    expect(texts.some((text) => text.includes('\\n') || text.includes('PACKER_COMMA'))).toBe(false);
    expect(parsed.plain).toEqual([]);
  });

  it('two parallel builds: both AMIs, every build line attributed to its build', () => {
    const parsed = parse(recording('two-builds'));
    expect(parsed.builds.map((build) => [build.name, build.amis])).toEqual([
      ['amazon-ebs.app', { 'us-east-1': 'ami-e0dbefc6f0294f4ff' }],
      ['amazon-ebs.web', { 'us-east-1': 'ami-26796f87fdbcaa275' }],
    ]);
    expect(mergeAmis(parsed.builds)).toEqual({ 'us-east-1': 'ami-e0dbefc6f0294f4ff' });
    const web = parsed.ui.filter((line) => line.build === 'amazon-ebs.web').map((line) => line.text);
    expect(web).toContain('    amazon-ebs.web: Instance ID: i-b97713e49d97bc984');
    expect(web.some((text) => text.includes('amazon-ebs.app'))).toBe(false);
    expect(web).toContain('us-east-1: ami-26796f87fdbcaa275');
  });

  it('failed build: the build error record and error lines, no artifacts', () => {
    const parsed = parse(recording('failure'));
    expect(parsed.builds).toEqual([]);
    expect(parsed.buildErrors).toHaveLength(1);
    expect(parsed.buildErrors[0]).toMatch(
      /^amazon-ebs\.app: No AMI was found matching filters: \{\n {2}Filters: \[\{\n/,
    );
    expect(parsed.buildErrors[0]).toContain('Name: "virtualization-type",');
    const errors = parsed.ui.filter((line) => line.level === 'error').map((line) => line.text);
    expect(errors).toContain("==> Some builds didn't complete successfully and had errors:");
  });

  it('cancelled build: the interrupt and the cleanup steps are read', () => {
    const parsed = parse(recording('cancelled'));
    const texts = parsed.ui.map((line) => line.text);
    expect(texts).toContain('Cancelling build after receiving interrupt');
    expect(texts).toContain('==> amazon-ebs.app: Deleting temporary keypair...');
    expect(parsed.builds).toEqual([]);
  });

  it('validate error: the message arrives as error lines with commas restored', () => {
    const parsed = parse(recording('validate-error'));
    expect(parsed.ui.map((line) => line.text)).toEqual([
      'Error: Undefined -var variable',
      '',
      'A "nope" variable was passed in the command line but was not found in known',
      'variables. To declare variable "nope", place this block in one of your .pkr',
      'files, such as variables.pkr.hcl',
    ]);
    expect(parsed.ui.every((line) => line.level === 'error')).toBe(true);
  });

  it('gives the same result whatever the chunk boundaries', () => {
    const text = recording('multi-region') + recording('two-builds');
    const whole = parse(text);
    for (const size of [1, 7, 64, 4096]) expect(parse(text, size)).toEqual(whole);
  });

  it('keeps a manifest post-processor pass-through artifact once', () => {
    const line = (index: number, key: string, value = ''): string =>
      `1,amazon-ebs.app,artifact,${index},${key}${value ? `,${value}` : ''}\n`;
    const text = [0, 1]
      .map(
        (index) =>
          line(index, 'builder-id', 'mitchellh.amazonebs') + line(index, 'id', 'us-east-1:ami-a1') + line(index, 'end'),
      )
      .join('');
    expect(parse(text).builds).toHaveLength(1);
  });

  it('reports lines that are not records as plain lines', () => {
    expect(parse('panic: something\n1,,ui,say,ok\n').plain).toEqual(['panic: something']);
  });
});

describe('constant memory', () => {
  it('holds only the unfinished line, however long the log', () => {
    const parser = new MachineReadableParser({});
    const block = recording('two-builds');
    let maxBuffered = 0;
    for (let i = 0; i < 2_000; i++) {
      parser.push(block.slice(0, 1000));
      parser.push(block.slice(1000));
      maxBuffered = Math.max(maxBuffered, parser.bufferedChars);
    }
    parser.end();
    const longestLine = Math.max(...block.split('\n').map((line) => line.length));
    expect(maxBuffered).toBeLessThanOrEqual(longestLine);
  });

  it('caps a runaway line and carries on with the next one', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 100);
    for (let i = 0; i < 1_000; i++) splitter.push('x'.repeat(1_000));
    expect(splitter.bufferedChars).toBe(100);
    splitter.push('\nnext\n');
    expect(lines).toEqual(['x'.repeat(100), 'next']);
  });
});
