/**
 * Pruning: deregister an application's older AMIs beyond the newest N and
 * delete their snapshots, never one that anything still uses (see
 * references.ts). The plan, with why each AMI is kept, is logged in full
 * before anything is removed.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  EC2Client,
  paginateDescribeImages,
  type Image,
} from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { errorMessage, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { type Pointer } from './pointer.js';
import { findReferences, pointerReferences, type References } from './references.js';
import type { Rejections } from './selection.js';
import { DEFAULT_REFERENCE_PATH, DEFAULT_ROLLBACK_WINDOW, parameterPathProblem } from './validate.js';

export interface PruneRequest {
  region: string;
  parameterName: string;
  /** Value of the `application` tag that marks this application's AMIs. */
  application: string;
  /** How many of the newest AMIs to keep regardless of use (at least 1). */
  keep: number;
  /** Plan only; remove nothing. */
  dryRun: boolean;
  /** aws:ec2:image parameters under this path protect their AMIs (default /common/img-mgr). */
  referencePath?: string;
  /** The newest K versions of each pointer stay restorable (default 5). */
  rollbackWindow?: number;
}

/** One AMI's fate. */
export interface PrunePlanEntry {
  amiId: string;
  name: string;
  created: string;
  snapshots: string[];
  action: 'keep' | 'remove';
  /** Why: every reference that keeps it, or why it can go. */
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
export async function pruneAmis(request: PruneRequest, context: Context): Promise<PruneReport> {
  if (!Number.isInteger(request.keep) || request.keep < 1) {
    throw new InvalidRequestError('keep', `must be a whole number of at least 1, got ${request.keep}`);
  }
  if (request.application.trim() === '') {
    throw new InvalidRequestError('application', 'is required for pruning (the application tag value)');
  }
  const referencePath = request.referencePath ?? DEFAULT_REFERENCE_PATH;
  const pathProblem = parameterPathProblem(referencePath);
  if (pathProblem) throw new InvalidRequestError('referencePath', pathProblem);
  const rollbackWindow = request.rollbackWindow ?? DEFAULT_ROLLBACK_WINDOW;
  if (!Number.isInteger(rollbackWindow) || rollbackWindow < 1) {
    throw new InvalidRequestError('rollbackWindow', `must be a whole number of at least 1, got ${rollbackWindow}`);
  }
  const log = (line: string): void => context.log.info(`[${request.region}] ${line}`);
  const ssm = context.clients.get(SSMClient, request.region);
  const ec2 = context.clients.get(EC2Client, request.region);
  const cfn = context.clients.get(CloudFormationClient, request.region);
  const images = await applicationImages(ec2, request.application, context.signal);
  const references = await findReferences(
    { ssm, ec2, cfn },
    {
      region: request.region,
      parameterName: request.parameterName,
      referencePath,
      rollbackWindow,
      signal: context.signal,
    },
  );
  const plan = planPrune(images, references, request.keep);
  log(
    `Pruning plan for application=${request.application} (keep the newest ${request.keep}, and every AMI ` +
      `referenced by aws:ec2:image parameters under ${referencePath} ` +
      `(current, labelled and newest ${rollbackWindow} versions), launch templates, stacks or ` +
      `instances${request.dryRun ? '; dry run' : ''}):`,
  );
  for (const entry of plan)
    log(
      `  ${entry.action === 'remove' ? 'REMOVE' : 'keep  '} ${entry.amiId} ${entry.name} (${entry.created}) — ` +
        `${entry.reason}${entry.action === 'remove' ? `; snapshots: ${entry.snapshots.join(', ') || 'none'}` : ''}`,
    );
  if (plan.length === 0) log('  no AMIs carry that tag');
  const report: PruneReport = {
    region: request.region,
    dryRun: request.dryRun,
    plan,
    removed: [],
    deletedSnapshots: [],
    failures: [],
  };
  if (request.dryRun) {
    log(`Dry run: would remove ${plan.filter((entry) => entry.action === 'remove').length} AMI(s); nothing removed`);
    return report;
  }
  for (const entry of plan.filter((candidate) => candidate.action === 'remove')) {
    await removeImage(ec2, entry, report, log, context.signal);
  }
  log(
    `Removed ${report.removed.length} AMI(s) and ${report.deletedSnapshots.length} ` +
      `snapshot(s)${report.failures.length ? `; ${report.failures.length} failure(s)` : ''}`,
  );
  return report;
}

/**
 * AMIs one pointer protects, with why: every AMI a rollback, a promotion or
 * a revert could still select from it (see selection.ts), given `rejections`.
 */
export function protectedAmis(
  pointer: Pointer,
  rollbackWindow = DEFAULT_ROLLBACK_WINDOW,
  rejections: Rejections = new Map(),
): References {
  const references: References = new Map();
  pointerReferences(references, pointer, rollbackWindow, rejections);
  return references;
}

/**
 * Decides each AMI's fate, newest first: the newest `keep` stay, then any
 * referenced one stays (with every reason), the rest go.
 */
export function planPrune(images: Image[], references: References, keep: number): PrunePlanEntry[] {
  const sorted = [...images].sort(
    (a, b) =>
      (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.ImageId ?? '').localeCompare(a.ImageId ?? ''),
  );
  return sorted.map((image, index) => {
    const amiId = image.ImageId ?? '';
    const base = {
      amiId,
      name: image.Name ?? '',
      created: image.CreationDate ?? '',
      snapshots: (image.BlockDeviceMappings ?? []).flatMap((mapping) =>
        mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : [],
      ),
    };
    const reasons = [
      ...(index < keep ? [`one of the newest ${keep}`] : []),
      ...(references.get(amiId) ?? []),
      ...(image.State !== 'available' ? [`state is ${image.State}`] : []),
    ];
    return reasons.length > 0
      ? { ...base, action: 'keep', reason: reasons.join('; ') }
      : { ...base, action: 'remove', reason: `older than the newest ${keep} and referenced by nothing` };
  });
}

async function applicationImages(ec2: EC2Client, application: string, signal: AbortSignal): Promise<Image[]> {
  const images: Image[] = [];
  const query = { Owners: ['self'], Filters: [{ Name: 'tag:application', Values: [application] }] };
  for await (const page of paginateDescribeImages({ client: ec2 }, query, { abortSignal: signal })) {
    images.push(...(page.Images ?? []));
  }
  return images;
}

async function removeImage(
  ec2: EC2Client,
  entry: PrunePlanEntry,
  report: PruneReport,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
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
