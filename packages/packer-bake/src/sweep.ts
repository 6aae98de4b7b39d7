/**
 * The post-step sweep: deletes what a cancelled or killed Packer run may have
 * left behind. Packer 1.6 cannot tag its temporary key pair and security
 * group, so they are found three ways: by name (recorded by the main step from
 * Packer's output), through the instances tagged with the run id (their key
 * name and `packer_*` groups) and by the run-id tag (newer Packer versions).
 */
import {
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeKeyPairsCommand,
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeSecurityGroups,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
  type Filter,
  type Instance,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { errorMessage, formatDuration, type Context } from '@img-mgr/kernel';
import { RUN_ID_TAG } from './images.js';

/** What the main step saw Packer create (from its output). */
export interface RunResources {
  instanceIds: string[];
  keyPairs: string[];
  securityGroups: string[];
}

export interface SweepRequest extends Partial<RunResources> {
  runId: string;
  /** The build region, where Packer created them. */
  region: string;
  tagKey?: string;
  /** How long to wait for the run's instances to terminate and release their security groups (default 3 min). */
  waitMs?: number;
}

export interface SweepResult {
  terminatedInstances: string[];
  deletedKeyPairs: string[];
  deletedSecurityGroups: string[];
  /** Resources that could not be deleted, with the reason. */
  failures: string[];
}

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
/** Packer names its temporary key pairs and security groups `packer_<uuid>`. */
const PACKER_TEMP = /^packer[_-]/;

/** Terminates this run's instances and deletes its temporary key pairs and security groups. */
export async function sweepRunLeftovers(request: SweepRequest, context: Context): Promise<SweepResult> {
  const ec2 = context.clients.get(EC2Client, request.region);
  const { signal } = context;
  const runFilter: Filter = { Name: `tag:${request.tagKey ?? RUN_ID_TAG}`, Values: [request.runId] };
  const result: SweepResult = { terminatedInstances: [], deletedKeyPairs: [], deletedSecurityGroups: [], failures: [] };
  const keyPairs = new Set((request.keyPairs ?? []).filter((name) => PACKER_TEMP.test(name)));
  const groupNames = new Set((request.securityGroups ?? []).filter((name) => PACKER_TEMP.test(name)));
  const groupIds = new Set<string>();

  const instances = [
    ...(await describeInstances(ec2, [runFilter], signal)),
    ...(request.instanceIds?.length
      ? await describeInstances(ec2, [{ Name: 'instance-id', Values: request.instanceIds }], signal)
      : []),
  ];
  const live = new Set<string>();
  const notTerminated = new Set<string>();
  for (const instance of instances) {
    if (!instance.InstanceId) continue;
    if (instance.KeyName && PACKER_TEMP.test(instance.KeyName)) keyPairs.add(instance.KeyName);
    for (const group of instance.SecurityGroups ?? []) {
      if (group.GroupId && PACKER_TEMP.test(group.GroupName ?? '')) groupIds.add(group.GroupId);
    }
    if (LIVE_STATES.includes(instance.State?.Name ?? '')) live.add(instance.InstanceId);
    if (instance.State?.Name !== 'terminated') notTerminated.add(instance.InstanceId);
  }
  if (live.size > 0) {
    const ids = [...live];
    context.log.info(`Terminating ${ids.length} instance(s) of run ${request.runId}: ${ids.join(', ')}`);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }), { abortSignal: signal });
    result.terminatedInstances.push(...ids);
  }
  // An instance holds its security groups until it is terminated (Packer's own, shutting down, too).
  if (notTerminated.size > 0) await waitTerminated(ec2, [...notTerminated], request.waitMs ?? 180_000, context);

  for (const pair of await describeKeyPairs(ec2, [runFilter], signal)) {
    if (pair.KeyName) keyPairs.add(pair.KeyName);
  }
  for (const name of keyPairs) {
    const exists = await describeKeyPairs(ec2, [{ Name: 'key-name', Values: [name] }], signal);
    if (exists.length === 0) continue;
    context.log.info(`Deleting key pair ${name}`);
    await ec2.send(new DeleteKeyPairCommand({ KeyName: name }), { abortSignal: signal });
    result.deletedKeyPairs.push(name);
  }

  const groupFilters: Filter[][] = [[runFilter]];
  if (groupNames.size > 0) groupFilters.push([{ Name: 'group-name', Values: [...groupNames] }]);
  for (const filters of groupFilters) {
    for (const group of await describeSecurityGroups(ec2, filters, signal))
      if (group.GroupId) groupIds.add(group.GroupId);
  }
  if (groupIds.size === 0) return result;
  for (const group of await describeSecurityGroups(ec2, [{ Name: 'group-id', Values: [...groupIds] }], signal)) {
    if (!group.GroupId) continue;
    context.log.info(`Deleting security group ${group.GroupId} (${group.GroupName ?? ''})`);
    try {
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId }), { abortSignal: signal });
      result.deletedSecurityGroups.push(group.GroupId);
    } catch (error: unknown) {
      if (signal.aborted) throw error;
      result.failures.push(`security group ${group.GroupId}: ${errorMessage(error)}`);
    }
  }
  return result;
}

/**
 * Waits (the SDK's InstanceTerminated waiter) until `ids` are terminated.
 * Not reaching it is logged, not thrown: the sweep still deletes what it
 * can, and a group an instance still holds is reported as a failure.
 */
async function waitTerminated(ec2: EC2Client, ids: string[], waitMs: number, context: Context): Promise<void> {
  context.log.info(`Waiting up to ${formatDuration(waitMs)} for ${ids.join(', ')} to terminate`);
  // Seconds, as the waiter counts; it checks at once, then every 2 to 15 s (jittered).
  const waiter = { client: ec2, minDelay: 2, maxDelay: 15, abortSignal: context.signal };
  try {
    await waitUntilInstanceTerminated(
      { ...waiter, maxWaitTime: Math.max(3, Math.ceil(waitMs / 1000)) },
      { InstanceIds: ids },
    );
  } catch (error: unknown) {
    context.signal.throwIfAborted();
    // The waiter's own message is a JSON dump of its last response.
    const why =
      (error as Error).name === 'TimeoutError' ? 'timed out' : 'an instance is in a state it does not terminate from';
    context.log.warn(
      `${ids.join(', ')} not terminated within ${formatDuration(waitMs)} (${why}); deleting what can be deleted`,
    );
  }
}

async function describeInstances(ec2: EC2Client, filters: Filter[], signal: AbortSignal): Promise<Instance[]> {
  const instances: Instance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
    signal.throwIfAborted();
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
  }
  return instances;
}

async function describeSecurityGroups(
  ec2: EC2Client,
  filters: Filter[],
  signal: AbortSignal,
): Promise<SecurityGroup[]> {
  const groups: SecurityGroup[] = [];
  for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, { Filters: filters })) {
    signal.throwIfAborted();
    groups.push(...(page.SecurityGroups ?? []));
  }
  return groups;
}

/** DescribeKeyPairs has no paging: one call answers every match. */
async function describeKeyPairs(
  ec2: EC2Client,
  filters: Filter[],
  signal: AbortSignal,
): Promise<{ KeyName?: string }[]> {
  const page = await ec2.send(new DescribeKeyPairsCommand({ Filters: filters }), { abortSignal: signal });
  return page.KeyPairs ?? [];
}
