/** Reading the golden-AMI pointer: its versions, values and labels (their rules: labels.ts). */
import { paginateGetParameterHistory, type ParameterHistory, type SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorName } from '@img-mgr/kernel';

/** One version of the parameter. */
export interface PointerVersion {
  version: number;
  value: string;
  labels: string[];
  type?: string;
  dataType?: string;
  description?: string;
  modified?: string;
  modifiedBy?: string;
}

/** The parameter's kept history, oldest first; empty when it does not exist. */
export interface Pointer {
  region: string;
  name: string;
  versions: PointerVersion[];
}

/** Reads every kept version of `name` (SSM keeps the newest 100). */
export async function readPointer(
  ssm: SSMClient,
  region: string,
  name: string,
  signal?: AbortSignal,
): Promise<Pointer> {
  const versions: PointerVersion[] = [];
  try {
    const query = { Name: name, MaxResults: 50 };
    for await (const page of paginateGetParameterHistory({ client: ssm }, query, { abortSignal: signal })) {
      versions.push(...(page.Parameters ?? []).map(toVersion));
    }
  } catch (error: unknown) {
    if (awsErrorName(error) !== 'ParameterNotFound') throw error;
  }
  versions.sort((a, b) => a.version - b.version);
  return { region, name, versions };
}

function toVersion(entry: ParameterHistory): PointerVersion {
  return {
    version: entry.Version ?? 0,
    value: entry.Value ?? '',
    labels: entry.Labels ?? [],
    ...(entry.Type ? { type: entry.Type } : {}),
    ...(entry.DataType ? { dataType: entry.DataType } : {}),
    ...(entry.Description ? { description: entry.Description } : {}),
    ...(entry.LastModifiedDate ? { modified: entry.LastModifiedDate.toISOString() } : {}),
    ...(entry.LastModifiedUser ? { modifiedBy: entry.LastModifiedUser } : {}),
  };
}

/** The newest version, if any. */
export function currentVersion(pointer: Pointer): PointerVersion | undefined {
  return pointer.versions.at(-1);
}

/** The version just before the newest one, if any. */
export function previousVersion(pointer: Pointer): PointerVersion | undefined {
  return pointer.versions.at(-2);
}
