/**
 * What a `packer build` that did not finish may leave, and its removal by
 * the bake itself before it returns.
 *
 * Packer (amazon-ebs, 1.6 to 1.9) registers the AMI with CreateImage, prints
 * its id, waits until it is available, and only then tags it; its own
 * cleanup deregisters the AMI only after that wait. Interrupted in between,
 * it leaves an AMI with no tags at all, which neither the post-step sweep
 * nor pruning can find. So the bake remembers every AMI name and id Packer
 * announces and, when the build does not finish, deregisters those no
 * finished build reported (with their snapshots): at once when cancelled
 * (alongside Packer's own cleanup, inside the runner's 7.5 s before SIGTERM)
 * and again after Packer exits (an AMI whose CreateImage was in flight is
 * found by its name). Then it sweeps Packer's temporary key pair, security
 * group and instance, in case Packer was stopped before it removed them.
 */
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  EC2Client,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { awsErrorName, errorMessage, type Context } from '@img-mgr/kernel';
import type { PackerEvent } from './packer-steps.js';
import { sweepRunLeftovers, type RunResources } from './sweep.js';

/** Where the build ran and which run it was. */
export interface BuildPlace {
  region: string;
  runId: string;
}

export class UnfinishedBuild {
  private readonly imageIds = new Set<string>();
  private readonly imageNames = new Set<string>();
  /** AMIs of builds that finished (reported as artifacts): complete and tagged, never removed here. */
  private readonly finished = new Set<string>();
  private readonly discarded = new Set<string>();
  private readonly resources: RunResources = { instanceIds: [], keyPairs: [], securityGroups: [] };

  constructor(private readonly place: BuildPlace) {}

  /** Takes note of what Packer announces. */
  observe(event: PackerEvent): void {
    if (event.kind === 'build') for (const id of Object.values(event.build.amis)) this.finished.add(id);
    if (event.kind !== 'resource') return;
    const lists: Record<typeof event.resource, string[] | Set<string>> = {
      image: this.imageIds,
      'image-name': this.imageNames,
      instance: this.resources.instanceIds,
      'key-pair': this.resources.keyPairs,
      'security-group': this.resources.securityGroups,
    };
    const list = lists[event.resource];
    if (list instanceof Set) list.add(event.id);
    else if (!list.includes(event.id)) list.push(event.id);
  }

  /**
   * Deregisters the AMIs (and their snapshots) Packer registered for builds
   * that did not finish; returns their ids. Failures are logged, not thrown:
   * the bake is already failing for its own reason. An AMI that Packer's own
   * clean-up deregistered first is simply gone.
   */
  async discardImages(context: Context, signal: AbortSignal): Promise<string[]> {
    if (this.imageIds.size === 0 && this.imageNames.size === 0) return [];
    const ec2 = context.clients.get(EC2Client, this.place.region);
    const discarded: string[] = [];
    let images: Image[];
    try {
      images = await this.registeredImages(ec2, signal);
    } catch (error: unknown) {
      context.log.warn(`Could not look for the unfinished build's AMI: ${errorMessage(error)}`);
      return [];
    }
    for (const image of images) {
      const id = image.ImageId ?? '';
      if (!id || this.finished.has(id) || this.discarded.has(id) || image.State === 'deregistered') continue;
      try {
        await ec2.send(new DeregisterImageCommand({ ImageId: id }), { abortSignal: signal });
      } catch (error: unknown) {
        if (/^InvalidAMIID/.test(awsErrorName(error))) continue; // Packer's clean-up was first
        context.log.warn(`Could not deregister ${id}, registered by the unfinished build: ${errorMessage(error)}`);
        continue;
      }
      this.discarded.add(id);
      discarded.push(id);
      const snapshots = (image.BlockDeviceMappings ?? []).flatMap((mapping) =>
        mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : [],
      );
      const deleted: string[] = [];
      for (const snapshot of snapshots) {
        try {
          await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot }), { abortSignal: signal });
          deleted.push(snapshot);
        } catch (error: unknown) {
          context.log.warn(`Could not delete ${snapshot} of ${id}: ${errorMessage(error)}`);
        }
      }
      context.log.info(
        `Deregistered ${id} (${image.Name ?? '?'}), registered by the build that did not finish` +
          (deleted.length > 0 ? `, and deleted ${deleted.join(', ')}` : ''),
      );
    }
    return discarded;
  }

  /** The AMIs this account owns with an id or a name Packer announced. */
  private async registeredImages(ec2: EC2Client, signal: AbortSignal): Promise<Image[]> {
    const lookups: Filter[] = [];
    if (this.imageIds.size > 0) lookups.push({ Name: 'image-id', Values: [...this.imageIds] });
    if (this.imageNames.size > 0) lookups.push({ Name: 'name', Values: [...this.imageNames] });
    const images = new Map<string, Image>();
    for (const filter of lookups) {
      const answer = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [filter] }), {
        abortSignal: signal,
      });
      for (const image of answer.Images ?? []) if (image.ImageId) images.set(image.ImageId, image);
    }
    return [...images.values()];
  }

  /** Terminates the build's instance and deletes its temporary key pair and security group, if Packer left them. */
  async sweep(context: Context, signal: AbortSignal, waitMs: number): Promise<void> {
    try {
      const result = await sweepRunLeftovers({ ...this.place, ...this.resources, waitMs }, { ...context, signal });
      for (const failure of result.failures) context.log.warn(`Could not delete ${failure}`);
    } catch (error: unknown) {
      context.log.warn(`Could not sweep what Packer left: ${errorMessage(error)} (a later sweep by run id removes it)`);
    }
  }
}
