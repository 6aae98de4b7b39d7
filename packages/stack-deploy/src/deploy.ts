/**
 * deployStack: create or update a stack through a change set, wait for it
 * while streaming events, and report outputs or the root cause. It is given
 * the caller's Context (logger, cancellation signal, environment, clients),
 * so the CLI calls it as well as the action.
 */
import { createHash } from 'node:crypto';
import {
  CancelUpdateStackCommand,
  CreateChangeSetCommand,
  CreateStackCommand,
  type CreateStackCommandInput,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  paginateDescribeChangeSet,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateSummaryCommand,
  UpdateTerminationProtectionCommand,
  type Capability,
  type CloudFormationClient,
  type DescribeChangeSetCommandOutput,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ActionError,
  CancelledError,
  InvalidRequestError,
  awsErrorClass,
  awsErrorName,
  errorMessage,
  formatDuration,
  poll,
  type Context,
} from '@img-mgr/kernel';
import { callCounter, cloudFormationClient, s3Client, type CallCounts } from './api.js';
import { rootCauses, type FailedResource } from './events.js';
import { changeSetName as makeChangeSetName } from './names.js';
import { outputMap } from './outputs.js';
import { changeRows, planMarkdown, type ChangeRow } from './plan.js';
import { classifyStatus, isSuccess, stuckStackAdvice } from './status.js';
import { noEchoFacts, secretOutputKeys, type NoEchoFacts } from './secrets.js';
import type { StackTag } from './tags.js';
import {
  MAX_TEMPLATE_BODY_BYTES,
  readTemplateFile,
  s3HttpsUrl,
  templateFacts,
  templateSyntaxProblem,
  type ParameterFacts,
  type TemplateSource,
} from './template-source.js';
import { StackWatcher, type Clock } from './watch.js';

export type DeployMode = 'create-and-execute' | 'plan' | 'execute';

/** Everything a deploy needs, already validated by the caller's parsers. */
export interface DeployRequest {
  stackName: string;
  region: string;
  mode: DeployMode;
  /** Required unless mode is execute. */
  template?: TemplateSource | undefined;
  /** The change set to execute (execute mode). */
  changeSetName?: string | undefined;
  /** Makes generated change-set names unique per run and attempt. */
  run?: { runId?: string | undefined; runAttempt?: string | undefined };
  /** Overrides; a `places` map (ParameterOverrides) lets errors name an inline item by its place, not its text. */
  parameters?: ReadonlyMap<string, string> & { places?: ReadonlyMap<string, string> };
  capabilities?: readonly string[];
  tags?: readonly StackTag[];
  roleArn?: string | undefined;
  notificationArns?: readonly string[];
  /** undefined leaves it as it is. */
  terminationProtection?: boolean | undefined;
  disableRollback?: boolean;
  timeoutInMinutes?: number | undefined;
  /** Bound on all waiting; reaching it fails the deploy. */
  waitTimeoutMs: number;
  failOnEmptyChangeSet?: boolean;
  /** Delete and recreate a ROLLBACK_COMPLETE stack (default true). */
  recreateFailedStack?: boolean;
  /** Send CancelUpdateStack when aborted during an update (default true). */
  cancelOnAbort?: boolean;
  /** Where templates over 51,200 bytes are uploaded. */
  templateBucket?: string | undefined;
}

export interface DeployResult {
  stackName: string;
  stackId?: string | undefined;
  status?: string | undefined;
  noChanges: boolean;
  /** True when something was executed (or a stack created directly). */
  executed: boolean;
  changeSetId?: string | undefined;
  changeSetName?: string | undefined;
  changeSetType?: 'CREATE' | 'UPDATE' | undefined;
  changes: ChangeRow[];
  planMarkdown?: string | undefined;
  outputs: Record<string, string>;
  /** Output keys whose values carry or use a NoEcho parameter: never shown. */
  secretOutputs: string[];
  failures: FailedResource[];
  /** API calls by operation. */
  apiCalls: CallCounts;
}

