/**
 * deployStack against aws-sdk-client-mock, only for the states moto cannot
 * produce (each test name says which). Everything else is tested against
 * moto through the bundled action in actions/deploy-stack/test.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelUpdateStackCommand,
  ChangeSetNotFoundException,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateSummaryCommand,
  ListChangeSetsCommand,
  UpdateTerminationProtectionCommand,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import {
  deployStack,
  DeployCancelledError,
  DeployFailedError,
  type Clock,
  type DeployRequest,
  type DeployResult,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'stack-deploy-mock-'));
writeFileSync(
  join(dir, 't.yaml'),
  'Parameters:\n  ImageId:\n    Type: String\nResources:\n  Asg:\n    Type: AWS::AutoScaling::AutoScalingGroup\n',
);
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1';
const cfnMock = mockClient(CloudFormationClient);

const request = (extra: Partial<DeployRequest> = {}): DeployRequest => ({
  stackName: 'app',
  region: 'us-east-1',
  mode: 'create-and-execute',
  template: { kind: 'file', path: join(dir, 't.yaml') },
  parameters: new Map([['ImageId', 'ami-2']]),
  run: { runId: '42', runAttempt: '1' },
  waitTimeoutMs: 60_000,
  ...extra,
});

interface Hooks extends Clock {
  log?: (line: string) => void;
  warn?: (line: string) => void;
  secret?: (value: string) => void;
  signal?: AbortSignal;
}

/** deployStack with a test Context (its clients are mocked) and a clock that never waits and never jitters. */
function deploy(request: DeployRequest, lines: string[], extra: Hooks = {}): Promise<DeployResult> {
  const log = extra.log ?? ((line: string) => lines.push(line));
  const context: Context = {
    log: {
      info: log,
      warn: extra.warn ?? log,
      secret: extra.secret ?? (() => undefined),
      group: (_title, body) => body(),
    },
    signal: extra.signal ?? new AbortController().signal,
    env: {},
    clients: clientFactory({ caller: 'test', env: {} }),
  };
  return deployStack(request, context, {
    sleep: extra.sleep ?? (() => Promise.resolve()),
    now: extra.now,
    random: extra.random ?? (() => 0),
  });
}

const stack = (status: string, extra: Partial<Stack> = {}): { Stacks: Stack[] } => ({
  Stacks: [
    {
      StackName: 'app',
      StackId: STACK_ID,
      StackStatus: status as StackStatus,
      CreationTime: new Date(),
      Parameters: [{ ParameterKey: 'ImageId', ParameterValue: 'ami-1' }],
      ...extra,
    },
  ],
});

let eventCounter = 0;
const event = (status: string, extra: Partial<StackEvent> = {}): StackEvent => ({
  EventId: `e${++eventCounter}`,
  StackId: STACK_ID,
  StackName: 'app',
  LogicalResourceId: 'app',
  PhysicalResourceId: STACK_ID,
  ResourceType: 'AWS::CloudFormation::Stack',
  ResourceStatus: status as ResourceStatus,
  Timestamp: new Date(Date.now() + eventCounter),
  ...extra,
});

/** An update change set that is ready to execute. */
function readyChangeSet(): void {
  cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: STACK_ID });
  cfnMock.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: [
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Asg',
          ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
          Replacement: 'False',
        },
      },
    ],
  });
  cfnMock.on(ExecuteChangeSetCommand).resolves({});
}

beforeEach(() => {
  cfnMock.reset();
});

