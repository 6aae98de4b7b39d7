/**
 * Whether a revert must redeploy the stack. A failed rollout ends one of two
 * ways: CloudFormation refused or rolled back the update, so the stack
 * already runs the AMI from before; or the update completed and the smoke
 * test failed, so the stack runs the rejected AMI and only a redeploy on the
 * restored one puts the site back. The stack's own record decides (its
 * ImageIdOverride and ImageId parameters, else its ImageId output), not the
 * job that failed: a deploy that failed while waiting may still have
 * completed.
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { awsErrorName, type Context } from '@img-mgr/kernel';

/** What the stack runs now, as DescribeStacks tells. */
export interface StackImage {
  exists: boolean;
  status?: string;
  /** The AMI its launch template uses, when the stack says. */
  imageId?: string;
  /** Its outputs (OutputKey to OutputValue). */
  outputs: Record<string, string>;
}

/** What the revert does about the stack. */
export interface RedeployDecision {
  /** Redeploy the stack on the restored AMI. */
  redeploy: boolean;
  /** Smoke-test the stack after the revert (it runs, or will run, the restored AMI). */
  smoke: boolean;
  /** What the stack runs: the rejected AMI, the restored one, another, or nothing the revert can use. */
  runs: 'rejected' | 'restored' | 'other' | 'unknown' | 'none';
  /** One line for the log and the summary. */
  reason: string;
}

const AMI = /^ami-[0-9a-f]{8,17}$/;

/**
 * The AMI a stack's record says it runs: its ImageIdOverride parameter, else
 * ImageId's resolved value (the parameters CloudFormation last applied,
 * rolled back with the stack), else the ImageId output (an emulator may not
 * rebuild outputs on an update).
 */
export function stackImageId(stack: Stack): string | undefined {
  const parameter = (key: string) => stack.Parameters?.find((item) => item.ParameterKey === key);
  const override = parameter('ImageIdOverride')?.ParameterValue;
  if (override && AMI.test(override)) return override;
  const image = parameter('ImageId');
  const value = image?.ResolvedValue ?? image?.ParameterValue;
  if (value && AMI.test(value)) return value;
  const output = stack.Outputs?.find((item) => item.OutputKey === 'ImageId')?.OutputValue;
  return output && AMI.test(output) ? output : undefined;
}

/** Reads what `stackName` runs; a stack that does not exist reads as such. */
export async function readStackImage(
  cfn: CloudFormationClient,
  stackName: string,
  signal: AbortSignal,
): Promise<StackImage> {
  let stack: Stack | undefined;
  // The SDK loads only when a step needs it: workflow-step's other steps start without it.
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal: signal })).Stacks?.[0];
  } catch (error: unknown) {
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(String((error as Error).message))) {
      return { exists: false, outputs: {} };
    }
    throw error;
  }
  if (!stack) return { exists: false, outputs: {} };
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  const imageId = stackImageId(stack);
  return {
    exists: true,
    ...(stack.StackStatus ? { status: stack.StackStatus } : {}),
    ...(imageId ? { imageId } : {}),
    outputs,
  };
}

/** Statuses of a stack that runs nothing: its creation failed, or it is gone. */
const EMPTY_STACK = /^(ROLLBACK_COMPLETE|ROLLBACK_FAILED|DELETE_COMPLETE|DELETE_IN_PROGRESS|REVIEW_IN_PROGRESS)$/;

/**
 * The decision for a stack that ran `rejectedAmi` in a failed rollout, once
 * the parameter is back on `restoredAmi` (equal to the rejected one, or
 * empty, when nothing ran before the run).
 */
export function redeployDecision(
  stackName: string,
  stack: StackImage,
  rejectedAmi: string,
  restoredAmi: string,
): RedeployDecision {
  if (!restoredAmi || restoredAmi === rejectedAmi) {
    return {
      redeploy: false,
      smoke: false,
      runs: 'none',
      reason: `nothing ran before this run (the parameter had no earlier AMI), so stack ${stackName} is not redeployed`,
    };
  }
  if (!stack.exists || EMPTY_STACK.test(stack.status ?? '')) {
    return {
      redeploy: false,
      smoke: false,
      runs: 'none',
      reason:
        `stack ${stackName} ${stack.exists ? `is ${stack.status ?? 'empty'}` : 'does not exist'}: ` +
        'nothing to redeploy',
    };
  }
  const status = stack.status ?? 'in an unknown status';
  // Mid-operation (a deploy job that died while CloudFormation still updated or rolled back), the record may
  // name either AMI for a while yet. deploy-stack waits for the operation to end before its change set, and a
  // redeploy onto the restored AMI is then an update or an empty change set: both safe, unlike a guess.
  if (stack.status?.endsWith('_IN_PROGRESS') && (stack.imageId === rejectedAmi || stack.imageId === restoredAmi)) {
    return {
      redeploy: true,
      smoke: true,
      runs: stack.imageId === rejectedAmi ? 'rejected' : 'restored',
      reason:
        `stack ${stackName} is still ${status}: redeploying it on ${restoredAmi} once the operation ends ` +
        '(deploy-stack waits for it)',
    };
  }
  if (stack.imageId === rejectedAmi) {
    return {
      redeploy: true,
      smoke: true,
      runs: 'rejected',
      reason: `stack ${stackName} (${status}) runs the rejected ${rejectedAmi}: redeploying it on ${restoredAmi}`,
    };
  }
  if (stack.imageId === restoredAmi) {
    return {
      redeploy: false,
      smoke: true,
      runs: 'restored',
      reason:
        `stack ${stackName} (${status}) already runs ${restoredAmi} ` +
        '(CloudFormation rolled the update back): no redeploy',
    };
  }
  if (!stack.imageId) {
    return {
      redeploy: false,
      smoke: false,
      runs: 'unknown',
      reason:
        `stack ${stackName} (${status}) names no AMI (no ImageId output or parameter): ` + 'not redeployed; look at it',
    };
  }
  return {
    redeploy: false,
    smoke: false,
    runs: 'other',
    reason:
      `stack ${stackName} (${status}) runs ${stack.imageId}, neither the rejected ${rejectedAmi} nor ${restoredAmi}: ` +
      'another deploy changed it; not redeployed',
  };
}

/** What plan-redeploy is asked. */
export interface RedeployRequest {
  stackName: string;
  /** The AMI the failed rollout published (now tagged img-mgr:rejected). */
  rejectedAmiId: string;
  /** The AMI the revert put the parameter back on ('' or the rejected one when nothing ran before). */
  restoredAmiId: string;
  region: string;
}

/** Reads the stack and decides; also returns its outputs (the reverted site's URL and bucket). */
export async function planRedeploy(
  request: RedeployRequest,
  context: Context,
): Promise<{ decision: RedeployDecision; stack: StackImage }> {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const cfn = context.clients.get(CloudFormationClient, request.region);
  const stack = await readStackImage(cfn, request.stackName, context.signal);
  const decision = redeployDecision(request.stackName, stack, request.rejectedAmiId, request.restoredAmiId);
  context.log.info(decision.reason);
  return { decision, stack };
}