/** The deploy failed; `result` holds what is known (status, root cause, change set). */
export class DeployFailedError extends ActionError {
  constructor(
    message: string,
    readonly result: DeployResult,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** The deploy stopped because it was cancelled; the message says what goes on in CloudFormation. */
export class DeployCancelledError extends CancelledError {
  constructor(message: string) {
    super();
    this.message = message;
  }
}

/**
 * Creates or updates the stack; resolves with the result or throws
 * DeployFailedError, DeployCancelledError, InvalidRequestError (naming the
 * request field) or TimeoutError. `clock` is for tests.
 */
export async function deployStack(request: DeployRequest, context: Context, clock: Clock = {}): Promise<DeployResult> {
  return new Deploy(request, context, clock).run();
}

/** "run 12 attempt 1" or "local run", for a change set's description. */
function runLabel(run: DeployRequest['run']): string {
  return run?.runId ? `run ${run.runId} attempt ${run.runAttempt ?? '1'}` : 'local run';
}

/** Bound on a clean-up call after a cancellation: GitHub sends SIGTERM 7.5 s after SIGINT. */
const CLEANUP_CALL_MS = 3_000;

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

/**
 * CloudFormation answers a call about a stack that does not exist (and moto
 * one about a missing change set) with a plain ValidationError whose text
 * says "does not exist": there is no error code of its own for it.
 */
function isDoesNotExist(error: unknown): boolean {
  return awsErrorName(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error));
}

class Deploy {
  private readonly log: (line: string) => void;
  private readonly warn: (line: string) => void;
  private readonly group: <T>(title: string, body: () => Promise<T>) => Promise<T>;
  private readonly now: () => number;
  private readonly cfn: CloudFormationClient;
  private readonly s3: () => S3Client;
  /** Marks a command to be counted in the result's apiCalls. */
  private readonly count: <C extends object>(command: C) => C;
  private readonly deadline: number;
  private readonly result: DeployResult;
  /** A change set we created and have not executed: deleted if we stop early. */
  private pendingChangeSet: string | undefined;
  /** The template's NoEcho parameters and their known values. */
  private noEcho: NoEchoFacts = { names: [], values: [] };
  /** Output Value expressions of a local template. */
  private outputExpressions: ReadonlyMap<string, string> | undefined;

