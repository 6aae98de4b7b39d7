/**
 * Re-runs converge where moto cannot show it (SDK mock: a stateful fake
 * CloudFormation, fake-cloudformation.ts): a first create that fails and
 * rolls back, an update that fails and rolls back, and CloudFormation's own
 * refusal of UsePreviousValue in a CREATE change set (moto answers it with a
 * 500). Each first run fails; the next plain run completes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError, type Context } from '@img-mgr/kernel';
import { clientFactory } from '@img-mgr/kernel/aws';
import {
  deployStack,
  DeployCancelledError,
  DeployFailedError,
  type DeployRequest,
  type DeployResult,
} from '@img-mgr/stack-deploy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeCloudFormation } from './fake-cloudformation.js';

const dir = mkdtempSync(join(tmpdir(), 'reliability-converge-mock-'));
const TEMPLATE = join(dir, 'app.yaml');
writeFileSync(
  TEMPLATE,
  'Parameters:\n  ImageId:\n    Type: String\n  Environment:\n    Type: String\n    Default: dev\n' +
    'Resources:\n  GoldenAmi:\n    Type: AWS::SSM::Parameter\n',
);

let cfn: FakeCloudFormation;
beforeEach(() => {
  cfn = new FakeCloudFormation(['ImageId']);
});
afterEach(() => {
  cfn.restore();
});

function request(overrides: Record<string, string>, extra: Partial<DeployRequest> = {}): DeployRequest {
  return {
    stackName: 'app',
    region: 'us-east-1',
    mode: 'create-and-execute',
    template: { kind: 'file', path: TEMPLATE },
    parameters: new Map(Object.entries(overrides)),
    run: { runId: '7', runAttempt: '1' },
    waitTimeoutMs: 60_000,
    ...extra,
  };
}

/** deployStack with a test Context whose clients reach the fake, and a clock that never waits. */
function deploy(
  deployRequest: DeployRequest,
  lines: string[] = [],
  signal = new AbortController().signal,
): Promise<DeployResult> {
  const log = (line: string): void => void lines.push(line);
  const context: Context = {
    log: { info: log, warn: log, secret: () => undefined, group: (_title, body) => body() },
    signal,
    env: {},
    clients: clientFactory({ caller: 'test', env: {} }),
  };
  // Sleeps take no time, and end in the abort once it has come, as the kernel's own sleep does.
  const sleep = (_ms: number, abort?: AbortSignal): Promise<void> =>
    abort?.aborted ? Promise.reject(abort.reason as Error) : Promise.resolve();
  return deployStack(deployRequest, context, { sleep, random: () => 0 });
}

