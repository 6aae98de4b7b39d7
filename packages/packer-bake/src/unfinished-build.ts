/**
 * What a `packer build` that did not finish may leave, and its removal by
 * the bake itself before it returns.
 *
 * Packer registers the AMI with CreateImage, prints its id, waits until it
 * is available and only then adds `tags`; its own cleanup deregisters the
 * AMI only after that wait. The Amazon plugin the workflow installs (1.0.2
 * and later, pinned to 1.3.9 in packer/plugins.pkr.hcl) sends run_tags with
 * CreateImage, so an interrupted build's AMI already carries created-by,
 * application and run-id; Packer 1.6 (the test bed's built-in builder)
 * leaves it untagged. Either way neither the post-step sweep nor pruning
 * looks for it. So the bake remembers every AMI the builder
 * announces (its name and instance, then its id; see announcements.ts) and,
 * when the build does not finish, deregisters those no finished build
 * reported (with their snapshots): at once when cancelled, alongside
 * Packer's own cleanup, and again after Packer exits (an AMI whose
 * CreateImage was in flight is found by its name). Then it sweeps Packer's
 * temporary key pair, security group and instance, in case Packer was
 * stopped before it removed them.
 *
 * The bake role (cloudformation/github-bake-role.yaml) deregisters only
 * images tagged created-by=packer and application=img-mgr, which the
 * plugin's AMIs are from CreateImage on. An AMI the role may not deregister
 * (an untagged one) is left, with one warning naming it for a human to
 * remove.
 *
 * An AMI is deregistered only when everything about it says it is this
 * build's: made after the build started, with the announced name, from the
 * announced instance (when EC2 reports it), and untagged or tagged with this
 * run's id. Anything else (an older AMI of the same name, another run's AMI
 * that won a race for a fixed name) is kept and logged.
 */
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  EC2Client,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { awsErrorClass, awsErrorName, errorMessage, type Context } from '@img-mgr/kernel';
import type { AnnouncedImage } from './announcements.js';
import { RUN_ID_TAG } from './images.js';
import type { PackerEvent } from './packer-steps.js';
import { sweepRunLeftovers, type RunResources } from './sweep.js';

/** Where the build ran and which run it was. */
export interface BuildPlace {
  region: string;
  runId: string;
}

/** How far EC2's clock (an AMI's CreationDate) may be behind this machine's. */
const CLOCK_SKEW_MS = 60_000;

export class UnfinishedBuild {
  /** AMI id → the name and instance of the `Creating AMI` line it answered. */
  private readonly imageIds = new Map<string, AnnouncedImage>();
  /** AMI name → the announced image, for an AMI whose CreateImage was in flight (no id printed). */
  private readonly imageNames = new Map<string, AnnouncedImage>();
  /** AMIs of builds that finished (reported as artifacts): complete and tagged, never removed here. */
  private readonly finished = new Set<string>();
  private readonly discarded = new Set<string>();
  /** AMIs the role may not deregister: reported once, then left to a human. */
  private readonly denied = new Set<string>();
  private readonly resources: RunResources = { instanceIds: [], keyPairs: [], securityGroups: [] };

  /** `startedAt`: when the build started (ms since the epoch); no AMI made before it is this build's. */
  constructor(
    private readonly place: BuildPlace,
    private readonly startedAt = Date.now(),
  ) {}

  /** Takes note of what Packer announces. */
  observe(event: PackerEvent): void {
    if (event.kind === 'build') for (const id of Object.values(event.build.amis)) this.finished.add(id);
    if (event.kind !== 'resource') return;
    if (event.resource === 'image' || event.resource === 'image-name') {
      // Without its name and instance an AMI could be anyone's: only the builder's own lines carry them.
      if (event.image) (event.resource === 'image' ? this.imageIds : this.imageNames).set(event.id, event.image);
      return;
    }
    const list = {
      instance: this.resources.instanceIds,
      'key-pair': this.resources.keyPairs,
      'security-group': this.resources.securityGroups,
    }[event.resource];
    if (!list.includes(event.id)) list.push(event.id);
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
      if (!id || this.finished.has(id) || this.discarded.has(id) || this.denied.has(id)) continue;
      if (image.State === 'deregistered') continue;
      const kept = this.notThisBuilds(image);
      if (kept) {
        context.log.info(`Kept ${id} (${image.Name ?? '?'}): ${kept}`);
        continue;
      }
      try {
        await ec2.send(new DeregisterImageCommand({ ImageId: id }), { abortSignal: signal });
      } catch (error: unknown) {
        if (/^InvalidAMIID/.test(awsErrorName(error))) continue; // Packer's clean-up was first
        if (awsErrorClass(error) === 'access-denied') {
          this.denied.add(id);
          context.log.warn(
            `Left ${id} (${image.Name ?? '?'}) in ${this.place.region}, registered by the build that did not ` +
              `finish: the role may not deregister it (${awsErrorName(error)}); deregister it and delete its ` +
              'snapshots by hand',
          );
          continue;
        }
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

  /** Why `image` may not be this build's AMI, or undefined when everything says it is. */
  private notThisBuilds(image: Image): string | undefined {
    const created = Date.parse(image.CreationDate ?? '');
    if (!(created >= this.startedAt - CLOCK_SKEW_MS)) return 'it was made before this build started';
    const byId = this.imageIds.get(image.ImageId ?? '');
    const announced = byId ?? this.imageNames.get(image.Name ?? '');
    if (!announced || image.Name !== announced.name) return `its name is not ${announced?.name ?? 'announced'}`;
    if (image.SourceInstanceId !== undefined && image.SourceInstanceId !== announced.instance) {
      return `it was made from ${image.SourceInstanceId}, not from this build's ${announced.instance}`;
    }
    // Found by name alone, it might be another run's AMI of the same name: only the instance tells them apart.
    if (!byId && image.SourceInstanceId === undefined) return 'EC2 does not say which instance it was made from';
    const tags = image.Tags ?? [];
    const ours = tags.some((tag) => tag.Key === RUN_ID_TAG && tag.Value === this.place.runId);
    // Packer tags an AMI only once it is available; tags without this run's id are another run's.
    if (tags.length > 0 && !ours) return `it is tagged, but not ${RUN_ID_TAG}=${this.place.runId}`;
    return undefined;
  }

  /** The AMIs this account owns with an id or a name Packer announced. */
  private async registeredImages(ec2: EC2Client, signal: AbortSignal): Promise<Image[]> {
    const lookups: Filter[] = [];
    if (this.imageIds.size > 0) lookups.push({ Name: 'image-id', Values: [...this.imageIds.keys()] });
    if (this.imageNames.size > 0) lookups.push({ Name: 'name', Values: [...this.imageNames.keys()] });
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
