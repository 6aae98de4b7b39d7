/**
 * Publishing AMIs to the pointer in one or more regions. Everything is
 * checked in every region before anything is written; then each region is
 * written in turn and a failure in one does not hide what the others did.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ActionError, errorMessage, InvalidRequestError, isRegionName, type Context } from '@img-mgr/kernel';
import { allOrAbort } from './all-or-abort.js';
import { waitForImage } from './images.js';
import { currentVersion, readPointer, type Pointer } from './pointer.js';
import { rejectionTag, RejectedImageError } from './rejected.js';
import { labelsProblem, labelWindowProblem } from './labels.js';
import { amiIdProblem, descriptionProblem, parameterNameProblem, tagProblem } from './validate.js';
import { writePointer, type PutGuard, type RegionResult, type WriteSettings } from './write.js';

/** One region and the AMI its pointer should hold. */
export interface PublishTarget {
  region: string;
  amiId: string;
}

export interface PublishRequest extends WriteSettings {
  targets: PublishTarget[];
}

/** Per-region outcome; `ok` is false when any region failed. */
export interface PublishReport {
  ok: boolean;
  results: RegionResult[];
}

/** A region that passed the checks and is ready to be written. */
export interface PreparedRegion {
  region: string;
  amiId: string;
  ssm: SSMClient;
  pointer: Pointer;
}

/**
 * Publishes each target's AMI to `parameterName` in its region. Throws,
 * having written nothing, when a value is malformed or an AMI is not
 * available or is tagged rejected; otherwise returns a report with every region's outcome.
 */
export async function publishAmi(request: PublishRequest, context: Context): Promise<PublishReport> {
  checkSettings(request);
  if (request.targets.length === 0) {
    throw new InvalidRequestError('targets', 'is required: give at least one region and AMI');
  }
  for (const target of request.targets) {
    if (!isRegionName(target.region)) {
      throw new InvalidRequestError('region', `has '${target.region}', which is not an AWS region name`);
    }
    const problem = amiIdProblem(target.amiId);
    if (problem) throw new InvalidRequestError('targets', `for ${target.region} is invalid: ${problem}`);
  }
  const prepared = await allOrAbort(
    request.targets,
    async (target, signal) => {
      const ssm = context.clients.get(SSMClient, target.region);
      const image = await waitForImage(context.clients.get(EC2Client, target.region), target.region, target.amiId, {
        timeoutMs: request.waitTimeoutMs,
        log: (line) => context.log.info(`[${target.region}] ${line}`),
        signal,
        ...(request.pollIntervalMs !== undefined ? { pollIntervalMs: request.pollIntervalMs } : {}),
      });
      const rejectedBy = rejectionTag(image);
      if (rejectedBy !== undefined) throw new RejectedImageError(target.amiId, target.region, rejectedBy);
      const pointer = await readPointer(ssm, target.region, request.parameterName, signal);
      checkPointerType(pointer);
      return { ...target, ssm, pointer };
    },
    context.signal,
  );
  return writeRegions(prepared, request, context);
}

/**
 * Writes each prepared region in turn; a failure is recorded, not thrown.
 * `guardFor` gives a region's checks around its PutParameter (see PutGuard).
 */
export async function writeRegions(
  prepared: PreparedRegion[],
  settings: WriteSettings,
  context: Context,
  labelsFor: (region: PreparedRegion) => string[] = () => settings.labels,
  guardFor?: (region: PreparedRegion) => PutGuard,
): Promise<PublishReport> {
  const results: RegionResult[] = [];
  for (const region of prepared) {
    context.signal.throwIfAborted();
    try {
      const labels = labelsFor(region);
      const guard = guardFor?.(region);
      results.push(
        await writePointer(region.ssm, region.pointer, region.amiId, { ...settings, labels }, context, guard),
      );
    } catch (error: unknown) {
      if (context.signal.aborted) throw error;
      const message = errorMessage(error);
      context.log.info(`[${region.region}] FAILED: ${message}`);
      results.push({
        region: region.region,
        parameterName: settings.parameterName,
        status: 'failed',
        amiId: region.amiId,
        changed: false,
        labels: [],
        movedLabels: [],
        unlabelled: [],
        ...previousOf(region.pointer),
        error: message,
      });
    }
  }
  return { ok: results.every((result) => result.status !== 'failed'), results };
}

/** Which regions succeeded and which failed, in one line. */
export function describeFailure(report: PublishReport): string {
  const failed = report.results.filter((result) => result.status === 'failed');
  const succeeded = report.results.filter((result) => result.status !== 'failed');
  const failures = failed.map((result) => `${result.region} (${result.error ?? 'failed'})`).join('; ');
  const done =
    succeeded.length > 0 ? succeeded.map((result) => `${result.region} v${result.version ?? '?'}`).join(', ') : 'none';
  return `Publishing failed in ${failed.length} of ${report.results.length} region(s): ${failures}. Succeeded: ${done}`;
}

/** Syntax checks shared by publish and rollback (a safety net behind the caller's own). */
export function checkSettings(settings: WriteSettings, reservedLabels = 0): void {
  const nameProblem = parameterNameProblem(settings.parameterName);
  if (nameProblem) throw new InvalidRequestError('parameterName', nameProblem);
  const labelProblem = labelsProblem(settings.labels, reservedLabels);
  if (labelProblem) throw new InvalidRequestError('labels', labelProblem);
  for (const [key, value] of Object.entries(settings.tags)) {
    const problem = tagProblem(key, value);
    if (problem) throw new InvalidRequestError('tags', problem);
  }
  const problem = settings.description === undefined ? undefined : descriptionProblem(settings.description);
  if (problem) throw new InvalidRequestError('description', problem);
  const windowProblem = settings.labelWindow === undefined ? undefined : labelWindowProblem(settings.labelWindow);
  if (windowProblem) throw new InvalidRequestError('labelWindow', windowProblem);
}

/** The pointer must be a plain String parameter; anything else is someone else's parameter. */
export function checkPointerType(pointer: Pointer): void {
  const type = currentVersion(pointer)?.type;
  if (type && type !== 'String') {
    throw new ActionError(
      `${pointer.name} in ${pointer.region} is a ${type} parameter; an AMI pointer is a String`,
      'Choose another parameter-name',
    );
  }
}

function previousOf(pointer: Pointer): Pick<RegionResult, 'previousAmiId' | 'previousVersion'> {
  const current = currentVersion(pointer);
  return current ? { previousAmiId: current.value, previousVersion: current.version } : {};
}
