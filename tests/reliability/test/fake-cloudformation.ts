/**
 * A small stateful CloudFormation behind aws-sdk-client-mock, for the
 * outcomes moto cannot produce (a create or an update that fails and rolls
 * back) and for CloudFormation's own validation text, which moto answers
 * with a 500. It keeps stacks, their parameters, events and change sets, and
 * answers as CloudFormation does: a CREATE change set reuses a
 * REVIEW_IN_PROGRESS stack of the name and refuses UsePreviousValue.
 */
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Parameter,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';

interface FakeStack {
  id: string;
  name: string;
  status: string;
  parameters: Record<string, string>;
  events: StackEvent[];
}

interface FakeChangeSet {
  id: string;
  name: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
  parameters: Record<string, string>;
}

/** An SDK error as the client throws it (awsErrorName reads `name` beside `$metadata`). */
function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
}

export class FakeCloudFormation {
  readonly stacks: FakeStack[] = [];
  readonly changeSets: FakeChangeSet[] = [];
  /** Parameters each CreateChangeSet was sent, in order. */
  readonly sentParameters: Parameter[][] = [];
  /** Makes the next execution fail and roll back (a resource that cannot be created or updated). */
  failNextExecution = false;
  /** Leaves the next execution running until CancelUpdateStack; `whileHeld` runs at each event poll meanwhile. */
  holdNextExecution = false;
  whileHeld: () => void = () => undefined;
  private held: FakeStack | undefined;
  /** A cancelled update rolls back over this many event polls. */
  private rollback: { stack: FakeStack; polls: number } | undefined;
  private counter = 0;
  private readonly mock = mockClient(CloudFormationClient);

