/**
 * Rollback: republish the value of an earlier version as a new version, so
 * every reader (CloudFormation resolves the newest) goes back without a rebake.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ActionError, type Context } from '@img-mgr/kernel';
import { allOrAbort } from './all-or-abort.js';
import { ImageNotUsableError, waitForImage } from './images.js';
import { rollbackLabel, versionWithLabel } from './labels.js';
import { currentVersion, readPointer, type Pointer, type PointerVersion } from './pointer.js';
import { checkPointerType, checkSettings, writeRegions, type PreparedRegion, type PublishReport } from './publish.js';
import { REJECTED_TAG_KEY } from './rejected-tag.js';
import { readRejections, selectable, valuesOf, type Rejections } from './selection.js';
import type { RollbackTarget } from './validate.js';
import type { PutGuard, WriteSettings } from './write.js';

/** The target cannot be used; `problem` says why (the caller names its field). */
export class RollbackTargetError extends ActionError {
  constructor(
    readonly region: string,
    readonly problem: string,
  ) {
    super(`${problem} (in ${region})`);
  }
}

export interface RollbackRequest extends WriteSettings {
  regions: string[];
  to: RollbackTarget;
}

/**
 * The version `target` designates in `pointer`: for `previous`, what
 * selection.ts says it selects past the `rejections`; a version or label
 * named explicitly, whether rejected or not.
 */
export function resolveRollbackTarget(
  pointer: Pointer,
  target: RollbackTarget,
  rejections: Rejections = new Map(),
): PointerVersion {
  const current = currentVersion(pointer);
  if (!current)
    throw new RollbackTargetError(pointer.region, `${pointer.name} does not exist, so there is nothing to roll back`);
  switch (target.kind) {
    case 'previous': {
      const { previous, skipped } = selectable(pointer, rejections);
      if (previous) return previous;
      if (skipped.length === 0)
        throw new RollbackTargetError(
          pointer.region,
          `${pointer.name} has no earlier value than ${current.value} to roll back to`,
        );
      throw new RollbackTargetError(
        pointer.region,
        `${pointer.name} has no earlier value than ${current.value} that is not rejected: ` +
          `${skipped.map((entry) => `${entry.value} (version ${entry.version})`).join(', ')} carry ${REJECTED_TAG_KEY}`,
      );
    }
    case 'version': {
      const found = pointer.versions.find((entry) => entry.version === target.version);
      if (!found) {
        const kept = `${pointer.versions[0]?.version ?? '?'}–${current.version}`;
        throw new RollbackTargetError(
          pointer.region,
          `${pointer.name} has no version ${target.version} (versions kept: ${kept})`,
        );
      }
      return found;
    }
    case 'label': {
      const found = versionWithLabel(pointer, target.label);
      if (!found)
        throw new RollbackTargetError(pointer.region, `no version of ${pointer.name} carries label '${target.label}'`);
      return found;
    }
  }
}

/**
 * The version to roll back to. `previous` skips values whose AMI carries
 * the rejected tag (a rollout of it failed); a version or label named
 * explicitly is used even if rejected, with a note in the log.
 */
async function chooseTarget(
  pointer: Pointer,
  to: RollbackTarget,
  ec2: EC2Client,
  context: Context,
  signal: AbortSignal,
): Promise<PointerVersion> {
  const log = (line: string): void => context.log.info(`[${pointer.region}] ${line}`);
  const rejections = await readRejections(ec2, valuesOf([pointer]), signal);
  if (to.kind === 'previous') {
    for (const entry of selectable(pointer, rejections).skipped)
      log(
        `Skipping version ${entry.version} (${entry.value}): it carries ` +
          `${REJECTED_TAG_KEY}=${rejections.get(entry.value) ?? '?'}`,
      );
  }
  const target = resolveRollbackTarget(pointer, to, rejections);
  const rejectedBy = rejections.get(target.value);
  if (to.kind !== 'previous' && rejectedBy !== undefined)
    log(
      `Note: ${target.value} (version ${target.version}) carries ${REJECTED_TAG_KEY}=${rejectedBy}; rolling back ` +
        `to it because rollback-to names it`,
    );
  return target;
}

/** A region ready to be rolled back: the pointer as read, and the version whose value is republished. */
export interface PreparedRollback extends PreparedRegion {
  target: PointerVersion;
  fromVersion: number;
}

/**
 * Reads, checks and resolves every region before anything is written: the
 * target version (`previous` skips rejected AMIs) and that its AMI is still
 * available (it may have been pruned). `check` sees each pointer as read,
 * before its target is resolved, and may refuse it by throwing.
 */
export async function prepareRollback(
  request: RollbackRequest,
  context: Context,
  check: (pointer: Pointer) => void = () => undefined,
): Promise<PreparedRollback[]> {
  checkSettings(request, 1);
  return allOrAbort(
    request.regions,
    async (region, signal) => {
      const ssm = context.clients.get(SSMClient, region);
      const ec2 = context.clients.get(EC2Client, region);
      const pointer = await readPointer(ssm, region, request.parameterName, signal);
      checkPointerType(pointer);
      check(pointer);
      const target = await chooseTarget(pointer, request.to, ec2, context, signal);
      const current = currentVersion(pointer);
      context.log.info(
        `[${region}] Rolling ${request.parameterName} back from version ${current?.version} (${current?.value}) to ` +
          `version ${target.version} (${target.value})`,
      );
      try {
        await waitForImage(ec2, region, target.value, {
          timeoutMs: request.waitTimeoutMs,
          log: (line) => context.log.info(`[${region}] ${line}`),
          signal,
          ...(request.pollIntervalMs !== undefined ? { pollIntervalMs: request.pollIntervalMs } : {}),
        });
      } catch (error: unknown) {
        if (!(error instanceof ImageNotUsableError)) throw error;
        throw new RollbackTargetError(
          region,
          `resolves to version ${target.version}, whose AMI ${error.message}; cannot roll back to it`,
        );
      }
      return { region, amiId: target.value, ssm, pointer, target, fromVersion: current?.version ?? 0 };
    },
    context.signal,
  );
}

/**
 * Writes each prepared region's target value as a new version labelled
 * `rollback-from-v<current>` (no new version when it already holds it).
 * `guardFor` gives a region's checks around its PutParameter (see PutGuard).
 */
export async function writeRollback(
  prepared: PreparedRollback[],
  request: RollbackRequest,
  context: Context,
  guardFor?: (region: PreparedRegion) => PutGuard,
): Promise<PublishReport> {
  const byRegion = new Map(prepared.map((entry) => [entry.region, entry]));
  const labelsFor = (region: PreparedRegion): string[] => {
    const entry = byRegion.get(region.region);
    const same = entry && currentVersion(entry.pointer)?.value === entry.amiId;
    return same || !entry ? request.labels : [...request.labels, rollbackLabel(entry.fromVersion)];
  };
  const report = await writeRegions(prepared, request, context, labelsFor, guardFor);
  for (const result of report.results) {
    const entry = byRegion.get(result.region);
    if (entry) result.rolledBackTo = entry.target.version;
  }
  return report;
}

/** Rolls the pointer back in every region: prepareRollback, then writeRollback. */
export async function rollbackAmi(request: RollbackRequest, context: Context): Promise<PublishReport> {
  return writeRollback(await prepareRollback(request, context), request, context);
}
