/**
 * Pruning: deregister an application's older AMIs beyond the newest N and
 * delete their snapshots, never one the pointer or a running instance uses.
 * The plan is logged in full before anything is removed.
 */
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { errorMessage, InputError } from '@img-mgr/action-kit';
import { clientsFor, type RunContext } from './context.js';
import { currentVersion, readPointer, type Pointer } from './pointer.js';

export interface PruneRequest {
  region: string;
  parameterName: string;
  /** Value of the `application` tag that marks this application's AMIs. */
  application: string;
  /** How many of the newest AMIs to keep regardless of use (at least 1). */
  keep: number;
  /** Plan only; remove nothing. */
  dryRun: boolean;
}

/** One AMI's fate. */
export interface PrunePlanEntry {
  amiId: string;
  name: string;
  created: string;
  snapshots: string[];
  action: 'keep' | 'remove';
  reason: string;
}

export interface PruneReport {
  region: string;
  dryRun: boolean;
  plan: PrunePlanEntry[];
  /** AMIs deregistered (with their snapshots deleted). */
  removed: string[];
  deletedSnapshots: string[];
  /** `amiId or snapshot: error` for each removal that failed. */
  failures: string[];
}

/** Plans and (unless dry-run) carries out the pruning of one region. */
export async function pruneAmis(request: PruneRequest, context: RunContext): Promise<PruneReport> {
  if (!Number.isInteger(request.keep) || request.keep < 1) throw new InputError('keep-amis', `must be a whole number of at least 1, got ${request.keep}`);
  if (request.application.trim() === '') throw new InputError('application', 'is required for pruning (the application tag value)');
  const log = (line: string): void => context.log(`[${request.region}] ${line}`);
  const { ssm, ec2 } = clientsFor(request.region, context);
  const pointer = await readPointer(ssm, request.region, request.parameterName, context.signal);
  const images = await applicationImages(ec2, request.application, context.signal);
  const inUse = await imagesInUse(
    ec2,
    images.map((image) => image.ImageId ?? ''),
    context.signal,
  );
  const plan = planPrune(images, protectedAmis(pointer), inUse, request.keep);
  log(`Pruning plan for application=${request.application} (keep the newest ${request.keep}${request.dryRun ? ', dry run' : ''}):`);
  for (const entry of plan) log(`  ${entry.action === 'remove' ? 'REMOVE' : 'keep  '} ${entry.amiId} ${entry.name} (${entry.created}) — ${entry.reason}${entry.action === 'remove' ? `; snapshots: ${entry.snapshots.join(', ') || 'none'}` : ''}`);
  if (plan.length === 0) log('  no AMIs carry that tag');
  const report: PruneReport = { region: request.region, dryRun: request.dryRun, plan, removed: [], deletedSnapshots: [], failures: [] };
  if (request.dryRun) {
    log(`Dry run: would remove ${plan.filter((entry) => entry.action === 'remove').length} AMI(s); nothing removed`);
    return report;
  }
  for (const entry of plan.filter((candidate) => candidate.action === 'remove')) {
    await removeImage(ec2, entry, report, log, context.signal);
  }
  log(`Removed ${report.removed.length} AMI(s) and ${report.deletedSnapshots.length} snapshot(s)${report.failures.length ? `; ${report.failures.length} failure(s)` : ''}`);
  return report;
}

/**
 * AMIs the pointer protects, with why: its current and previous values and
 * every labelled version's value.
 */
export function protectedAmis(pointer: Pointer): Map<string, string> {
  const reasons = new Map<string, string>();
  const add = (amiId: string | undefined, reason: string): void => {
    if (amiId && !reasons.has(amiId)) reasons.set(amiId, reason);
  };
  const current = currentVersion(pointer);
  // The previous value is what `rollback-to: previous` returns to: the newest earlier version with another value.
  const previous = pointer.versions.filter((entry) => current && entry.version < current.version && entry.value !== current.value).at(-1);
  add(current?.value, `current value of ${pointer.name} (version ${current?.version})`);
  add(previous?.value, `previous value of ${pointer.name} (version ${previous?.version})`);
  for (const entry of pointer.versions) {
    if (entry.labels.length > 0) add(entry.value, `value of labelled version ${entry.version} (${entry.labels.join(', ')})`);
  }
  return reasons;
}

/**
 * Decides each AMI's fate, newest first: the newest `keep` stay, then any
 * protected or in-use one stays, the rest go.
 */
export function planPrune(images: Image[], protectedReasons: Map<string, string>, inUse: Map<string, string[]>, keep: number): PrunePlanEntry[] {
  const sorted = [...images].sort(
    (a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.ImageId ?? '').localeCompare(a.ImageId ?? ''),
  );
  return sorted.map((image, index) => {
    const amiId = image.ImageId ?? '';
    const base = {
      amiId,
      name: image.Name ?? '',
      created: image.CreationDate ?? '',
      snapshots: (image.BlockDeviceMappings ?? []).flatMap((mapping) => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : [])),
    };
    const reason =
      index < keep
        ? `one of the newest ${keep}`
        : (protectedReasons.get(amiId) ??
          (inUse.has(amiId) ? `used by instance ${inUse.get(amiId)?.join(', ')}` : undefined) ??
          (image.State !== 'available' ? `state is ${image.State}` : undefined));
    return reason ? { ...base, action: 'keep', reason } : { ...base, action: 'remove', reason: `older than the newest ${keep}, not in use` };
  });
}

async function applicationImages(ec2: EC2Client, application: string, signal?: AbortSignal): Promise<Image[]> {
  const images: Image[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:application', Values: [application] }], NextToken: nextToken }),
      { abortSignal: signal },
    );
    images.push(...(page.Images ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return images;
}

/** image id → ids of pending or running instances launched from it. */
async function imagesInUse(ec2: EC2Client, amiIds: string[], signal?: AbortSignal): Promise<Map<string, string[]>> {
  const inUse = new Map<string, string[]>();
  for (let start = 0; start < amiIds.length; start += 100) {
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'image-id', Values: amiIds.slice(start, start + 100) },
            { Name: 'instance-state-name', Values: ['pending', 'running'] },
          ],
          NextToken: nextToken,
        }),
        { abortSignal: signal },
      );
      for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
        if (!instance.ImageId || !instance.InstanceId) continue;
        inUse.set(instance.ImageId, [...(inUse.get(instance.ImageId) ?? []), instance.InstanceId]);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return inUse;
}

async function removeImage(ec2: EC2Client, entry: PrunePlanEntry, report: PruneReport, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  try {
    await ec2.send(new DeregisterImageCommand({ ImageId: entry.amiId }), { abortSignal: signal });
    report.removed.push(entry.amiId);
    log(`Deregistered ${entry.amiId}`);
  } catch (error: unknown) {
    report.failures.push(`${entry.amiId}: ${errorMessage(error)}`);
    log(`Could not deregister ${entry.amiId}: ${errorMessage(error)}`);
    return;
  }
  // Snapshots go after the AMI: EC2 refuses to delete a snapshot an AMI still uses.
  for (const snapshot of entry.snapshots) {
    try {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot }), { abortSignal: signal });
      report.deletedSnapshots.push(snapshot);
      log(`Deleted snapshot ${snapshot} of ${entry.amiId}`);
    } catch (error: unknown) {
      report.failures.push(`${snapshot}: ${errorMessage(error)}`);
      log(`Could not delete snapshot ${snapshot} of ${entry.amiId}: ${errorMessage(error)}`);
    }
  }
}
