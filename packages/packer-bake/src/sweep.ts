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
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import { retry } from '@img-mgr/kernel';
import { RUN_ID_TAG } from './images.js';

/** What the main step saw Packer create (from its output). */
export interface RunResources {
  instanceIds: string[];
  keyPairs: string[];
  securityGroups: string[];
}

export interface SweepRequest extends Partial<RunResources> {
  runId: string;
  tagKey?: string;
}

export interface SweepOptions {
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** How long to wait for terminated instances to release their security groups (default 120 s). */
  waitMs?: number;
  pollMs?: number;
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
export async function sweepRunLeftovers(ec2: EC2Client, request: SweepRequest, options: SweepOptions = {}): Promise<SweepResult> {
  const { log = () => undefined, signal, waitMs = 120_000, pollMs = 2_000 } = options;
  const tagKey = request.tagKey ?? RUN_ID_TAG;
  const result: SweepResult = { terminatedInstances: [], deletedKeyPairs: [], deletedSecurityGroups: [], failures: [] };
  const keyPairs = new Set((request.keyPairs ?? []).filter((name) => PACKER_TEMP.test(name)));
  const groupNames = new Set((request.securityGroups ?? []).filter((name) => PACKER_TEMP.test(name)));
  const groupIds = new Set<string>();

  const instances = [
    ...(await describeInstances(ec2, [{ Name: `tag:${tagKey}`, Values: [request.runId] }], signal)),
    ...(request.instanceIds?.length
      ? await describeInstances(ec2, [{ Name: 'instance-id', Values: request.instanceIds }], signal)
      : []),
  ];
  const live = new Map<string, Instance>();
  for (const instance of instances) {
    if (!instance.InstanceId) continue;
    if (instance.KeyName && PACKER_TEMP.test(instance.KeyName)) keyPairs.add(instance.KeyName);
    for (const group of instance.SecurityGroups ?? []) {
      if (group.GroupId && PACKER_TEMP.test(group.GroupName ?? '')) groupIds.add(group.GroupId);
    }
    if (LIVE_STATES.includes(instance.State?.Name ?? '')) live.set(instance.InstanceId, instance);
  }
  if (live.size > 0) {
    const ids = [...live.keys()];
    log(`Terminating ${ids.length} instance(s) of run ${request.runId}: ${ids.join(', ')}`);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }), { abortSignal: signal });
    result.terminatedInstances.push(...ids);
    await waitTerminated(ec2, ids, { waitMs, pollMs, log, ...(signal ? { signal } : {}) });
  }

  for (const pair of await describeKeyPairs(ec2, [{ Name: `tag:${tagKey}`, Values: [request.runId] }], signal)) {
    if (pair.KeyName) keyPairs.add(pair.KeyName);
  }
  for (const name of keyPairs) {
    const exists = await describeKeyPairs(ec2, [{ Name: 'key-name', Values: [name] }], signal);
    if (exists.length === 0) continue;
    log(`Deleting key pair ${name}`);
    await ec2.send(new DeleteKeyPairCommand({ KeyName: name }), { abortSignal: signal });
    result.deletedKeyPairs.push(name);
  }

  const groupFilters: Filter[][] = [[{ Name: `tag:${tagKey}`, Values: [request.runId] }]];
  if (groupNames.size > 0) groupFilters.push([{ Name: 'group-name', Values: [...groupNames] }]);
  for (const filters of groupFilters) {
    const page = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }), { abortSignal: signal });
    for (const group of page.SecurityGroups ?? []) if (group.GroupId) groupIds.add(group.GroupId);
  }
  if (groupIds.size > 0) {
    const existing = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [...groupIds] }] }),
      { abortSignal: signal },
    );
    for (const group of existing.SecurityGroups ?? []) {
      if (!group.GroupId) continue;
      const groupId = group.GroupId;
      log(`Deleting security group ${groupId} (${group.GroupName ?? ''})`);
      try {
        // A terminating instance holds its group for a while: DependencyViolation is retried.
        await retry('EC2.DeleteSecurityGroup', () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }), { abortSignal: signal }), {
          attempts: 8,
          baseMs: 1_000,
          capMs: 15_000,
          isRetryable: (error) => (error as { name?: string }).name === 'DependencyViolation',
          log,
          ...(signal ? { signal } : {}),
        });
        result.deletedSecurityGroups.push(groupId);
      } catch (error: unknown) {
        result.failures.push(`security group ${groupId}: ${(error as { message?: string }).message ?? String(error)}`);
      }
    }
  }
  return result;
}

async function describeInstances(ec2: EC2Client, filters: Filter[], signal?: AbortSignal): Promise<Instance[]> {
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({ Filters: filters, ...(nextToken ? { NextToken: nextToken } : {}) }),
      { abortSignal: signal },
    );
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return instances;
}

async function describeKeyPairs(ec2: EC2Client, filters: Filter[], signal?: AbortSignal): Promise<{ KeyName?: string }[]> {
  const page = await ec2.send(new DescribeKeyPairsCommand({ Filters: filters }), { abortSignal: signal });
  return page.KeyPairs ?? [];
}

async function waitTerminated(
  ec2: EC2Client,
  ids: string[],
  options: { waitMs: number; pollMs: number; log: (line: string) => void; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const instances = await describeInstances(ec2, [{ Name: 'instance-id', Values: ids }], options.signal);
    const pending = instances.filter((instance) => instance.State?.Name !== 'terminated');
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      options.log(`Instances still not terminated after ${Math.round(options.waitMs / 1000)} s: ${pending.map((i) => i.InstanceId).join(', ')}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