  constructor(private readonly required: readonly string[]) {
    this.mock.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => {
      const stack = this.find(StackName);
      return { Stacks: [{ StackName: stack.name, StackId: stack.id, StackStatus: stack.status, ...this.view(stack) }] };
    });
    this.mock.on(DescribeStackEventsCommand).callsFake(({ StackName }: { StackName: string }) => {
      const stack = this.find(StackName);
      if (this.held === stack) this.whileHeld();
      if (this.rollback?.stack === stack && --this.rollback.polls <= 0) {
        this.rollback = undefined;
        this.event(stack, 'UPDATE_ROLLBACK_COMPLETE');
      }
      return { StackEvents: [...stack.events].reverse() };
    });
    this.mock.on(CancelUpdateStackCommand).callsFake(({ StackName }: { StackName: string }) => {
      const stack = this.find(StackName);
      if (stack.status !== 'UPDATE_IN_PROGRESS')
        throw validationError(`CancelUpdateStack cannot be called from current stack status ${stack.status}`);
      this.held = undefined;
      this.event(stack, 'UPDATE_ROLLBACK_IN_PROGRESS');
      this.rollback = { stack, polls: 2 };
      return {};
    });
    this.mock.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    this.mock
      .on(CreateChangeSetCommand)
      .callsFake((input: CreateChangeSetCommand['input']) => this.createChangeSet(input));
    this.mock.on(DescribeChangeSetCommand).callsFake(({ ChangeSetName }: { ChangeSetName: string }) => {
      const changeSet = this.changeSet(ChangeSetName);
      return {
        ChangeSetId: changeSet.id,
        ChangeSetName: changeSet.name,
        StackId: changeSet.stackId,
        Status: 'CREATE_COMPLETE',
        ExecutionStatus: 'AVAILABLE',
        Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'GoldenAmi' } }],
      };
    });
    this.mock.on(DeleteChangeSetCommand).callsFake(({ ChangeSetName }: { ChangeSetName: string }) => {
      this.changeSets.splice(this.changeSets.indexOf(this.changeSet(ChangeSetName)), 1);
      return {};
    });
    this.mock.on(ExecuteChangeSetCommand).callsFake(({ ChangeSetName }: { ChangeSetName: string }) => {
      this.execute(this.changeSet(ChangeSetName));
      return {};
    });
    // A change set here is never mid-execution: execute() applies it at once and drops it.
    this.mock.on(ListChangeSetsCommand).callsFake(({ StackName }: { StackName: string }) => {
      const stack = this.find(StackName);
      return {
        Summaries: this.changeSets
          .filter((changeSet) => changeSet.stackId === stack.id)
          .map((changeSet) => ({
            ChangeSetId: changeSet.id,
            ChangeSetName: changeSet.name,
            StackId: stack.id,
            ExecutionStatus: 'AVAILABLE' as const,
          })),
      };
    });
    this.mock.on(DeleteStackCommand).callsFake(({ StackName }: { StackName: string }) => {
      const stack = this.find(StackName);
      this.changeSets.splice(0, this.changeSets.length, ...this.changeSets.filter((c) => c.stackId !== stack.id));
      this.event(stack, 'DELETE_IN_PROGRESS');
      this.event(stack, 'DELETE_COMPLETE');
      return {};
    });
  }

  restore(): void {
    this.mock.restore();
  }

  /** Stacks of `name` that are not deleted. */
  live(name: string): FakeStack[] {
    return this.stacks.filter((stack) => stack.name === name && stack.status !== 'DELETE_COMPLETE');
  }

  private view(stack: FakeStack): { Parameters: Parameter[] } {
    return {
      Parameters: Object.entries(stack.parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: value,
      })),
    };
  }

  private find(nameOrId: string): FakeStack {
    const stack = this.stacks.find((candidate) => candidate.id === nameOrId) ?? this.live(nameOrId)[0];
    if (!stack) throw validationError(`Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  private changeSet(nameOrId: string): FakeChangeSet {
    const changeSet = this.changeSets.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
    if (!changeSet) throw validationError(`ChangeSet [${nameOrId}] does not exist`);
    return changeSet;
  }

  private event(stack: FakeStack, status: string, logicalId = stack.name, reason?: string): void {
    stack.status = logicalId === stack.name ? status : stack.status;
    stack.events.push({
      EventId: `e${++this.counter}`,
      StackId: stack.id,
      StackName: stack.name,
      LogicalResourceId: logicalId,
      PhysicalResourceId: logicalId === stack.name ? stack.id : undefined,
      ResourceType: logicalId === stack.name ? 'AWS::CloudFormation::Stack' : 'AWS::SSM::Parameter',
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      Timestamp: new Date(Date.now() + this.counter),
    });
  }

  private createChangeSet(input: CreateChangeSetCommand['input']): { Id: string; StackId: string } {
    const sent = input.Parameters ?? [];
    this.sentParameters.push(sent);
    const name = input.StackName ?? '';
    let stack = this.live(name)[0];
    if (input.ChangeSetType === 'CREATE') {
      // CloudFormation's own text, which moto answers with a 500.
      if (sent.some((parameter) => parameter.UsePreviousValue))
        throw validationError('Cannot specify UsePreviousValue on Parameters when ChangeSetType is CREATE');
      if (stack && stack.status !== 'REVIEW_IN_PROGRESS')
        throw validationError(`Stack [${name}] already exists and cannot be created again with the changeSet`);
      if (!stack) {
        stack = {
          id: `arn:aws:cloudformation:us-east-1:1:stack/${name}/${++this.counter}`,
          name,
          status: '',
          parameters: {},
          events: [],
        };
        this.stacks.push(stack);
        this.event(stack, 'REVIEW_IN_PROGRESS');
      }
    } else if (!stack || stack.status === 'REVIEW_IN_PROGRESS') {
      throw validationError(`Stack [${name}] does not exist`);
    }
    const parameters: Record<string, string> = {};
    for (const parameter of sent) {
      const key = parameter.ParameterKey ?? '';
      const previous = stack.parameters[key];
      if (parameter.UsePreviousValue && previous === undefined)
        throw validationError(
          `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true ` +
            'for a parameter key not in the previous template',
        );
      parameters[key] = parameter.UsePreviousValue ? (previous ?? '') : (parameter.ParameterValue ?? '');
    }
    const missing = this.required.filter((key) => parameters[key] === undefined);
    if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
    const changeSet: FakeChangeSet = {
      id: `arn:aws:cloudformation:us-east-1:1:changeSet/${input.ChangeSetName ?? ''}/${++this.counter}`,
      name: input.ChangeSetName ?? '',
      stackId: stack.id,
      type: input.ChangeSetType === 'CREATE' ? 'CREATE' : 'UPDATE',
      parameters,
    };
    this.changeSets.push(changeSet);
    return { Id: changeSet.id, StackId: stack.id };
  }

  /** Runs the change set to its end at once: complete, or (failNextExecution) failed and rolled back. */
  private execute(changeSet: FakeChangeSet): void {
    const stack = this.find(changeSet.stackId);
    this.changeSets.splice(0, this.changeSets.length, ...this.changeSets.filter((c) => c.stackId !== stack.id));
    const verb = changeSet.type === 'CREATE' ? 'CREATE' : 'UPDATE';
    this.event(stack, `${verb}_IN_PROGRESS`);
    if (this.holdNextExecution) {
      this.holdNextExecution = false;
      this.held = stack;
      return;
    }
    if (this.failNextExecution) {
      this.failNextExecution = false;
      this.event(stack, `${verb}_FAILED`, 'GoldenAmi', 'Resource handler returned message: "Invalid request"');
      if (verb === 'CREATE') {
        this.event(stack, 'ROLLBACK_IN_PROGRESS');
        this.event(stack, 'ROLLBACK_COMPLETE');
      } else {
        this.event(stack, 'UPDATE_ROLLBACK_IN_PROGRESS');
        this.event(stack, 'UPDATE_ROLLBACK_COMPLETE');
      }
      return;
    }
    stack.parameters = changeSet.parameters;
    this.event(stack, `${verb}_COMPLETE`);
  }
}
