/**
 * BuilderAnnouncements on Packer 1.6.6 output recorded against moto: only
 * the builder's own lines announce resources, never a provisioner's output,
 * even when it prints the builder's exact words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuilderAnnouncements, type Announcement } from '../src/announcements.js';
import { MachineReadableParser } from '../src/machine-readable.js';

function announcementsOf(name: string): Announcement[] {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', 'recordings', `${name}.txt`), 'utf8');
  const announcements = new BuilderAnnouncements();
  const found: Announcement[] = [];
  const parser = new MachineReadableParser({ onUi: (line) => found.push(...announcements.read(line)) });
  parser.push(text);
  parser.end();
  return found;
}

describe('BuilderAnnouncements', () => {
  it("ignores a shell-local provisioner's stdout and stderr that repeat the builder's messages", () => {
    // The provisioner prints `AMI: ami-0123456789abcdef0`, `Creating AMI evil from instance i-0123…` (stderr),
    // `==> amazon-ebs.app: Creating AMI evil2 …` and `Instance ID: i-0aaa…` (stderr); the AMI name has a space.
    const image = { name: 'probe 1796605877', instance: 'i-328b15a74ebb874ea' };
    expect(announcementsOf('provisioner-echo')).toEqual([
      { resource: 'key-pair', id: expect.stringMatching(/^packer_/) as unknown },
      { resource: 'security-group', id: expect.stringMatching(/^packer_/) as unknown },
      { resource: 'instance', id: 'i-328b15a74ebb874ea' },
      { resource: 'image-name', id: 'probe 1796605877', image },
      { resource: 'image', id: 'ami-dfed0e30dc728c701', image },
    ]);
  });

  it('pairs each build with its own AMI when two builds interleave', () => {
    const images = announcementsOf('two-builds').filter((announcement) => announcement.resource === 'image');
    expect(images.map((announcement) => [announcement.id, announcement.image?.name])).toEqual([
      ['ami-e0dbefc6f0294f4ff', 'fixture-rec-two-1795322582'],
      ['ami-26796f87fdbcaa275', 'fixture-web-rec-two-1795322582'],
    ]);
  });

  it('takes only the line right after "Creating AMI" as its id', () => {
    const announcements = new BuilderAnnouncements();
    const build = 'amazon-ebs.app';
    const read = (level: 'say' | 'message' | 'error', text: string) => announcements.read({ level, text, build });
    read('say', `==> ${build}: Creating AMI app-1 from instance i-0abc`);
    expect(read('error', `==> ${build}: Error creating AMI: InvalidAMIName.Duplicate`)).toEqual([]);
    expect(read('message', `    ${build}: AMI: ami-0def`)).toEqual([]);
  });
});