describe('deployStack (SDK mock)', () => {
  it('returns the outputs read after the change set ran (SDK mock: moto does not rebuild outputs)', async () => {
    readyChangeSet();
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'Url', OutputValue: 'http://old' }] }))
      .resolves(
        stack('UPDATE_COMPLETE', {
          Outputs: [
            { OutputKey: 'Url', OutputValue: 'http://new' },
            { OutputKey: 'PrivateSubnets', OutputValue: 'subnet-1,subnet-2' },
          ],
        }),
      );
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    const lines: string[] = [];
    const result = await deploy(request(), lines);
    expect(result.outputs).toEqual({ Url: 'http://new', PrivateSubnets: 'subnet-1,subnet-2' });
    expect(result.status).toBe('UPDATE_COMPLETE');
    // Masking goes by meaning: the template has no NoEcho parameter, so nothing is hidden, whatever the name.
    expect(result.secretOutputs).toEqual([]);
    expect(lines.join('\n')).toContain('PrivateSubnets = subnet-1,subnet-2');
    const execute = cfnMock.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input;
    expect(execute?.ChangeSetName).toBe('arn:cs/1');
  });

  it('masks a URL template NoEcho values and outputs carrying them before any line (SDK mock)', async () => {
    readyChangeSet();
    const secret = 'Url-NoEcho-Value-42';
    cfnMock.on(GetTemplateSummaryCommand).resolves({
      Parameters: [
        { ParameterKey: 'ImageId', ParameterType: 'String', NoEcho: false },
        { ParameterKey: 'ApiKey', ParameterType: 'String', NoEcho: true },
        { ParameterKey: 'Fallback', ParameterType: 'String', NoEcho: true, DefaultValue: 'default-secret-77' },
      ],
    });
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE'))
      .resolves(
        stack('UPDATE_COMPLETE', {
          Outputs: [
            { OutputKey: 'Endpoint', OutputValue: `https://svc.example/?key=${secret}` },
            { OutputKey: 'PrivateSubnets', OutputValue: 'subnet-1' },
          ],
        }),
      );
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    const events: string[] = [];
    const result = await deploy(
      request({
        template: { kind: 'url', url: 'https://bucket.s3.us-east-1.amazonaws.com/app.json' },
        parameters: new Map([
          ['ImageId', 'ami-2'],
          ['ApiKey', secret],
        ]),
      }),
      [],
      { log: (line) => events.push(`log ${line}`), secret: (value) => events.push(`mask ${value}`) },
    );
    expect(events.slice(0, 2)).toEqual([`mask ${secret}`, 'mask default-secret-77']);
    expect(events).toContain(`mask https://svc.example/?key=${secret}`);
    expect(events.filter((line) => line.startsWith('log ') && line.includes(secret))).toEqual([]);
    expect(result.secretOutputs).toEqual(['Endpoint']);
    expect(events).toContain('log   PrivateSubnets = subnet-1');
  });

  it('deletes a ROLLBACK_COMPLETE stack and creates it again (SDK mock: moto cannot produce that state)', async () => {
    readyChangeSet();
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('ROLLBACK_COMPLETE'))
      .resolvesOnce(stack('DELETE_COMPLETE'))
      .resolves(stack('CREATE_COMPLETE'));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolvesOnce({ StackEvents: [event('DELETE_COMPLETE')] })
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('CREATE_COMPLETE')] });
    cfnMock.on(DeleteStackCommand).resolves({});
    const lines: string[] = [];
    const result = await deploy(request(), lines);
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    // A recreated stack has no previous values to keep.
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Parameters).toEqual([
      { ParameterKey: 'ImageId', ParameterValue: 'ami-2' },
    ]);
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(lines.join('\n')).toMatch(/ROLLBACK_COMPLETE \(a failed create.*deleting it/);
  });

  it('deletes a REVIEW_IN_PROGRESS stack read again right before the delete (SDK mock: request order)', async () => {
    readyChangeSet();
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('REVIEW_IN_PROGRESS'))
      .resolvesOnce(stack('REVIEW_IN_PROGRESS'))
      .resolvesOnce(stack('DELETE_COMPLETE'))
      .resolves(stack('CREATE_COMPLETE'));
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [{ ExecutionStatus: 'AVAILABLE' }] });
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolvesOnce({ StackEvents: [event('DELETE_COMPLETE')] })
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('CREATE_COMPLETE')] });
    cfnMock.on(DeleteStackCommand).resolves({});
    const result = await deploy(request(), []);
    expect(cfnMock.commandCalls(DescribeStacksCommand)[1]?.args[0].input.StackName).toBe(STACK_ID);
    expect(cfnMock.commandCalls(ListChangeSetsCommand)[0]?.args[0].input.StackName).toBe(STACK_ID);
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    expect(result.status).toBe('CREATE_COMPLETE');
  });

  it('never deletes a REVIEW_IN_PROGRESS stack whose change set was executed meanwhile (SDK mock)', async () => {
    for (const [meanwhile, executing] of [
      ['CREATE_IN_PROGRESS', 'EXECUTE_IN_PROGRESS'],
      ['REVIEW_IN_PROGRESS', 'EXECUTE_IN_PROGRESS'],
    ] as const) {
      cfnMock.reset();
      readyChangeSet();
      cfnMock
        .on(DescribeStacksCommand)
        .resolvesOnce(stack('REVIEW_IN_PROGRESS'))
        .resolvesOnce(stack(meanwhile))
        .resolves(stack('CREATE_COMPLETE'));
      cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [{ ExecutionStatus: executing }] });
      cfnMock
        .on(DescribeStackEventsCommand)
        .resolvesOnce({ StackEvents: [] })
        .resolves({ StackEvents: [event('CREATE_COMPLETE')] });
      const lines: string[] = [];
      const result = await deploy(request(), lines);
      expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
      // The create someone started is waited for, then the deploy updates the stack it made.
      expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('UPDATE');
      expect(result.status).toBe('CREATE_COMPLETE');
      expect(lines.join('\n')).toContain('not deleting it; waiting for that operation instead');
    }
  });

  it('skips the launch key of a group whose ServiceLinkedRoleARN is a Ref, with a warning (SDK mock)', async () => {
    const path = join(dir, 'ref-role.yaml');
    writeFileSync(
      path,
      'Parameters:\n  ImageId:\n    Type: String\nResources:\n  Asg:\n    Type: AWS::AutoScaling::AutoScalingGroup\n' +
        '    Properties:\n      ServiceLinkedRoleARN: !Ref ImageId\n',
    );
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    const warnings: string[] = [];
    const result = await deploy(
      request({ template: { kind: 'file', path }, checkLaunchKey: true, launchKmsKey: 'alias/never-read' }),
      [],
      { warn: (line) => warnings.push(line) },
    );
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(warnings).toEqual([
      'Launch key: Auto Scaling group Asg sets ServiceLinkedRoleARN by an expression, known only when ' +
        'CloudFormation resolves it; the launch key is not checked for its role',
    ]);
    expect(result.apiCalls).not.toHaveProperty('DescribeKey');
  });

  it('keeps a ROLLBACK_COMPLETE stack if recreate-failed-stack is false (SDK mock: moto cannot make it)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    await expect(deploy(request({ recreateFailedStack: false }), [])).rejects.toThrow(
      /ROLLBACK_COMPLETE.*recreate-failed-stack is false\. Delete the stack/,
    );
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('rejects an unknown override before deleting a ROLLBACK_COMPLETE stack (SDK mock: moto cannot)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    const failure = await deploy(request({ parameters: new Map([['Typo', 'x']]) }), []).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect(failure).toMatchObject({ field: 'parameters' });
    expect((failure as InvalidRequestError).problem).toMatch(
      /^sets a parameter the template does not declare at 'Typo' \(it declares ImageId;/,
    );
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  const failedResources = (...ids: [string, string][]): void => {
    cfnMock.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'CREATE_COMPLETE',
          StackName: 'app',
          Timestamp: new Date(),
        },
        ...ids.map(([id, status]) => ({
          LogicalResourceId: id,
          ResourceType: 'AWS::EC2::SecurityGroup',
          ResourceStatus: status as ResourceStatus,
          StackName: 'app',
          Timestamp: new Date(),
        })),
      ],
    });
  };

  it.each([
    [
      'UPDATE_ROLLBACK_FAILED',
      'UPDATE_FAILED',
      new RegExp(
        /^Stack app is UPDATE_ROLLBACK_FAILED: the update failed and so did its rollback \(Sg, Web\); .*/.source +
          /"aws cloudformation continue-update-rollback --stack-name app --resources-to-skip Sg Web", /.source +
          /then deploy again$/.source,
      ),
    ],
    [
      'ROLLBACK_FAILED',
      'DELETE_FAILED',
      new RegExp(
        /^Stack app is ROLLBACK_FAILED: its creation failed and the rollback could not delete Sg, Web; /.source +
          /delete it with "aws cloudformation delete-stack --stack-name app" /.source +
          /\(if that ends in DELETE_FAILED, run it again with --retain-resources Sg Web\), then deploy again$/.source,
      ),
    ],
    [
      'DELETE_FAILED',
      'DELETE_FAILED',
      new RegExp(
        /^Stack app is DELETE_FAILED: Sg, Web could not be deleted; delete the stack keeping them with /.source +
          /"aws cloudformation delete-stack --stack-name app --retain-resources Sg Web" .*then deploy again$/.source,
      ),
    ],
  ])(
    'explains a stack in %s in one line with the command to run, changes nothing (SDK mock: moto cannot produce it)',
    async (status, resourceStatus, line) => {
      cfnMock.on(DescribeStacksCommand).resolves(stack(status));
      failedResources(['Sg', resourceStatus], ['Web', resourceStatus]);
      const failure = await deploy(request(), []).then(
        () => new Error('deploy succeeded'),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toMatch(line);
      expect(failure.message).not.toContain('\n');
      expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
      expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    },
  );

  it('names a placeholder when failed resources cannot be listed (SDK mock: moto lacks DELETE_FAILED)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('DELETE_FAILED'));
    cfnMock.on(DescribeStackResourcesCommand).rejects(new Error('Throttling'));
    const warnings: string[] = [];
    await expect(deploy(request(), [], { warn: (line) => warnings.push(line) })).rejects.toThrow(
      /--retain-resources <logical ids>/,
    );
    expect(warnings.join('\n')).toContain("Could not list the stack's failed resources");
  });

  it('ends its own create that could not roll back with the next step (SDK mock: moto never fails it)', async () => {
    cfnMock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [] }).resolves(stack('ROLLBACK_FAILED'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: STACK_ID });
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
    cfnMock.on(ExecuteChangeSetCommand).resolves({});
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          event('ROLLBACK_FAILED'),
          event('DELETE_FAILED', {
            LogicalResourceId: 'Sg',
            ResourceType: 'AWS::EC2::SecurityGroup',
            ResourceStatusReason: 'resource sg-1 has a dependent object',
          }),
          event('CREATE_FAILED', {
            LogicalResourceId: 'Asg',
            ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
            ResourceStatusReason: 'AMI not found',
          }),
        ],
      });
    failedResources(['Sg', 'DELETE_FAILED']);
    const failure = await deploy(request(), []).then(
      () => new Error('deploy succeeded'),
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(DeployFailedError);
    expect(failure.message).toMatch(
      new RegExp(
        /^Stack app ended in ROLLBACK_FAILED: .*\. Its creation failed and the rollback could not delete Sg; /.source +
          /delete it with "aws cloudformation delete-stack --stack-name app"/.source,
      ),
    );
    expect(failure.message).not.toContain('\n');
  });

  it('ends a failed update with the root cause, noise dropped (SDK mock: moto never fails an update)', async () => {
    readyChangeSet();
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE'))
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    const nested = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app-Net/2';
    cfnMock
      .on(DescribeStackEventsCommand, { StackName: STACK_ID })
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          event('UPDATE_ROLLBACK_COMPLETE'),
          event('UPDATE_FAILED', {
            LogicalResourceId: 'Net',
            ResourceType: 'AWS::CloudFormation::Stack',
            PhysicalResourceId: nested,
            ResourceStatusReason: 'Embedded stack failed',
          }),
          event('UPDATE_FAILED', {
            LogicalResourceId: 'Asg',
            ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
            ResourceStatusReason: 'Resource update cancelled',
          }),
          event('UPDATE_IN_PROGRESS'),
        ],
      });
    cfnMock.on(DescribeStackEventsCommand, { StackName: nested }).resolves({
      StackEvents: [
        event('CREATE_FAILED', {
          StackId: nested,
          LogicalResourceId: 'Subnet',
          ResourceType: 'AWS::EC2::Subnet',
          ResourceStatusReason: 'The CIDR 10.0.0.0/8 is invalid',
        }),
      ],
    });
    const lines: string[] = [];
    const failure = await deploy(request(), lines).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeployFailedError);
    const result = (failure as DeployFailedError).result;
    expect(result.failures.map((failed) => `${failed.logicalId}: ${failed.reason}`)).toEqual([
      'Net: Embedded stack failed',
    ]);
    expect((failure as Error).message).toMatch(
      new RegExp(
        /^Stack app ended in UPDATE_ROLLBACK_COMPLETE: /.source +
          /Net \(AWS::CloudFormation::Stack\) UPDATE_FAILED: Embedded stack failed/.source,
      ),
    );
    const log = lines.join('\n');
    expect(log).toContain('Root cause: stack app is UPDATE_ROLLBACK_COMPLETE');
    expect(log).not.toMatch(/Root cause[\s\S]*Resource update cancelled/);
  });

  it('streams nested stack events with their parent as prefix (SDK mock: moto has stack events only)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_COMPLETE'));
    const nested = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app-Net/2';
    cfnMock
      .on(DescribeStackEventsCommand, { StackName: STACK_ID })
      .resolvesOnce({ StackEvents: [] })
      .resolvesOnce({
        StackEvents: [
          event('UPDATE_IN_PROGRESS', {
            LogicalResourceId: 'Net',
            ResourceType: 'AWS::CloudFormation::Stack',
            PhysicalResourceId: nested,
          }),
        ],
      })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    cfnMock.on(DescribeStackEventsCommand, { StackName: nested }).resolves({
      StackEvents: [
        event('UPDATE_COMPLETE', { StackId: nested, LogicalResourceId: 'Subnet', ResourceType: 'AWS::EC2::Subnet' }),
      ],
    });
    const lines: string[] = [];
    await deploy(request(), lines);
    expect(lines.some((line) => /UPDATE_COMPLETE\s+AWS::EC2::Subnet\s+Net\/Subnet/.test(line))).toBe(true);
  });

  it('sends CancelUpdateStack when aborted during an update (SDK mock: moto cannot hold an update)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_IN_PROGRESS')] });
    cfnMock.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_IN_PROGRESS'));
    cfnMock.on(CancelUpdateStackCommand).resolves({});
    const controller = new AbortController();
    const sleep = (): Promise<void> => {
      controller.abort(new Error('SIGINT'));
      return Promise.reject(new Error('aborted'));
    };
    const failure = await deploy(request(), [], { signal: controller.signal, sleep }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeployCancelledError);
    expect((failure as Error).message).toBe(
      'Cancelled: sent CancelUpdateStack for app; CloudFormation rolls the update back',
    );
    expect(cfnMock.commandCalls(CancelUpdateStackCommand)[0]?.args[0].input.StackName).toBe(STACK_ID);
  });

  it('leaves the update running if cancel-on-abort is false (SDK mock: moto cannot hold an update)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_IN_PROGRESS'));
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const controller = new AbortController();
    const sleep = (): Promise<void> => {
      controller.abort(new Error('SIGINT'));
      return Promise.reject(new Error('aborted'));
    };
    await expect(deploy(request({ cancelOnAbort: false }), [], { signal: controller.signal, sleep })).rejects.toThrow(
      /cancel-on-abort is false, so the update goes on/,
    );
    expect(cfnMock.commandCalls(CancelUpdateStackCommand)).toHaveLength(0);
  });

  it('deletes a created, unexecuted change set when aborted (SDK mock: moto makes change sets at once)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: STACK_ID });
    cfnMock.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_PENDING' });
    cfnMock.on(DeleteChangeSetCommand).resolves({});
    const controller = new AbortController();
    const sleep = (): Promise<void> => {
      controller.abort(new Error('SIGINT'));
      return Promise.reject(new Error('Cancelled by SIGINT'));
    };
    await expect(deploy(request(), [], { signal: controller.signal, sleep })).rejects.toThrow('Cancelled by SIGINT');
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input.ChangeSetName).toBe('arn:cs/1');
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('treats a FAILED "didn\'t contain changes" change set as empty, deletes it (SDK mock: moto errors)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: STACK_ID });
    cfnMock.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    cfnMock.on(DeleteChangeSetCommand).resolves({});
    const result = await deploy(request(), []);
    expect(result.noChanges).toBe(true);
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    await expect(deploy(request({ failOnEmptyChangeSet: true }), [])).rejects.toThrow(
      /no changes to deploy and fail-on-empty-changeset is true/,
    );
  });

  it('turns termination protection on for an existing stack only if it differs (SDK mock: moto 500s)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { EnableTerminationProtection: false }));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    cfnMock.on(UpdateTerminationProtectionCommand).resolves({});
    await deploy(request({ terminationProtection: true }), []);
    expect(cfnMock.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true,
    });
    cfnMock.resetHistory();
    await deploy(request({ terminationProtection: false }), []);
    expect(cfnMock.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });

  it('fails at wait-timeout, never succeeding with a warning (SDK mock: moto finishes updates at once)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_IN_PROGRESS'));
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    let clock = 0;
    const result = deploy(request({ waitTimeoutMs: 5_000 }), [], {
      now: () => clock,
      sleep: (ms) => {
        clock += Math.max(ms, 1);
        return Promise.resolve();
      },
    });
    await expect(result).rejects.toThrow('Stack app is still UPDATE_IN_PROGRESS after waiting 5s (wait-timeout)');
  });

  it('polls fast after activity, backs off to at most 1 s while idle (SDK mock: moto finishes at once)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    const quiet = { StackEvents: [] };
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce(quiet) // baseline
      .resolvesOnce(quiet)
      .resolvesOnce(quiet)
      .resolvesOnce(quiet)
      .resolvesOnce(quiet)
      .resolvesOnce(quiet)
      .resolvesOnce(quiet)
      .resolvesOnce({
        StackEvents: [
          event('UPDATE_IN_PROGRESS', { LogicalResourceId: 'Asg', ResourceType: 'AWS::AutoScaling::AutoScalingGroup' }),
        ],
      })
      .resolvesOnce(quiet)
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    const slept: number[] = [];
    const result = await deploy(request(), [], { sleep: (ms) => (slept.push(ms), Promise.resolve()) });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(slept).toEqual([200, 300, 450, 675, 1000, 1000, 200, 300]);
    // One DescribeStackEvents per tick plus the baseline; DescribeStacks only at the start and at the end.
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)).toHaveLength(10);
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(2);
  });

  it('sends disable-rollback when executing an update, OnStackFailure with a create (SDK mock: request)', async () => {
    readyChangeSet();
    cfnMock.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_COMPLETE'));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    await deploy(
      request({
        disableRollback: true,
        roleArn: 'arn:aws:iam::123456789012:role/cfn',
        notificationArns: ['arn:aws:sns:us-east-1:123456789012:t'],
        tags: [{ Key: 'team', Value: 'platform' }],
      }),
      [],
    );
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input.DisableRollback).toBe(true);
    const created = cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(created).toMatchObject({
      RoleARN: 'arn:aws:iam::123456789012:role/cfn',
      NotificationARNs: ['arn:aws:sns:us-east-1:123456789012:t'],
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(created?.OnStackFailure).toBeUndefined();
  });

  it('reads every page of a change set once it is complete (SDK mock: moto answers with one page)', async () => {
    readyChangeSet();
    const change = (id: string) => ({
      Type: 'Resource' as const,
      ResourceChange: { Action: 'Add' as const, LogicalResourceId: id, ResourceType: 'AWS::SSM::Parameter' },
    });
    cfnMock.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [change('First')],
      NextToken: 'page-2',
    });
    cfnMock.on(DescribeChangeSetCommand, { NextToken: 'page-2' }).resolves({ Changes: [change('Second')] });
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [event('UPDATE_COMPLETE')] });
    const result = await deploy(request(), []);
    expect(result.changes.map((row) => row.logicalId)).toEqual(['First', 'Second']);
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)).toHaveLength(2);
  });

  it('names a missing change set by its request field (SDK mock: AWS error ChangeSetNotFoundException)', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock
      .on(DescribeChangeSetCommand)
      .rejects(new ChangeSetNotFoundException({ message: 'ChangeSet [deploy-x] does not exist', $metadata: {} }));
    const failure = await deploy(request({ mode: 'execute', changeSetName: 'deploy-x' }), []).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect(failure).toMatchObject({
      field: 'changeSetName',
      problem: "names 'deploy-x', which does not exist for stack app",
    });
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});
