/**
 * The change set: create it, wait until CloudFormation has computed it, tell
 * an empty one from a broken one, and delete it when the deploy stops before
 * executing it.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  paginateDescribeChangeSet,
  type Capability,
  type CreateStackCommandInput,
  type DescribeChangeSetCommandOutput,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { awsErrorName, errorMessage, formatDuration, poll } from '@img-mgr/kernel';
import { changeRows } from './plan.js';
import { DeployFailedError, type DeployRequest } from './request.js';
import { CLEANUP_CALL_MS, type Session } from './session.js';
import type { TemplateArgs } from './template-parameters.js';
import { asRefusal } from './refusals.js';

/** "run 12 attempt 1" or "local run", for a change set's description. */
function runLabel(run: DeployRequest['run']): string {
  return run?.runId ? `run ${run.runId} attempt ${run.runAttempt ?? '1'}` : 'local run';
}

/** Change-set polling: a change set is usually ready within a few seconds. */
const CHANGE_SET_POLL = { minIntervalMs: 200, maxIntervalMs: 1_000 };

/**
 * CloudFormation says that a change set would change nothing only in text:
 * a FAILED change set whose StatusReason says it "didn't contain changes",
 * or (moto, and UpdateStack-style validation) a ValidationError "No updates
 * are to be performed". There is no status or error code for it.
 */
function isEmptyChangeSetText(text: string): boolean {
  return /didn't contain changes|No updates are to be performed/i.test(text);
}

/** What a change set and a direct CreateStack both send: capabilities, tags, role, notifications. */
export function sharedStackArgs(
  session: Session,
): Pick<CreateStackCommandInput, 'Capabilities' | 'Tags' | 'RoleARN' | 'NotificationARNs'> {
  const { request } = session;
  return {
    Capabilities: request.capabilities?.length ? (request.capabilities as Capability[]) : undefined,
    Tags: request.tags?.length ? [...request.tags] : undefined,
    RoleARN: request.roleArn,
    NotificationARNs: request.notificationArns?.length ? [...request.notificationArns] : undefined,
  };
}

/** Creates the change set and waits for it; undefined when it is empty (no-changes handled). */
export async function createChangeSet(
  session: Session,
  name: string,
  type: 'CREATE' | 'UPDATE',
  templateArgs: TemplateArgs,
  parameters: Parameter[],
): Promise<DescribeChangeSetCommandOutput | undefined> {
  const { request } = session;
  let created;
  try {
    created = await session.cfn.send(
      session.count(
        new CreateChangeSetCommand({
          StackName: request.stackName,
          ChangeSetName: name,
          ChangeSetType: type,
          Description: `deploy-stack ${runLabel(request.run)}`,
          ...templateArgs,
          Parameters: parameters,
          ...sharedStackArgs(session),
          OnStackFailure: type === 'CREATE' && request.disableRollback ? 'DO_NOTHING' : undefined,
        }),
      ),
    );
  } catch (error: unknown) {
    if (awsErrorName(error) === 'ValidationError' && isEmptyChangeSetText(errorMessage(error))) {
      session.result.changeSetName = undefined; // CloudFormation created none
      return empty(session, errorMessage(error));
    }
    throw asRefusal(error, request);
  }
  session.pendingChangeSet = created.Id ?? name;
  session.result.changeSetId = created.Id;
  session.result.stackId = created.StackId;
  const changeSet = await waitForChangeSet(session, created.Id ?? name);
  if (changeSet.Status === 'FAILED') {
    const reason = changeSet.StatusReason ?? 'no reason given';
    if (isEmptyChangeSetText(reason)) {
      await deletePendingChangeSet(session);
      return empty(session, reason);
    }
    throw new DeployFailedError(
      `Change set ${name} failed: ${reason}`,
      session.result,
      'Fix the template or parameters and deploy again',
    );
  }
  session.logChanges(changeRows(changeSet.Changes));
  return changeSet;
}

/** An empty change set: success with no-changes, or a failure when asked. */
function empty(session: Session, reason: string): undefined {
  session.result.noChanges = true;
  session.recordPlan([], true);
  session.log(`No changes: ${reason.trim()}`);
  if (session.request.failOnEmptyChangeSet) {
    throw new DeployFailedError(
      `Stack ${session.request.stackName} has no changes to deploy and fail-on-empty-changeset is true`,
      session.result,
    );
  }
  return undefined;
}

/**
 * Waits until the change set is CREATE_COMPLETE or FAILED, with the kernel's
 * `poll`. (The SDK's waitUntilChangeSetCreateComplete throws on FAILED
 * without the StatusReason that tells an empty change set from a broken
 * one, and cannot be given the deploy's clock.)
 */
async function waitForChangeSet(session: Session, id: string): Promise<DescribeChangeSetCommandOutput> {
  let status: string | undefined;
  return poll<DescribeChangeSetCommandOutput>(
    async () => {
      const changeSet = await describeChangeSet(session, id);
      status = changeSet.Status;
      const done = changeSet.Status === 'CREATE_COMPLETE' || changeSet.Status === 'FAILED';
      return done ? { done, value: changeSet } : { done };
    },
    {
      timeoutMs: session.deadline - session.now(),
      timeoutMessage: () =>
        `Timed out after ${formatDuration(session.request.waitTimeoutMs)} (wait-timeout): ` +
        `change set ${id} is still ${status ?? 'pending'}`,
      ...CHANGE_SET_POLL,
      signal: session.context.signal,
      ...session.clock,
    },
  );
}

/** DescribeChangeSet; once the change set is complete, with all pages of its changes. */
export async function describeChangeSet(session: Session, id: string): Promise<DescribeChangeSetCommandOutput> {
  let first: DescribeChangeSetCommandOutput | undefined;
  const input = { ChangeSetName: id, StackName: session.request.stackName };
  for await (const page of paginateDescribeChangeSet({ client: session.cfn, withCommand: session.count }, input)) {
    if (!first) first = page;
    else first.Changes = [...(first.Changes ?? []), ...(page.Changes ?? [])];
    if (first.Status !== 'CREATE_COMPLETE') break; // the changes are read once it is complete
  }
  if (!first) throw new Error(`DescribeChangeSet returned nothing for ${id}`);
  return first;
}

export async function deletePendingChangeSet(session: Session): Promise<void> {
  const id = session.pendingChangeSet;
  if (!id) return;
  session.pendingChangeSet = undefined;
  try {
    await session.cfn.send(
      session.count(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: session.request.stackName })),
      {
        abortSignal: AbortSignal.timeout(CLEANUP_CALL_MS),
      },
    );
    session.log(`Deleted the unexecuted change set ${session.result.changeSetName ?? id}`);
  } catch (error: unknown) {
    session.warn(`Could not delete the change set ${id}: ${errorMessage(error)}`);
  }
}
