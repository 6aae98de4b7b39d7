/**
 * What Packer's amazon-ebs builder says it created, told apart from what a
 * provisioner prints. Provisioner output reaches the log as the builder's
 * own messages do (`    amazon-ebs.app: AMI: ami-…` from an `echo` looks
 * exactly like the builder's line), so a line counts only in the shape and
 * place the builder prints it: its `say` lines (provisioner stdout arrives
 * as `message`, stderr as `error`), the first `Instance ID:` message of a
 * build (printed before any provisioner runs), and the `AMI:` message that
 * is the build's very next line after its own `Creating AMI … from instance …`.
 */
import type { UiLine } from './machine-readable.js';

/**
 * What Packer creates for a build: the instance, key pair and security group
 * it deletes afterwards, and the AMI it registers (announced by name, then
 * by id), which is kept only when the build finishes.
 */
export type TemporaryResource = 'instance' | 'key-pair' | 'security-group' | 'image-name' | 'image';

/** The AMI a build's `Creating AMI <name> from instance <id>` line announced. */
export interface AnnouncedImage {
  name: string;
  /** The build's instance, which the AMI is made from. */
  instance: string;
}

/** A resource the builder announced; `image` for `image-name` (id: the name) and `image` (id: the AMI id). */
export interface Announcement {
  resource: TemporaryResource;
  id: string;
  image?: AnnouncedImage;
}

const SAID: [TemporaryResource, RegExp][] = [
  ['key-pair', /^Creating temporary key ?pair: (\S+)$/],
  ['security-group', /^Creating temporary security group for this instance: (\S+)$/],
];
const CREATING_AMI = /^Creating AMI (.+) from instance (i-[0-9a-f]+)$/;
const AMI_ID = /^AMI: (ami-[0-9a-f]+)$/;
const INSTANCE_ID = /^Instance ID: (i-[0-9a-f]+)$/;

/** Reads Packer's UI lines in order and returns what each announces. */
export class BuilderAnnouncements {
  /** Builds whose next line is the id of the AMI they are creating. */
  private readonly creating = new Map<string, AnnouncedImage>();
  private readonly withInstance = new Set<string>();

  /** What `line` announces (nothing for most lines). */
  read(line: UiLine): Announcement[] {
    const build = line.build;
    if (build === undefined) return [];
    const image = this.creating.get(build);
    this.creating.delete(build);
    const said = line.level === 'say' ? unprefixed(line.text, `==> ${build}: `) : undefined;
    const message = line.level === 'message' ? unprefixed(line.text, `    ${build}: `) : undefined;
    if (image && message !== undefined) {
      const id = AMI_ID.exec(message)?.[1];
      return id ? [{ resource: 'image', id, image }] : [];
    }
    if (message !== undefined && !this.withInstance.has(build)) {
      const id = INSTANCE_ID.exec(message)?.[1];
      if (!id) return [];
      this.withInstance.add(build);
      return [{ resource: 'instance', id }];
    }
    if (said === undefined) return [];
    const creating = CREATING_AMI.exec(said);
    if (creating?.[1] && creating[2]) {
      const announced = { name: creating[1], instance: creating[2] };
      this.creating.set(build, announced);
      return [{ resource: 'image-name', id: announced.name, image: announced }];
    }
    for (const [resource, pattern] of SAID) {
      const id = pattern.exec(said)?.[1];
      if (id) return [{ resource, id }];
    }
    return [];
  }
}

function unprefixed(text: string, prefix: string): string | undefined {
  return text.startsWith(prefix) ? text.slice(prefix.length) : undefined;
}
