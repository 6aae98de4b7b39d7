/**
 * deployStack: create or update a stack through a change set, wait for it
 * while streaming events, and report outputs or the root cause. It is given
 * the caller's Context (logger, cancellation signal, environment, clients),
 * so the CLI calls it as well as the action.
 *
 * This file holds the order of the steps; each step lives in the file named
 * after it: existing-stack.ts, operation.ts, template-parameters.ts,
 * change-set.ts, create-stack.ts, execute.ts, finish.ts.
 */
import { InvalidRequestError, type Context } from '@img-mgr/kernel';
import { deletePendingChangeSet, createChangeSet } from './change-set.js';
import { createStackDirectly } from './create-stack.js';
import { execute, executeNamed } from './execute.js';
import { settledStack } from './existing-stack.js';
import { recordOutputs } from './finish.js';
import { changeSetName as makeChangeSetName } from './names.js';
import { checkLaunchKey } from './launch-key-preflight.js';
import { chooseOperation } from './operation.js';
import { changeRows } from './plan.js';
import type { DeployRequest, DeployResult } from './request.js';
import { Session } from './session.js';
import {
  checkAllowed,
  checkOverrides,
  declaredParameters,
  loadTemplate,
  parameters as stackParameters,
  registerSecrets,
  requireValues,
  templateArgs as makeTemplateArgs,
} from './template-parameters.js';
import type { Clock } from './watch.js';

export {
  DeployCancelledError,
  DeployFailedError,
  type DeployMode,
  type DeployRequest,
  type DeployResult,
} from './request.js';

/**
 * Creates or updates the stack; resolves with the result or throws
 * DeployFailedError, DeployCancelledError, InvalidRequestError (naming the
 * request field) or TimeoutError. `clock` is for tests.
 */
export async function deployStack(request: DeployRequest, context: Context, clock: Clock = {}): Promise<DeployResult> {
  const session = new Session(request, context, clock);
  try {
    if (request.mode === 'execute') await executeNamed(session);
    else await createAndMaybeExecute(session);
    return session.result;
  } finally {
    await deletePendingChangeSet(session);
  }
}

/** create-and-execute and plan modes. */
async function createAndMaybeExecute(session: Session): Promise<void> {
  const { request, result } = session;
  if (!request.template) throw new InvalidRequestError('template', `is required in ${request.mode} mode`);
  const template = loadTemplate(session, request.template);
  // Before anything waits for, deletes or changes the stack: a bad override is bad input.
  const declaredFacts = await declaredParameters(session, template);
  registerSecrets(session, declaredFacts);
  const declared = new Set(declaredFacts.keys());
  checkOverrides(session, declared);
  checkAllowed(session, declaredFacts);
  await launchKeyPreflight(session);
  // A stack about to be deleted and created again: a missing value must fail before the delete.
  const beforeCreate = (): void => requireValues(session, declaredFacts, new Set(), 'CREATE');
  let stack = await session.group(`Stack ${request.stackName}`, () => settledStack(session, beforeCreate));
  const operation = chooseOperation(stack, request);
  const { changeSetType } = operation;
  result.stackId = stack?.StackId;
  result.status = stack?.StackStatus;
  result.changeSetType = changeSetType;
  const parameters = stackParameters(session, declaredFacts, stack, changeSetType);
  const templateArgs = await makeTemplateArgs(session, template);
  session.checkAbort();

  if (operation.kind === 'create-stack') {
    await createStackDirectly(session, templateArgs, parameters, template.body);
    return;
  }

  if (request.timeoutInMinutes !== undefined) {
    session.warn(
      'timeout-in-minutes is not applied: CloudFormation takes it only when the action creates a new stack ' +
        `with CreateStack, not with a ${changeSetType === 'CREATE' ? 'plan' : 'stack update'}`,
    );
  }
  const name = makeChangeSetName(request.run ?? {}, session.now());
  result.changeSetName = name;
  const changeSet = await session.group(`Change set ${name} (${changeSetType})`, () =>
    createChangeSet(session, name, changeSetType, templateArgs, parameters),
  );
  if (!changeSet) {
    // Empty (handled): the stack as it is, outputs included, is the result.
    if (stack) recordOutputs(session, stack);
    return;
  }
  session.recordPlan(changeRows(changeSet.Changes));
  if (request.mode === 'plan') {
    session.pendingChangeSet = undefined; // kept on purpose, for a later execute
    stack = await session.describeStack();
    result.status = stack?.StackStatus;
    session.log(
      `Plan ready: change set ${name} was created and not executed; ` +
        `run mode execute with change-set-name ${name} to apply it.`,
    );
    return;
  }
  await execute(session, result.changeSetId ?? name, changeSetType, stack);
}

/**
 * A template with an Auto Scaling group launches through AWSServiceRoleForAutoScaling: its launch key is checked
 * before the stack is waited for, deleted or changed. A plan launches nothing, so it is not checked there.
 */
async function launchKeyPreflight(session: Session): Promise<void> {
  const { request } = session;
  if (!request.checkLaunchKey || request.mode === 'plan') return;
  if (!session.resourceTypes.has('AWS::AutoScaling::AutoScalingGroup')) return;
  const roles = groupRoles(session);
  if (roles && roles.custom.length === 0 && !roles.includeDefault) return;
  const verdict = await checkLaunchKey(
    { region: request.region, keyId: request.launchKmsKey, field: 'launchKmsKey', mark: session.count, roles },
    session.context,
  );
  session.log(`Launch key: ${verdict.reason}`);
}

/**
 * The roles the template's groups launch through (undefined when the template was not read locally: the default
 * role). A group whose ServiceLinkedRoleARN is an expression is skipped with a warning: its role is not known yet.
 */
function groupRoles(session: Session): { custom: string[]; includeDefault: boolean } | undefined {
  if (!session.launchRoles) return undefined;
  const roles = { custom: [] as string[], includeDefault: false };
  for (const [group, role] of session.launchRoles) {
    if (role.kind === 'default') roles.includeDefault = true;
    else if (role.kind === 'arn') roles.custom.push(role.arn);
    else
      session.warn(
        `Launch key: Auto Scaling group ${group} sets ServiceLinkedRoleARN by an expression, known only when ` +
          'CloudFormation resolves it; the launch key is not checked for its role',
      );
  }
  return roles;
}
