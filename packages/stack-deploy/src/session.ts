/**
 * The state one deployStack call shares between its steps: the request, the
 * caller's Context, the clients, the deadline and the result being filled
 * in. The steps (change-set.ts, execute.ts, …) are functions of a Session,
 * so each file holds one idea and none needs another's private state.
 */
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsErrorName, errorMessage, formatDuration, type Context } from '@img-mgr/kernel';
import { callCounter, cloudFormationClient, s3Client } from './api.js';
import { planMarkdown, type ChangeRow } from './plan.js';
import { DeployCancelledError, type DeployRequest, type DeployResult } from './request.js';
import type { NoEchoFacts } from './secrets.js';
import type { LaunchRole } from './template-source.js';
import { StackWatcher, type Clock } from './watch.js';

/** Bound on a clean-up call after a cancellation: GitHub sends SIGTERM 7.5 s after SIGINT. */
export const CLEANUP_CALL_MS = 3_000;

/**
 * CloudFormation answers a call about a stack that does not exist (and moto
 * one about a missing change set) with a plain ValidationError whose text
 * says "does not exist": there is no error code of its own for it.
 */
export function isDoesNotExist(error: unknown): boolean {
  return awsErrorName(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error));
}

export class Session {
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly group: <T>(title: string, body: () => Promise<T>) => Promise<T>;
  readonly now: () => number;
  readonly cfn: CloudFormationClient;
  readonly s3: () => S3Client;
  /** Marks a command to be counted in the result's apiCalls. */
  readonly count: <C extends object>(command: C) => C;
  readonly deadline: number;
  readonly result: DeployResult;
  /** A change set we created and have not executed: deleted if we stop early. */
  pendingChangeSet: string | undefined;
  /** The template's NoEcho parameters and their known values. */
  noEcho: NoEchoFacts = { names: [], values: [] };
  /** Output Value expressions of a local template. */
  outputExpressions: ReadonlyMap<string, string> | undefined;
  /** The template's resource types (from the file, or GetTemplateSummary). */
  resourceTypes: ReadonlySet<string> = new Set();
  /** Each Auto Scaling group's service-linked role, when the template was read locally. */
  launchRoles: ReadonlyMap<string, LaunchRole> | undefined;

  constructor(
    readonly request: DeployRequest,
    readonly context: Context,
    readonly clock: Clock,
  ) {
    const { log } = context;
    this.log = (line) => log.info(line);
    this.warn = (line) => log.warn(line);
    this.group = (title, body) => log.group(title, body);
    this.now = clock.now ?? Date.now;
    this.deadline = this.now() + request.waitTimeoutMs;
    this.result = {
      stackName: request.stackName,
      noChanges: false,
      executed: false,
      changes: [],
      outputs: {},
      secretOutputs: [],
      failures: [],
      apiCalls: {},
    };
    this.count = callCounter(this.result.apiCalls);
    this.cfn = cloudFormationClient(context, request.region);
    this.s3 = () => s3Client(context, request.region);
  }

  /** The stack, or undefined when it does not exist. */
  async describeStack(): Promise<Stack | undefined> {
    try {
      const answer = await this.cfn.send(this.count(new DescribeStacksCommand({ StackName: this.request.stackName })));
      return answer.Stacks?.[0];
    } catch (error: unknown) {
      if (isDoesNotExist(error)) return undefined;
      throw error;
    }
  }

  /** Logical ids of the stack's resources in a *_FAILED state (the ones to skip or retain); [] when unknown. */
  async failedResources(): Promise<string[]> {
    try {
      const answer = await this.cfn.send(
        this.count(new DescribeStackResourcesCommand({ StackName: this.request.stackName })),
      );
      return (answer.StackResources ?? [])
        .filter((resource) => resource.ResourceStatus?.endsWith('_FAILED'))
        .map((resource) => resource.LogicalResourceId ?? '')
        .filter(Boolean);
    } catch (error: unknown) {
      this.warn(`Could not list the stack's failed resources: ${errorMessage(error)}`);
      return [];
    }
  }

  /** A watcher of `stackId` whose calls count in the result. */
  watcher(stackId: string): StackWatcher {
    return new StackWatcher(this.cfn, stackId, this.request.stackName, this.count);
  }

  /** Streams the stack's events until its operation settles, bounded by the deploy's deadline. */
  waitFor(watcher: StackWatcher, options: { describeFirst?: boolean } = {}): Promise<Stack> {
    return watcher.waitUntilSettled({
      describeFirst: options.describeFirst,
      log: this.log,
      deadline: this.deadline,
      timeoutLabel: `waiting ${formatDuration(this.request.waitTimeoutMs)} (wait-timeout)`,
      signal: this.context.signal,
      clock: this.clock,
    });
  }

  checkAbort(): void {
    if (this.context.signal.aborted)
      throw new DeployCancelledError(`Cancelled before changing stack ${this.request.stackName}`);
  }

  /** Records the planned changes and their markdown (the job summary, a pull-request comment). */
  recordPlan(rows: ChangeRow[], noChanges = false): void {
    this.result.changes = rows;
    this.result.planMarkdown = planMarkdown({
      stackName: this.request.stackName,
      changeSetName: this.result.changeSetName,
      changeSetType: this.result.changeSetType ?? 'UPDATE',
      rows,
      noChanges,
    });
  }

  logChanges(rows: ChangeRow[]): void {
    if (rows.length === 0) {
      this.log('The change set changes no resources (parameters, tags or outputs only)');
      return;
    }
    for (const row of rows)
      this.log(
        [
          row.action.padEnd(8),
          row.logicalId.padEnd(28),
          row.type.padEnd(34),
          row.replacement && `replacement: ${row.replacement}`,
        ]
          .join(' ')
          .trimEnd(),
      );
  }
}
