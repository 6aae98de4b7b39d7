/**
 * A new stack made with CreateStack instead of a change set (see
 * chooseOperation in operation.ts for when): CreateStack is the only call
 * that carries a creation timeout and termination protection.
 */
import { CreateStackCommand, type Parameter } from '@aws-sdk/client-cloudformation';
import { sharedStackArgs } from './change-set.js';
import { finish } from './finish.js';
import { changeSetName as makeChangeSetName } from './names.js';
import type { Session } from './session.js';
import { templateFacts } from './template-source.js';
import type { TemplateArgs } from './template-parameters.js';
import { asRefusal } from './refusals.js';

/** Creates the stack with CreateStack and waits for it; the plan lists every resource of a local template as Add. */
export async function createStackDirectly(
  session: Session,
  templateArgs: TemplateArgs,
  parameters: Parameter[],
  body: string | undefined,
): Promise<void> {
  const { request } = session;
  session.result.changeSetType = 'CREATE';
  const facts = body === undefined ? undefined : templateFacts(body);
  session.recordPlan(
    [...(facts?.resources ?? [])].map(([logicalId, type]) => ({
      action: 'Add',
      logicalId,
      type,
      replacement: '',
    })),
  );
  session.log(
    'Creating the stack with CreateStack, because change sets cannot carry timeout-in-minutes ' +
      'or termination protection for a new stack',
  );
  session.logChanges(session.result.changes);
  const created = await session.cfn
    .send(
      session.count(
        new CreateStackCommand({
          StackName: request.stackName,
          ...templateArgs,
          Parameters: parameters,
          ...sharedStackArgs(session),
          DisableRollback: request.disableRollback ? true : undefined,
          TimeoutInMinutes: request.timeoutInMinutes,
          EnableTerminationProtection: request.terminationProtection,
          ClientRequestToken: makeChangeSetName(request.run ?? {}, session.now()),
        }),
      ),
    )
    .catch((error: unknown) => {
      throw asRefusal(error, request);
    });
  session.result.stackId = created.StackId;
  session.result.executed = true;
  await finish(session, session.watcher(created.StackId ?? request.stackName), 'CREATE');
}
