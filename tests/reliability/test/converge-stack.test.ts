// @needs-tools moto_server
/**
 * Re-runs converge (deploy-stack, bundled, against moto): a first create
 * that was never executed (a plan, or a run cancelled between its change
 * set and its execution) leaves a REVIEW_IN_PROGRESS stack; the next plain
 * run must create the stack, and the run after it must find one stack in a
 * settled state. The failed create and failed update, which moto cannot
 * produce, are in converge-stack.mock.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsEnvFor, runBundledAction, snapshotAws, startFaultProxy, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TEMPLATE, clientsFor, stackStatus, unexecutedChangeSets, type Clients } from './helpers.js';

/** The app template with a second parameter that has a Default, which a first run overrides. */
const TEMPLATE_WITH_DEFAULT = APP_TEMPLATE.replace(
  'Parameters:\n',
  'Parameters:\n  Environment:\n    Type: String\n    Default: dev\n',
).replace(
  'Resources:\n',
  'Resources:\n  EnvironmentName:\n    Type: AWS::SSM::Parameter\n    Properties:\n' +
    "      Name: !Sub '/reliability/${AWS::StackName}/environment'\n      Type: String\n" +
    '      Value: !Ref Environment\n',
);

let moto: Moto;
let aws: Clients;

beforeAll(async () => {
  moto = await startMoto();
  aws = clientsFor(moto);
});
afterAll(async () => {
  await moto.stop();
});

function file(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'reliability-converge-')), 'template.yaml');
  writeFileSync(path, body);
  return path;
}

function deploy(stack: string, overrides: string, extra: Record<string, string> = {}) {
  return runBundledAction('deploy-stack', {
    env: moto.env,
    inputs: { 'stack-name': stack, template: file(TEMPLATE_WITH_DEFAULT), 'parameter-overrides': overrides, ...extra },
  });
}

/** Every stack of that name that is not deleted (moto can hold two of one name). */
async function liveStacks(name: string): Promise<string[]> {
  const summaries = (await aws.cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
  return summaries
    .filter((summary) => summary.StackName === name && summary.StackStatus !== 'DELETE_COMPLETE')
    .map((summary) => summary.StackStatus ?? '?');
}

/** The stack's parameter values, as DescribeStacks reports them by name. */
async function stackParameters(name: string): Promise<Record<string, string>> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  return Object.fromEntries((stack?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
}

/**
 * Unexecuted change sets of the stack that now holds the name. (moto lists the
 * change sets of a deleted stack too; CloudFormation deletes them with it.)
 */
async function pendingChangeSets(name: string): Promise<string[]> {
  const stackId = (await aws.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackId;
  return (await unexecutedChangeSets(aws.cfn, name))
    .filter((summary) => summary.StackId === stackId)
    .map((summary) => summary.ChangeSetName ?? '?');
}

/** The next plain run creates the stack; the one after it updates that stack: one stack, settled, nothing pending. */
async function expectConverges(stack: string): Promise<void> {
  const next = await deploy(stack, 'ImageId=ami-2');
  expect(next.errors, next.log).toEqual([]);
  expect(next.log).toContain(`Stack ${stack} is REVIEW_IN_PROGRESS`);
  expect(next.log).toContain('deleting it to create it afresh');
  expect(next.log).toMatch(/Change set deploy-\S+ \(CREATE\)/);
  expect(await liveStacks(stack)).toEqual(['CREATE_COMPLETE']);
  expect(await stackStatus(aws.cfn, stack)).toBe('CREATE_COMPLETE');
  // A parameter this run left unset takes the template's Default, not the unexecuted run's value.
  expect(await stackParameters(stack)).toEqual({ ImageId: 'ami-2', Environment: 'dev' });
  expect(await pendingChangeSets(stack)).toEqual([]);
  const after = await deploy(stack, 'ImageId=ami-3');
  expect(after.errors, after.log).toEqual([]);
  expect(after.log).toMatch(/Change set deploy-\S+ \(UPDATE\)/);
  expect(await liveStacks(stack)).toEqual(['UPDATE_COMPLETE']);
  expect(await stackParameters(stack)).toEqual({ ImageId: 'ami-3', Environment: 'dev' });
}

describe('re-runs converge after a first create that never ran (moto)', () => {
  it('never-executed first create (a plan left REVIEW_IN_PROGRESS): the next plain run creates the stack', async () => {
    const plan = await deploy('converge-plan', 'ImageId=ami-1\nEnvironment=prod', { mode: 'plan' });
    expect(plan.errors, plan.log).toEqual([]);
    expect(await stackStatus(aws.cfn, 'converge-plan')).toBe('REVIEW_IN_PROGRESS');
    await expectConverges('converge-plan');
  });

  it('cancelled first create (SIGINT between change set and execution): the next plain run creates it', async () => {
    const stack = 'converge-cancel';
    // A slow proxy stretches the moment between CreateChangeSet and ExecuteChangeSet.
    const proxy = await startFaultProxy({ target: moto.endpoint, rate: 1, kinds: ['slow'], slowMs: 1_000, seed: 7 });
    try {
      const cancelled = await runBundledAction('deploy-stack', {
        env: awsEnvFor(proxy.endpoint, moto.region),
        inputs: {
          'stack-name': stack,
          template: file(TEMPLATE_WITH_DEFAULT),
          'parameter-overrides': 'ImageId=ami-1\nEnvironment=prod',
        },
        cancel: { when: (log) => log.includes('::group::Change set deploy-') },
      });
      expect(cancelled.exitCode, cancelled.log).toBe(1);
      expect(cancelled.errors).toEqual([`Cancelled before changing stack ${stack}`]);
    } finally {
      await proxy.stop();
    }
    expect(await stackStatus(aws.cfn, stack)).toBe('REVIEW_IN_PROGRESS');
    await expectConverges(stack);
  });

  it('a run that leaves a parameter with no Default unset fails in one line naming it, changing nothing', async () => {
    const plan = await deploy('converge-missing', 'ImageId=ami-1', { mode: 'plan' });
    expect(plan.errors, plan.log).toEqual([]);
    const before = await snapshotAws(moto.clientConfig);
    const run = await deploy('converge-missing', 'Environment=prod');
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "Input 'parameter-overrides' does not set ImageId, which the template declares without a Default, " +
        'and a new stack has no previous value to keep; give it a value',
    ]);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });
});