describe('re-runs converge (SDK mock: a stateful fake CloudFormation)', () => {
  it('failed first create (SDK mock: moto never fails a create): the next plain run recreates it', async () => {
    cfn.failNextExecution = true;
    const failed = await deploy(request({ ImageId: 'ami-1' })).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DeployFailedError);
    expect(cfn.live('app').map((stack) => stack.status)).toEqual(['ROLLBACK_COMPLETE']);
    const lines: string[] = [];
    const next = await deploy(request({ ImageId: 'ami-2' }), lines);
    expect(next.status).toBe('CREATE_COMPLETE');
    expect(lines.join('\n')).toContain('ROLLBACK_COMPLETE (a failed create, which can only be deleted)');
    expect(cfn.live('app').map((stack) => [stack.status, stack.parameters])).toEqual([
      ['CREATE_COMPLETE', { ImageId: 'ami-2' }],
    ]);
    expect(cfn.changeSets).toEqual([]);
  });

  it('failed update (SDK mock: moto never fails an update): the next plain run updates it', async () => {
    await deploy(request({ ImageId: 'ami-1', Environment: 'prod' }));
    cfn.failNextExecution = true;
    const failed = await deploy(request({ ImageId: 'ami-2' })).catch((error: unknown) => error);
    expect((failed as Error).message).toMatch(/^Stack app ended in UPDATE_ROLLBACK_COMPLETE: /);
    expect(cfn.live('app').map((stack) => [stack.status, stack.parameters])).toEqual([
      ['UPDATE_ROLLBACK_COMPLETE', { ImageId: 'ami-1', Environment: 'prod' }],
    ]);
    const next = await deploy(request({ ImageId: 'ami-3' }));
    expect(next.status).toBe('UPDATE_COMPLETE');
    // An update keeps the value of a parameter it leaves unset.
    expect(cfn.sentParameters.at(-1)).toEqual([
      { ParameterKey: 'ImageId', ParameterValue: 'ami-3' },
      { ParameterKey: 'Environment', UsePreviousValue: true },
    ]);
    expect(cfn.live('app').map((stack) => [stack.status, stack.parameters])).toEqual([
      ['UPDATE_COMPLETE', { ImageId: 'ami-3', Environment: 'prod' }],
    ]);
  });

  it('cancelled update (SDK mock: moto cannot hold an update): the next run waits out the rollback', async () => {
    await deploy(request({ ImageId: 'ami-1' }));
    cfn.holdNextExecution = true;
    const controller = new AbortController();
    cfn.whileHeld = () => controller.abort(new Error('SIGINT'));
    const cancelled = await deploy(request({ ImageId: 'ami-2' }), [], controller.signal).catch(
      (error: unknown) => error,
    );
    expect(cancelled).toBeInstanceOf(DeployCancelledError);
    expect((cancelled as Error).message).toBe(
      'Cancelled: sent CancelUpdateStack for app; CloudFormation rolls the update back',
    );
    expect(cfn.live('app').map((stack) => stack.status)).toEqual(['UPDATE_ROLLBACK_IN_PROGRESS']);
    const lines: string[] = [];
    const next = await deploy(request({ ImageId: 'ami-3' }), lines);
    expect(lines).toContain('Stack app is now UPDATE_ROLLBACK_COMPLETE');
    expect(next.status).toBe('UPDATE_COMPLETE');
    expect(cfn.live('app').map((stack) => [stack.status, stack.parameters])).toEqual([
      ['UPDATE_COMPLETE', { ImageId: 'ami-3' }],
    ]);
    expect(cfn.changeSets).toEqual([]);
  });

  it.each(['create-and-execute', 'plan'] as const)(
    'never-executed first create, then %s (SDK mock: the AWS error text "Cannot specify UsePreviousValue ' +
      'on Parameters when ChangeSetType is CREATE"): the CREATE change set carries no UsePreviousValue',
    async (mode) => {
      await deploy(request({ ImageId: 'ami-1', Environment: 'prod' }, { mode: 'plan' }));
      expect(cfn.live('app').map((stack) => stack.status)).toEqual(['REVIEW_IN_PROGRESS']);
      const next = await deploy(request({ ImageId: 'ami-2' }, { mode }));
      expect(next.changeSetType).toBe('CREATE');
      // Environment is left out: the template's Default applies, not the unexecuted change set's value.
      expect(cfn.sentParameters.at(-1)).toEqual([{ ParameterKey: 'ImageId', ParameterValue: 'ami-2' }]);
      if (mode === 'plan') return;
      expect(next.status).toBe('CREATE_COMPLETE');
      expect(cfn.live('app').map((stack) => [stack.status, stack.parameters])).toEqual([
        ['CREATE_COMPLETE', { ImageId: 'ami-2' }],
      ]);
      expect(cfn.changeSets).toEqual([]);
    },
  );

  it('never-executed first create, then a run missing a value with no Default: one line, no call', async () => {
    await deploy(request({ ImageId: 'ami-1' }, { mode: 'plan' }));
    const sent = cfn.sentParameters.length;
    const failed = await deploy(request({ Environment: 'prod' })).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(InvalidRequestError);
    expect((failed as Error).message).toBe(
      "'parameters' does not set ImageId, which the template declares without a Default, " +
        'and a new stack has no previous value to keep; give it a value',
    );
    expect(cfn.sentParameters.length).toBe(sent);
    expect(cfn.live('app').map((stack) => stack.status)).toEqual(['REVIEW_IN_PROGRESS']);
  });
});
