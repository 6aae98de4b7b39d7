/**
 * What still uses an AMI in a region, with why: SSM pointers (every
 * version a rollback, promotion or revert could select), launch template versions, CloudFormation
 * stack parameters and outputs, and instances that are not terminated.
 * Pruning keeps every AMI this finds.
 */
import { paginateDescribeStacks, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { paginateGetParametersByPath, type SSMClient } from '@aws-sdk/client-ssm';
import { readPointer, type Pointer } from './pointer.js';
import { readRejections, selectableAmis, valuesOf, type Rejections } from './selection.js';

/** AMI id → every reason it is in use. */
export type References = Map<string, string[]>;

/** Where to look, and how far back an SSM pointer's history counts. */
export interface ReferenceScope {
  region: string;
  /** The pointer publish-ami writes (looked at whatever its data type or path). */
  parameterName: string;
  /** Every aws:ec2:image parameter under this path counts too (other environments' pointers). */
  referencePath: string;
  /** The newest K versions of each pointer can be rolled back to, so their AMIs stay. */
  rollbackWindow: number;
  signal: AbortSignal;
}

/** The clients the lookups need. */
export interface ReferenceClients {
  ssm: SSMClient;
  ec2: EC2Client;
  cfn: CloudFormationClient;
}

/** AMI ids in a text: a stack parameter or output can hold one, or a comma-separated list. */
const AMI_IN_TEXT = /\bami-(?:[0-9a-f]{17}|[0-9a-f]{8})\b/g;

/** Adds `reason` to each AMI id found in `text`. */
export function addReference(references: References, text: string | undefined, reason: string): void {
  for (const amiId of text?.match(AMI_IN_TEXT) ?? []) {
    const reasons = references.get(amiId) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    references.set(amiId, reasons);
  }
}

/** Every reference in the region, gathered from SSM, launch templates, stacks and instances. */
export async function findReferences(clients: ReferenceClients, scope: ReferenceScope): Promise<References> {
  const references: References = new Map();
  const found = await pointers(clients.ssm, scope);
  const rejections = await readRejections(clients.ec2, valuesOf(found), scope.signal);
  for (const pointer of found) pointerReferences(references, pointer, scope.rollbackWindow, rejections);
  await launchTemplateReferences(clients.ec2, references, scope.signal);
  await stackReferences(clients.cfn, references, scope.signal);
  await instanceReferences(clients.ec2, references, scope.signal);
  return references;
}

/**
 * The pointer publish-ami writes and every aws:ec2:image parameter under the
 * path. DescribeParameters' DataType filter is not available everywhere
 * (moto refuses it), and GetParametersByPath returns the data type anyway,
 * so the filter is applied here.
 */
async function pointers(ssm: SSMClient, scope: ReferenceScope): Promise<Pointer[]> {
  const names = new Set([scope.parameterName]);
  const query = { Path: scope.referencePath, Recursive: true };
  for await (const page of paginateGetParametersByPath({ client: ssm }, query, { abortSignal: scope.signal })) {
    for (const parameter of page.Parameters ?? []) {
      if (parameter.Name && parameter.DataType === 'aws:ec2:image') names.add(parameter.Name);
    }
  }
  const result: Pointer[] = [];
  for (const name of names) result.push(await readPointer(ssm, scope.region, name, scope.signal));
  return result;
}

/**
 * A pointer protects every AMI that a rollback, a promotion or a revert
 * could still select from it, by the rule those modes choose with
 * (selection.ts): its current value, what `rollback-to: previous` selects
 * (past rejected AMIs), what a revert republishes, every labelled version's
 * value and the values of its newest `rollbackWindow` versions.
 */
export function pointerReferences(
  references: References,
  pointer: Pointer,
  rollbackWindow: number,
  rejections: Rejections = new Map(),
): void {
  for (const { amiId, reason } of selectableAmis(pointer, rejections, rollbackWindow))
    addReference(references, amiId, reason);
}

/** Every version of every launch template (an Auto Scaling group may launch any of them). */
async function launchTemplateReferences(ec2: EC2Client, references: References, signal: AbortSignal): Promise<void> {
  for await (const page of paginateDescribeLaunchTemplates({ client: ec2 }, {}, { abortSignal: signal })) {
    for (const template of page.LaunchTemplates ?? []) {
      if (!template.LaunchTemplateId) continue;
      const query = { LaunchTemplateId: template.LaunchTemplateId };
      for await (const versions of paginateDescribeLaunchTemplateVersions({ client: ec2 }, query, {
        abortSignal: signal,
      })) {
        for (const version of versions.LaunchTemplateVersions ?? []) {
          addReference(
            references,
            version.LaunchTemplateData?.ImageId,
            `launch template ${template.LaunchTemplateName ?? template.LaunchTemplateId} version ` +
              `${version.VersionNumber ?? '?'}`,
          );
        }
      }
    }
  }
}

/** Parameters (with the resolved value of SSM-typed ones) and outputs of every stack. */
async function stackReferences(cfn: CloudFormationClient, references: References, signal: AbortSignal): Promise<void> {
  for await (const page of paginateDescribeStacks({ client: cfn }, {}, { abortSignal: signal })) {
    for (const stack of page.Stacks ?? []) {
      const name = stack.StackName ?? '?';
      for (const parameter of stack.Parameters ?? []) {
        const reason = `parameter ${parameter.ParameterKey ?? '?'} of stack ${name}`;
        addReference(references, parameter.ParameterValue, reason);
        addReference(references, parameter.ResolvedValue, reason);
      }
      for (const output of stack.Outputs ?? [])
        addReference(references, output.OutputValue, `output ${output.OutputKey ?? '?'} of stack ${name}`);
    }
  }
}

/** Instances in any state but terminated: a stopped instance still starts from its AMI's snapshots. */
async function instanceReferences(ec2: EC2Client, references: References, signal: AbortSignal): Promise<void> {
  const states = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];
  const query = { Filters: [{ Name: 'instance-state-name', Values: states }] };
  for await (const page of paginateDescribeInstances({ client: ec2 }, query, { abortSignal: signal })) {
    for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
      if (instance.ImageId && instance.InstanceId) {
        addReference(
          references,
          instance.ImageId,
          `used by instance ${instance.InstanceId} (${instance.State?.Name ?? 'unknown state'})`,
        );
      }
    }
  }
}
