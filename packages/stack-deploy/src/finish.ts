/**
 * The end of a deploy: wait for the running operation while streaming its
 * events, then report success (termination protection, outputs) or the root
 * cause; on cancellation, cancel an update and say what goes on.
 */
import {
  CancelUpdateStackCommand,
  UpdateTerminationProtectionCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { errorMessage } from '@img-mgr/kernel';
import { rootCauses } from './events.js';
import { outputMap } from './outputs.js';
import { DeployCancelledError, DeployFailedError } from './request.js';
import { secretOutputKeys } from './secrets.js';
import { CLEANUP_CALL_MS, type Session } from './session.js';
import { isSuccess, stuckStackAdvice } from './status.js';
import type { StackWatcher } from './watch.js';

/** Waits for the operation, then reports success (outputs) or the root cause. */
export async function finish(session: Session, watcher: StackWatcher, type: 'CREATE' | 'UPDATE'): Promise<void> {
  const stack = await session.group(`Events of ${session.request.stackName}`, async () => {
    session.log(`${'time'.padEnd(8)}  ${'status'.padEnd(27)} ${'type'.padEnd(34)} ${'logical id'.padEnd(28)} reason`);
    try {
      return await session.waitFor(watcher);
    } catch (error: unknown) {
      if (session.context.signal.aborted) await onAbortWhileRunning(session, watcher, type);
      throw error;
    }
  });
  session.result.stackId = stack.StackId;
  session.result.status = stack.StackStatus;
  const status = stack.StackStatus ?? '?';
  if (!isSuccess(status)) {
    session.result.failures = rootCauses(watcher.events);
    if (session.result.failures.length === 0 && stack.StackStatusReason) {
      session.result.failures = [
        {
          logicalId: session.request.stackName,
          type: 'AWS::CloudFormation::Stack',
          status,
          reason: stack.StackStatusReason,
        },
      ];
    }
    logRootCause(session, status);
    const first = session.result.failures[0];
    const more = session.result.failures.length > 1 ? ` (and ${session.result.failures.length - 1} more)` : '';
    const advice = stuckStackAdvice(
      status,
      session.request.stackName,
      status.endsWith('_FAILED') ? await session.failedResources() : [],
    );
    throw new DeployFailedError(
      `Stack ${session.request.stackName} ended in ${status}` +
        (first ? `: ${first.logicalId} (${first.type}) ${first.status}: ${first.reason}${more}` : ''),
      session.result,
      advice ? `${advice.why[0]?.toUpperCase() ?? ''}${advice.why.slice(1)}; ${advice.next}` : undefined,
    );
  }
  await applyTerminationProtection(session, stack, type);
  recordOutputs(session, stack);
}

/**
 * The stack's outputs on the result, the secret ones masked first. Also after an empty change set: the
 * stack's outputs are what a next step (a smoke test's Url and bucket) reads, changed or not.
 */
export function recordOutputs(session: Session, stack: Stack): void {
  session.result.outputs = outputMap(stack.Outputs);
  session.result.secretOutputs = secretOutputKeys(session.result.outputs, session.noEcho, session.outputExpressions);
  for (const key of session.result.secretOutputs) session.context.log.secret(session.result.outputs[key] ?? '');
  logOutputs(session);
}

function logRootCause(session: Session, status: string): void {
  session.log('');
  session.log(`Root cause: stack ${session.request.stackName} is ${status}`);
  if (session.result.failures.length === 0)
    session.log('  (CloudFormation gave no failed resources; see the events above)');
  for (const failure of session.result.failures) {
    session.log(`  ${failure.logicalId} (${failure.type}) ${failure.status}: ${failure.reason}`);
  }
}

function logOutputs(session: Session): void {
  const entries = Object.entries(session.result.outputs);
  if (entries.length === 0) return;
  session.log('Outputs:');
  const hidden = new Set(session.result.secretOutputs);
  for (const [key, value] of entries)
    session.log(`  ${key} = ${hidden.has(key) ? '*** (it carries a NoEcho parameter)' : value}`);
}

/**
 * Termination protection on an existing stack (or after a change-set
 * create): UpdateTerminationProtection, only when it differs. A failure
 * fails the deploy, since the protection the user asked for is not there.
 */
async function applyTerminationProtection(session: Session, stack: Stack, type: 'CREATE' | 'UPDATE'): Promise<void> {
  const wanted = session.request.terminationProtection;
  if (wanted === undefined || Boolean(stack.EnableTerminationProtection) === wanted) return;
  try {
    const input = { StackName: stack.StackId ?? session.request.stackName, EnableTerminationProtection: wanted };
    await session.cfn.send(session.count(new UpdateTerminationProtectionCommand(input)));
    session.log(`Termination protection turned ${wanted ? 'on' : 'off'}`);
  } catch (error: unknown) {
    throw new DeployFailedError(
      `Stack ${session.request.stackName} was ${type === 'CREATE' ? 'created' : 'updated'}, ` +
        `but turning termination protection ${wanted ? 'on' : 'off'} failed: ${errorMessage(error)}`,
      session.result,
      'Set it with "aws cloudformation update-termination-protection" or run the deploy again',
    );
  }
}

/** On abort: cancel a running update (when allowed) and say what goes on in CloudFormation. */
async function onAbortWhileRunning(session: Session, watcher: StackWatcher, type: 'CREATE' | 'UPDATE'): Promise<void> {
  const name = session.request.stackName;
  if (type === 'UPDATE' && session.request.cancelOnAbort !== false) {
    try {
      // Bounded, so that the step still exits within seconds of the cancellation.
      await session.cfn.send(session.count(new CancelUpdateStackCommand({ StackName: watcher.stackId })), {
        abortSignal: AbortSignal.timeout(CLEANUP_CALL_MS),
      });
      throw new DeployCancelledError(
        `Cancelled: sent CancelUpdateStack for ${name}; CloudFormation rolls the update back`,
      );
    } catch (error: unknown) {
      if (error instanceof DeployCancelledError) throw error;
      throw new DeployCancelledError(
        `Cancelled: CancelUpdateStack for ${name} failed (${errorMessage(error)}); the update may still be running`,
      );
    }
  }
  const why =
    type === 'UPDATE'
      ? 'cancel-on-abort is false, so the update goes on'
      : 'a stack creation cannot be cancelled; it goes on (delete the stack if it is not wanted)';
  throw new DeployCancelledError(`Cancelled while waiting for ${name}: ${why}`);
}
