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
import { REJECTED_TAG_KEY, rejectionOf } from './rejected.js';
import type { RollbackTarget } from './validate.js';
import type { WriteSettings } from './write.js';

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
 * The earlier values of `pointer`, newest first, each once (at its newest
 * version), leaving out the current value: the candidates of `previous`.
 */
export function earlierValues(pointer: Pointer): PointerVersion[] {
  const current = currentVersion(pointer);
  const seen = new Set(current ? [current.value] : []);
  const earlier: PointerVersion[] = [];
  for (const entry of [...pointer.versions].reverse()) {
    if (seen.has(entry.value)) continue;
    seen.add(entry.value);
    earlier.push(entry);
  }
  return earlier;
}

/** The version `target` designates in `pointer` (for `previous`, whether rejected or not). */
export function resolveRollbackTarget(pointer: Pointer, target: RollbackTarget): PointerVersion {
  const current = currentVersion(pointer);
  if (!current)
    throw new RollbackTargetError(pointer.region, `${pointer.name} does not exist, so there is nothing to roll back`);
  switch (target.kind) {
    case 'previous': {
      const earlier = earlierValues(pointer)[0];
      if (!earlier)
        throw new RollbackTargetError(
          pointer.region,
          `${pointer.name} has no earlier value than ${current.value} to roll back to`,
        );
      return earlier;
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
  const first = resolveRollbackTarget(pointer, to);
  if (to.kind !== 'previous') {
    const rejectedBy = await rejectionOf(ec2, first.value, signal);
    if (rejectedBy !== undefined)
      log(
        `Note: ${first.value} (version ${first.version}) carries ${REJECTED_TAG_KEY}=${rejectedBy}; rolling back ` +
          `to it because rollback-to names it`,
      );
    return first;
  }
  const skipped: string[] = [];
  for (const candidate of earlierValues(pointer)) {
    const rejectedBy = await rejectionOf(ec2, candidate.value, signal);
    if (rejectedBy === undefined) return candidate;
    log(`Skipping version ${candidate.version} (${candidate.value}): it carries ${REJECTED_TAG_KEY}=${rejectedBy}`);
    skipped.push(`${candidate.value} (version ${candidate.version})`);
  }
  const current = currentVersion(pointer);
  throw new RollbackTargetError(
    pointer.region,
    `${pointer.name} has no earlier value than ${current?.value ?? '?'} that is not rejected: ` +
      `${skipped.join(', ')} carry ${REJECTED_TAG_KEY}`,
  );
}

/**
 * Rolls the pointer back in every region: resolves the target version
 * (`previous` skips rejected AMIs), checks its AMI is still available (it may have been pruned), then writes
 * its value as a new version labelled `rollback-from-v<current>`.
 */
export async function rollbackAmi(request: RollbackRequest, context: Context): Promise<PublishReport> {
  checkSettings(request, 1);
  const prepared = await allOrAbort(
    request.regions,
    async (region, signal) => {
      const ssm = context.clients.get(SSMClient, region);
      const ec2 = context.clients.get(EC2Client, region);
      const pointer = await readPointer(ssm, region, request.parameterName, signal);
      checkPointerType(pointer);
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
  const byRegion = new Map(prepared.map((entry) => [entry.region, entry]));
  const report = await writeRegions(prepared, request, context, (region: PreparedRegion) => {
    const entry = byRegion.get(region.region);
    const same = entry && currentVersion(entry.pointer)?.value === entry.amiId;
    return same || !entry ? request.labels : [...request.labels, rollbackLabel(entry.fromVersion)];
  });
  for (const result of report.results) {
    const entry = byRegion.get(result.region);
    if (entry) result.rolledBackTo = entry.target.version;
  }
  return report;
}