  constructor(
    private readonly request: DeployRequest,
    private readonly context: Context,
    private readonly clock: Clock,
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

  async run(): Promise<DeployResult> {
    try {
      if (this.request.mode === 'execute') await this.executeNamed();
      else await this.createAndMaybeExecute();
      return this.result;
    } finally {
      await this.deletePendingChangeSet();
    }
  }

  // ---- create-and-execute and plan -------------------------------------------------

  private async createAndMaybeExecute(): Promise<void> {
    const { request } = this;
    if (!request.template) throw new InvalidRequestError('template', `is required in ${request.mode} mode`);
    const template = this.loadTemplate(request.template);
    // Before anything waits for, deletes or changes the stack: a bad override is bad input.
    const declaredFacts = await this.declaredParameters(template);
    this.registerSecrets(declaredFacts);
    const declared = new Set(declaredFacts.keys());
    this.checkOverrides(declared);
    let stack = await this.group(`Stack ${request.stackName}`, () => this.settledStack());
    const changeSetType = classifyStatus(stack?.StackStatus).kind === 'absent' ? 'CREATE' : 'UPDATE';
    this.result.stackId = stack?.StackId;
    this.result.status = stack?.StackStatus;
    this.result.changeSetType = changeSetType;
    const parameters = this.parameters(declared, stack);
    const templateArgs = await this.templateArgs(template);
    this.checkAbort();

    if (
      changeSetType === 'CREATE' &&
      stack === undefined &&
      request.mode === 'create-and-execute' &&
      this.needsCreateStack()
    ) {
      await this.createStackDirectly(templateArgs, parameters, template.body);
      return;
    }

    if (request.timeoutInMinutes !== undefined) {
      this.warn(
        'timeout-in-minutes is not applied: CloudFormation takes it only when the action creates a new stack ' +
          `with CreateStack, not with a ${changeSetType === 'CREATE' ? 'plan' : 'stack update'}`,
      );
    }
    const name = makeChangeSetName(request.run ?? {}, this.now());
    this.result.changeSetName = name;
    const changeSet = await this.group(`Change set ${name} (${changeSetType})`, () =>
      this.createChangeSet(name, changeSetType, templateArgs, parameters),
    );
    if (!changeSet) return; // empty: handled
    this.recordPlan(changeRows(changeSet.Changes));
    if (request.mode === 'plan') {
      this.pendingChangeSet = undefined; // kept on purpose, for a later execute
      stack = await this.describeStack();
      this.result.status = stack?.StackStatus;
      this.log(
        `Plan ready: change set ${name} was created and not executed; ` +
          `run mode execute with change-set-name ${name} to apply it.`,
      );
      return;
    }
    await this.execute(this.result.changeSetId ?? name, changeSetType, stack);
  }

  /**
   * The stack after any running operation settled; undefined when there is
   * none. A ROLLBACK_COMPLETE stack is deleted first.
   */
  private async settledStack(): Promise<Stack | undefined> {
    let stack = await this.describeStack();
    let state = classifyStatus(stack?.StackStatus);
    this.log(
      stack
        ? `Stack ${this.request.stackName} is ${stack.StackStatus ?? '?'}`
        : `Stack ${this.request.stackName} does not exist; it will be created`,
    );
    if (stack?.StackId && state.kind === 'in-progress') {
      const watcher = this.watcher(stack.StackId);
      await watcher.baseline();
      this.log(`Waiting for the running ${stack.StackStatus ?? ''} operation to finish before deploying:`);
      // It may have ended between DescribeStacks and the baseline: check the status on the first tick too.
      stack = await this.waitFor(watcher, { describeFirst: true });
      this.log(`Stack ${this.request.stackName} is now ${stack.StackStatus ?? '?'}`);
      state = classifyStatus(stack.StackStatus);
    }
    if (state.kind === 'stuck') {
      const status = stack?.StackStatus ?? '?';
      const advice = stuckStackAdvice(status, this.request.stackName, await this.failedResources());
      const result = { ...this.result, status: stack?.StackStatus, stackId: stack?.StackId };
      if (advice)
        throw new DeployFailedError(
          `Stack ${this.request.stackName} is ${status}: ${advice.why}; ${advice.next}`,
          result,
        );
      throw new DeployFailedError(
        `Stack ${this.request.stackName} is ${status} and cannot be updated`,
        result,
        state.hint,
      );
    }
    if (state.kind === 'failed-create' && stack?.StackId) {
      if (this.request.recreateFailedStack === false) {
        throw new DeployFailedError(
          `Stack ${this.request.stackName} is ROLLBACK_COMPLETE (its creation failed) ` +
            'and recreate-failed-stack is false',
          { ...this.result, status: stack.StackStatus, stackId: stack.StackId },
          'Delete the stack, or set recreate-failed-stack to true to let the action delete and recreate it',
        );
      }
      this.log(
        `Stack ${this.request.stackName} is ROLLBACK_COMPLETE (a failed create, which can only be deleted): ` +
          'deleting it to create it again',
      );
      const watcher = this.watcher(stack.StackId);
      await watcher.baseline();
      await this.cfn.send(this.count(new DeleteStackCommand({ StackName: stack.StackId })));
      const deleted = await this.waitFor(watcher);
      if (deleted.StackStatus !== 'DELETE_COMPLETE') {
        throw new DeployFailedError(
          `Deleting the failed stack ${this.request.stackName} ended in ${deleted.StackStatus ?? '?'}`,
          { ...this.result, status: deleted.StackStatus },
          'Delete the stack by hand, then deploy again',
        );
      }
      return undefined;
    }
    return state.kind === 'absent' && stack?.StackStatus !== 'REVIEW_IN_PROGRESS' ? undefined : stack;
  }

  /** Logical ids of the stack's resources in a *_FAILED state (the ones to skip or retain); [] when unknown. */
  private async failedResources(): Promise<string[]> {
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

  private async describeStack(): Promise<Stack | undefined> {
    try {
      const answer = await this.cfn.send(this.count(new DescribeStacksCommand({ StackName: this.request.stackName })));
      return answer.Stacks?.[0];
    } catch (error: unknown) {
      if (isDoesNotExist(error)) return undefined;
      throw error;
    }
  }

  // ---- template and parameters ------------------------------------------------------

  private loadTemplate(source: TemplateSource): { body?: string; url?: string } {
    if (source.kind === 'url') return { url: source.url };
    const body = readTemplateFile(source.path);
    const problem = templateSyntaxProblem(body);
    if (problem) throw new InvalidRequestError('template', problem);
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_TEMPLATE_BODY_BYTES && !this.request.templateBucket) {
      throw new InvalidRequestError(
        'template',
        `is ${bytes} bytes, over CloudFormation's inline limit of ${MAX_TEMPLATE_BODY_BYTES}; ` +
          'set template-bucket so the action can upload it to S3',
      );
    }
    return { body };
  }

  /** TemplateBody, or TemplateURL after uploading a large file. */
  private async templateArgs(template: {
    body?: string;
    url?: string;
  }): Promise<{ TemplateBody?: string; TemplateURL?: string }> {
    if (template.url) return { TemplateURL: template.url };
    const body = template.body ?? '';
    if (Buffer.byteLength(body) <= MAX_TEMPLATE_BODY_BYTES) return { TemplateBody: body };
    const bucket = this.request.templateBucket ?? '';
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const key = `cloudformation/${this.request.stackName}/${digest}.template`;
    this.log(
      `Template is ${Buffer.byteLength(body)} bytes (over ${MAX_TEMPLATE_BODY_BYTES}): ` +
        `uploading it to s3://${bucket}/${key}`,
    );
    await this.s3().send(
      this.count(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' })),
    );
    return { TemplateURL: s3HttpsUrl(bucket, key, this.request.region) };
  }

  /**
   * An override the template does not declare is an InvalidRequestError. An inline
   * item is named by its place: after an unquoted comma its "key" may be a
   * piece of the previous value.
   */
  private checkOverrides(declared: Set<string>): void {
    const overrides: NonNullable<DeployRequest['parameters']> = this.request.parameters ?? new Map<string, string>();
    const unknown = [...overrides.keys()].filter((key) => !declared.has(key));
    if (unknown.length > 0) {
      const known = declared.size > 0 ? `it declares ${[...declared].join(', ')}` : 'it declares no parameters';
      const named = unknown.map((key) => overrides.places?.get(key) ?? `'${key}'`);
      throw new InvalidRequestError(
        'parameters',
        `sets a parameter the template does not declare at ${named.join('; ')} ` +
          `(${known}; quote a value that holds a comma)`,
      );
    }
  }

  /** Hands every known NoEcho value to `log.secret`, before anything could print it. */
  private registerSecrets(declared: ReadonlyMap<string, ParameterFacts>): void {
    this.noEcho = noEchoFacts(declared, this.request.parameters ?? new Map<string, string>());
    for (const value of this.noEcho.values) this.context.log.secret(value);
  }

  /**
   * The Parameters to send: every override, and UsePreviousValue for a
   * parameter the stack has and the overrides leave unset.
   */
  private parameters(declared: Set<string>, stack: Stack | undefined): Parameter[] {
    const overrides = this.request.parameters ?? new Map<string, string>();
    const previous = new Set((stack?.Parameters ?? []).map((parameter) => parameter.ParameterKey));
    const result: Parameter[] = [];
    for (const key of declared) {
      const value = overrides.get(key);
      if (value !== undefined) result.push({ ParameterKey: key, ParameterValue: value });
      else if (stack && previous.has(key)) result.push({ ParameterKey: key, UsePreviousValue: true });
    }
    const kept = result.filter((parameter) => parameter.UsePreviousValue).map((parameter) => parameter.ParameterKey);
    if (kept.length > 0) this.log(`Parameters keeping their previous value: ${kept.join(', ')}`);
    return result;
  }

  /** The template's parameters: read locally when we have the text, else GetTemplateSummary (S3 or URL templates). */
  private async declaredParameters(template: { body?: string; url?: string }): Promise<Map<string, ParameterFacts>> {
    const facts = template.body === undefined ? undefined : templateFacts(template.body);
    if (facts) {
      this.outputExpressions = facts.outputs;
      return facts.parameters;
    }
    const input = template.url ? { TemplateURL: template.url } : { TemplateBody: template.body };
    const summary = await this.cfn.send(this.count(new GetTemplateSummaryCommand(input)));
    const result = new Map<string, ParameterFacts>();
    for (const parameter of summary.Parameters ?? []) {
      if (!parameter.ParameterKey) continue;
      const hasDefault = parameter.DefaultValue !== undefined;
      result.set(parameter.ParameterKey, {
        hasDefault,
        ...(parameter.NoEcho ? { noEcho: hasDefault ? { defaultValue: parameter.DefaultValue } : {} } : {}),
      });
    }
    return result;
  }

  // ---- change sets ---------------------------------------------------------------------

  /** What a change set and a direct CreateStack both send: capabilities, tags, role, notifications. */
  private sharedStackArgs(): Pick<CreateStackCommandInput, 'Capabilities' | 'Tags' | 'RoleARN' | 'NotificationARNs'> {
    const { request } = this;
    return {
      Capabilities: request.capabilities?.length ? (request.capabilities as Capability[]) : undefined,
      Tags: request.tags?.length ? [...request.tags] : undefined,
      RoleARN: request.roleArn,
      NotificationARNs: request.notificationArns?.length ? [...request.notificationArns] : undefined,
    };
  }

  /** Creates the change set and waits for it; undefined when it is empty (no-changes handled). */
  private async createChangeSet(
    name: string,
    type: 'CREATE' | 'UPDATE',
    templateArgs: { TemplateBody?: string; TemplateURL?: string },
    parameters: Parameter[],
  ): Promise<DescribeChangeSetCommandOutput | undefined> {
    const { request } = this;
    let created;
    try {
      created = await this.cfn.send(
        this.count(
          new CreateChangeSetCommand({
            StackName: request.stackName,
            ChangeSetName: name,
            ChangeSetType: type,
            Description: `deploy-stack ${runLabel(request.run)}`,
            ...templateArgs,
            Parameters: parameters,
            ...this.sharedStackArgs(),
            OnStackFailure: type === 'CREATE' && request.disableRollback ? 'DO_NOTHING' : undefined,
          }),
        ),
      );
    } catch (error: unknown) {
      if (awsErrorName(error) === 'ValidationError' && isEmptyChangeSetText(errorMessage(error))) {
        this.result.changeSetName = undefined; // CloudFormation created none
        return this.empty(errorMessage(error));
      }
      throw error;
    }
    this.pendingChangeSet = created.Id ?? name;
    this.result.changeSetId = created.Id;
    this.result.stackId = created.StackId;
    const changeSet = await this.waitForChangeSet(created.Id ?? name);
    if (changeSet.Status === 'FAILED') {
      const reason = changeSet.StatusReason ?? 'no reason given';
      if (isEmptyChangeSetText(reason)) {
        await this.deletePendingChangeSet();
        return this.empty(reason);
      }
      throw new DeployFailedError(
        `Change set ${name} failed: ${reason}`,
        this.result,
        'Fix the template or parameters and deploy again',
      );
    }
    this.logChanges(changeRows(changeSet.Changes));
    return changeSet;
  }

  /** Records the planned changes and their markdown (the job summary, a pull-request comment). */
  private recordPlan(rows: ChangeRow[], noChanges = false): void {
    this.result.changes = rows;
    this.result.planMarkdown = planMarkdown({
      stackName: this.request.stackName,
      changeSetName: this.result.changeSetName,
      changeSetType: this.result.changeSetType ?? 'UPDATE',
      rows,
      noChanges,
    });
  }

  /** An empty change set: success with no-changes, or a failure when asked. */
  private empty(reason: string): undefined {
    this.result.noChanges = true;
    this.recordPlan([], true);
    this.log(`No changes: ${reason.trim()}`);
    if (this.request.failOnEmptyChangeSet) {
      throw new DeployFailedError(
        `Stack ${this.request.stackName} has no changes to deploy and fail-on-empty-changeset is true`,
        this.result,
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
  private async waitForChangeSet(id: string): Promise<DescribeChangeSetCommandOutput> {
    let status: string | undefined;
    return poll<DescribeChangeSetCommandOutput>(
      async () => {
        const changeSet = await this.describeChangeSet(id);
        status = changeSet.Status;
        const done = changeSet.Status === 'CREATE_COMPLETE' || changeSet.Status === 'FAILED';
        return done ? { done, value: changeSet } : { done };
      },
      {
        timeoutMs: this.deadline - this.now(),
        timeoutMessage: () =>
          `Timed out after ${formatDuration(this.request.waitTimeoutMs)} (wait-timeout): ` +
          `change set ${id} is still ${status ?? 'pending'}`,
        ...CHANGE_SET_POLL,
        signal: this.context.signal,
        ...this.clock,
      },
    );
  }

  /** DescribeChangeSet; once the change set is complete, with all pages of its changes. */
  private async describeChangeSet(id: string): Promise<DescribeChangeSetCommandOutput> {
    let first: DescribeChangeSetCommandOutput | undefined;
    const input = { ChangeSetName: id, StackName: this.request.stackName };
    for await (const page of paginateDescribeChangeSet({ client: this.cfn, withCommand: this.count }, input)) {
      if (!first) first = page;
      else first.Changes = [...(first.Changes ?? []), ...(page.Changes ?? [])];
      if (first.Status !== 'CREATE_COMPLETE') break; // the changes are read once it is complete
    }
    if (!first) throw new Error(`DescribeChangeSet returned nothing for ${id}`);
    return first;
  }

  private logChanges(rows: ChangeRow[]): void {
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

  private async deletePendingChangeSet(): Promise<void> {
    const id = this.pendingChangeSet;
    if (!id) return;
    this.pendingChangeSet = undefined;
    try {
      await this.cfn.send(
        this.count(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: this.request.stackName })),
        {
          abortSignal: AbortSignal.timeout(CLEANUP_CALL_MS),
        },
      );
      this.log(`Deleted the unexecuted change set ${this.result.changeSetName ?? id}`);
    } catch (error: unknown) {
      this.warn(`Could not delete the change set ${id}: ${errorMessage(error)}`);
    }
  }

  // ---- execution ---------------------------------------------------------------------

  /** execute mode: runs a change set created earlier (by plan mode). */
  private async executeNamed(): Promise<void> {
    const name = this.request.changeSetName;
    if (!name) throw new InvalidRequestError('changeSetName', 'is required in execute mode');
    this.result.changeSetName = name;
    const stack = await this.describeStack();
    let changeSet;
    try {
      changeSet = await this.describeChangeSet(name);
    } catch (error: unknown) {
      if (awsErrorClass(error, { validationMeansMissing: isDoesNotExist(error) }) === 'not-found') {
        const problem = `names '${name}', which does not exist for stack ${this.request.stackName}`;
        throw new InvalidRequestError('changeSetName', problem);
      }
      throw error;
    }
    const type = stack?.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
    this.result.changeSetType = type;
    this.result.changeSetId = changeSet.ChangeSetId;
    this.recordPlan(changeRows(changeSet.Changes));
    if (changeSet.Status !== 'CREATE_COMPLETE' || changeSet.ExecutionStatus !== 'AVAILABLE') {
      throw new DeployFailedError(
        `Change set ${name} cannot be executed: ` +
          `it is ${changeSet.Status ?? '?'} / ${changeSet.ExecutionStatus ?? '?'}` +
          (changeSet.StatusReason ? ` (${changeSet.StatusReason})` : ''),
        this.result,
        'Create a new plan and execute that',
      );
    }
    this.logChanges(this.result.changes);
    await this.execute(changeSet.ChangeSetId ?? name, type, stack);
  }

  /** Executes the change set, waits, sets termination protection, reads outputs. */
  private async execute(changeSet: string, type: 'CREATE' | 'UPDATE', stack: Stack | undefined): Promise<void> {
    const stackId = this.result.stackId ?? stack?.StackId ?? this.request.stackName;
    const watcher = this.watcher(stackId);
    await watcher.baseline();
    this.checkAbort();
    await this.cfn.send(
      this.count(
        new ExecuteChangeSetCommand({
          ChangeSetName: changeSet,
          StackName: this.request.stackName,
          DisableRollback: type === 'UPDATE' && this.request.disableRollback ? true : undefined,
          ClientRequestToken: this.result.changeSetName,
        }),
      ),
    );
    this.pendingChangeSet = undefined;
    this.result.executed = true;
    await this.finish(watcher, type);
  }

  /** A new stack with a creation timeout or termination protection: CreateStack carries both, a change set cannot. */
  private needsCreateStack(): boolean {
    return this.request.timeoutInMinutes !== undefined || this.request.terminationProtection === true;
  }

  private async createStackDirectly(
    templateArgs: { TemplateBody?: string; TemplateURL?: string },
    parameters: Parameter[],
    body: string | undefined,
  ): Promise<void> {
    const { request } = this;
    this.result.changeSetType = 'CREATE';
    const facts = body === undefined ? undefined : templateFacts(body);
    this.recordPlan(
      [...(facts?.resources ?? [])].map(([logicalId, type]) => ({
        action: 'Add',
        logicalId,
        type,
        replacement: '',
      })),
    );
    this.log(
      'Creating the stack with CreateStack, because change sets cannot carry timeout-in-minutes ' +
        'or termination protection for a new stack',
    );
    this.logChanges(this.result.changes);
    const created = await this.cfn.send(
      this.count(
        new CreateStackCommand({
          StackName: request.stackName,
          ...templateArgs,
          Parameters: parameters,
          ...this.sharedStackArgs(),
          DisableRollback: request.disableRollback ? true : undefined,
          TimeoutInMinutes: request.timeoutInMinutes,
          EnableTerminationProtection: request.terminationProtection,
          ClientRequestToken: makeChangeSetName(request.run ?? {}, this.now()),
        }),
      ),
    );
    this.result.stackId = created.StackId;
    this.result.executed = true;
    await this.finish(this.watcher(created.StackId ?? request.stackName), 'CREATE');
  }

  /** Waits for the operation, then reports success (outputs) or the root cause. */
  private async finish(watcher: StackWatcher, type: 'CREATE' | 'UPDATE'): Promise<void> {
    const stack = await this.group(`Events of ${this.request.stackName}`, async () => {
      this.log(`${'time'.padEnd(8)}  ${'status'.padEnd(27)} ${'type'.padEnd(34)} ${'logical id'.padEnd(28)} reason`);
      try {
        return await this.waitFor(watcher);
      } catch (error: unknown) {
        if (this.context.signal.aborted) await this.onAbortWhileRunning(watcher, type);
        throw error;
      }
    });
    this.result.stackId = stack.StackId;
    this.result.status = stack.StackStatus;
    const status = stack.StackStatus ?? '?';
    if (!isSuccess(status)) {
      this.result.failures = rootCauses(watcher.events);
      if (this.result.failures.length === 0 && stack.StackStatusReason) {
        this.result.failures = [
          {
            logicalId: this.request.stackName,
            type: 'AWS::CloudFormation::Stack',
            status,
            reason: stack.StackStatusReason,
          },
        ];
      }
      this.logRootCause(status);
      const first = this.result.failures[0];
      const more = this.result.failures.length > 1 ? ` (and ${this.result.failures.length - 1} more)` : '';
      const advice = stuckStackAdvice(
        status,
        this.request.stackName,
        status.endsWith('_FAILED') ? await this.failedResources() : [],
      );
      throw new DeployFailedError(
        `Stack ${this.request.stackName} ended in ${status}` +
          (first ? `: ${first.logicalId} (${first.type}) ${first.status}: ${first.reason}${more}` : ''),
        this.result,
        advice ? `${advice.why[0]?.toUpperCase() ?? ''}${advice.why.slice(1)}; ${advice.next}` : undefined,
      );
    }
    await this.applyTerminationProtection(stack, type);
    this.result.outputs = outputMap(stack.Outputs);
    this.result.secretOutputs = secretOutputKeys(this.result.outputs, this.noEcho, this.outputExpressions);
    for (const key of this.result.secretOutputs) this.context.log.secret(this.result.outputs[key] ?? '');
    this.logOutputs();
  }

  private logRootCause(status: string): void {
    this.log('');
    this.log(`Root cause: stack ${this.request.stackName} is ${status}`);
    if (this.result.failures.length === 0)
      this.log('  (CloudFormation gave no failed resources; see the events above)');
    for (const failure of this.result.failures) {
      this.log(`  ${failure.logicalId} (${failure.type}) ${failure.status}: ${failure.reason}`);
    }
  }

  private logOutputs(): void {
    const entries = Object.entries(this.result.outputs);
    if (entries.length === 0) return;
    this.log('Outputs:');
    const hidden = new Set(this.result.secretOutputs);
    for (const [key, value] of entries)
      this.log(`  ${key} = ${hidden.has(key) ? '*** (it carries a NoEcho parameter)' : value}`);
  }

  /**
   * Termination protection on an existing stack (or after a change-set
   * create): UpdateTerminationProtection, only when it differs. A failure
   * fails the deploy, since the protection the user asked for is not there.
   */
  private async applyTerminationProtection(stack: Stack, type: 'CREATE' | 'UPDATE'): Promise<void> {
    const wanted = this.request.terminationProtection;
    if (wanted === undefined || Boolean(stack.EnableTerminationProtection) === wanted) return;
    try {
      const input = { StackName: stack.StackId ?? this.request.stackName, EnableTerminationProtection: wanted };
      await this.cfn.send(this.count(new UpdateTerminationProtectionCommand(input)));
      this.log(`Termination protection turned ${wanted ? 'on' : 'off'}`);
    } catch (error: unknown) {
      throw new DeployFailedError(
        `Stack ${this.request.stackName} was ${type === 'CREATE' ? 'created' : 'updated'}, ` +
          `but turning termination protection ${wanted ? 'on' : 'off'} failed: ${errorMessage(error)}`,
        this.result,
        'Set it with "aws cloudformation update-termination-protection" or run the deploy again',
      );
    }
  }

  /** On abort: cancel a running update (when allowed) and say what goes on in CloudFormation. */
  private async onAbortWhileRunning(watcher: StackWatcher, type: 'CREATE' | 'UPDATE'): Promise<void> {
    const name = this.request.stackName;
    if (type === 'UPDATE' && this.request.cancelOnAbort !== false) {
      try {
        // Bounded, so that the step still exits within seconds of the cancellation.
        await this.cfn.send(this.count(new CancelUpdateStackCommand({ StackName: watcher.stackId })), {
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

  // ---- waiting -----------------------------------------------------------------------

  /** A watcher of `stackId` whose calls count in the result. */
  private watcher(stackId: string): StackWatcher {
    return new StackWatcher(this.cfn, stackId, this.request.stackName, this.count);
  }

  private waitFor(watcher: StackWatcher, options: { describeFirst?: boolean } = {}): Promise<Stack> {
    return watcher.waitUntilSettled({
      describeFirst: options.describeFirst,
      log: this.log,
      deadline: this.deadline,
      timeoutLabel: `waiting ${formatDuration(this.request.waitTimeoutMs)} (wait-timeout)`,
      signal: this.context.signal,
      clock: this.clock,
    });
  }

  private checkAbort(): void {
    if (this.context.signal.aborted)
      throw new DeployCancelledError(`Cancelled before changing stack ${this.request.stackName}`);
  }
}
