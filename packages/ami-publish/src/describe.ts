/** The pointer's state, for a `status` command or a report. */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from '@img-mgr/kernel';
import { labelIndex } from './labels.js';
import { currentVersion, previousVersion, readPointer, type PointerVersion } from './pointer.js';

export interface PointerStatus {
  region: string;
  parameterName: string;
  exists: boolean;
  current?: PointerVersion;
  previous?: PointerVersion;
  /** label → version. */
  labels: Record<string, number>;
  /** Every kept version, oldest first. */
  versions: PointerVersion[];
}

/** Reads the pointer's current value, history and labels in one region. */
export async function describePointer(
  request: { region: string; parameterName: string },
  context: Context,
): Promise<PointerStatus> {
  const ssm = context.clients.get(SSMClient, request.region);
  const pointer = await readPointer(ssm, request.region, request.parameterName, context.signal);
  const current = currentVersion(pointer);
  const previous = previousVersion(pointer);
  return {
    region: request.region,
    parameterName: request.parameterName,
    exists: current !== undefined,
    ...(current ? { current } : {}),
    ...(previous ? { previous } : {}),
    labels: labelIndex(pointer),
    versions: pointer.versions,
  };
}
