/** What every operation of this package is given by its caller (action or CLI). */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createClient } from '@img-mgr/kernel/aws';

export interface RunContext {
  /** Where progress lines go (the action's log, a CLI's stderr). */
  log: (line: string) => void;
  /** Aborts waits and polls (the job was cancelled). */
  signal?: AbortSignal;
  /** Pause between polls of a pending AMI or an unconfirmed version (default 5 s / 1 s). */
  pollIntervalMs?: number;
  /** Who calls, for the user agent (default publish-ami). */
  caller?: string;
}

/** The clients one region needs. */
export interface RegionClients {
  ssm: SSMClient;
  ec2: EC2Client;
}

/** SSM and EC2 clients for `region`, with the shared retry and endpoint rules. */
export function clientsFor(region: string, context: RunContext): RegionClients {
  const options = { region, caller: context.caller ?? 'publish-ami', log: context.log };
  return {
    ssm: createClient(SSMClient, { ...options, service: 'SSM' }),
    ec2: createClient(EC2Client, { ...options, service: 'EC2' }),
  };
}

/** Error name of an AWS SDK error ('' for anything else). */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === 'object' && '$metadata' in error && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return '';
}

/**
 * Runs `work` for every item; the first failure aborts the others (through
 * the signal each one gets) and is rethrown, so no wait outlives the step.
 */
export async function allOrAbort<T, R>(
  items: readonly T[],
  work: (item: T, signal: AbortSignal) => Promise<R>,
  outer?: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await Promise.all(
      items.map(async (item) => {
        try {
          return await work(item, controller.signal);
        } catch (error: unknown) {
          controller.abort(error);
          throw error;
        }
      }),
    );
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
