// @needs-tools moto_server
/**
 * Two deploys of the same stack at once. The first creates the stack and is
 * held in CREATE_IN_PROGRESS by a custom resource; the second starts while it
 * runs, waits for it to settle, then applies its own change. Both succeed,
 * each with its own change set, and the stack ends with the second's template.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  createHoldFunction,
  releaseHeld,
  runBundledAction,
  startMoto,
  type ActionRun,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientsFor,
  parameterHistory,
  stackStatus,
  stackTemplate,
  unexecutedChangeSets,
  type Clients,
} from './helpers.js';

let moto: Moto;
let aws: Clients;

beforeAll(async () => {
  moto = await startMoto();
  aws = clientsFor(moto);
});
afterAll(async () => {
  await moto.stop();
});

/** The app stack in JSON with the held resource (first deploy) or with one more parameter and no hold (second). */
function template(serviceToken: string, second: boolean): string {
  const parameter = (suffix: string, value: unknown) => ({
    Type: 'AWS::SSM::Parameter',
    Properties: { Name: { 'Fn::Sub': `/reliability/\${AWS::StackName}/${suffix}` }, Type: 'String', Value: value },
  });
  return JSON.stringify(
    {
      Parameters: { ImageId: { Type: 'String' } },
      Resources: second
        ? { GoldenAmi: parameter('ami', { Ref: 'ImageId' }), Second: parameter('second', 'applied') }
        : {
            GoldenAmi: parameter('ami', { Ref: 'ImageId' }),
            Hold: { Type: 'Custom::Hold', Properties: { ServiceToken: serviceToken } },
          },
    },
    null,
    2,
  );
}

function file(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'reliability-concurrent-')), 'template.json');
  writeFileSync(path, body);
  return path;
}

describe('two deploys of the same stack at once', () => {
  it('the second waits for the first to settle, then applies its own change; neither corrupts the other', async () => {
    const serviceToken = await createHoldFunction(moto);
    const stack = 'concurrent';
    let startSecond!: () => void;
    const secondMayStart = new Promise<void>((resolve) => (startSecond = resolve));
    let released: Promise<void> | undefined;

    // The first deploy creates the stack with CreateStack (timeout-in-minutes), which the held resource keeps in
    // progress.
    const first = runBundledAction('deploy-stack', {
      env: moto.env,
      inputs: {
        'stack-name': stack,
        template: file(template(serviceToken, false)),
        'parameter-overrides': 'ImageId=ami-first',
        'timeout-in-minutes': 10,
      },
      cancel: {
        when: (log) => {
          if (/CREATE_IN_PROGRESS\s+AWS::CloudFormation::Stack\s+concurrent/.test(log)) startSecond();
          return false;
        },
      },
    });
    await secondMayStart;
    expect(await stackStatus(aws.cfn, stack)).toBe('CREATE_IN_PROGRESS');
    // The second starts while the first is in progress; once it says it waits, the held resource is answered.
    const second: ActionRun = await runBundledAction('deploy-stack', {
      env: moto.env,
      inputs: {
        'stack-name': stack,
        template: file(template(serviceToken, true)),
        'parameter-overrides': 'ImageId=ami-second',
      },
      cancel: {
        when: (log) => {
          if (log.includes('Waiting for the running CREATE_IN_PROGRESS operation')) {
            released ??= aws.cfn
              .send(new DescribeStacksCommand({ StackName: stack }))
              .then((described) => releaseHeld(moto, described.Stacks?.[0]?.StackId ?? ''));
          }
          return false;
        },
      },
    });
    await released;
    const firstRun = await first;

    expect(firstRun.exitCode, firstRun.log).toBe(0);
    // The first reports its own operation's end, even though the second's update (instant on moto)
    // may already have landed when it described the stack.
    expect(firstRun.log).toMatch(/CREATE_COMPLETE\s+AWS::CloudFormation::Stack\s+concurrent/);
    expect(firstRun.outputs.status).toBe('CREATE_COMPLETE');
    expect(second.exitCode, second.log).toBe(0);
    expect(second.log).toMatch(
      new RegExp(
        String.raw`Waiting for the running CREATE_IN_PROGRESS operation[\s\S]*` +
          String.raw`Stack concurrent is now CREATE_COMPLETE[\s\S]*Change set \S+ \(UPDATE\)`,
      ),
    );
    expect(second.outputs.status).toBe('UPDATE_COMPLETE');
    expect(second.outputs['change-set-name']).not.toBe(firstRun.outputs['change-set-name']);

    expect(await stackStatus(aws.cfn, stack)).toBe('UPDATE_COMPLETE');
    expect(JSON.parse(await stackTemplate(aws.cfn, stack))).toEqual(JSON.parse(template(serviceToken, true)));
    expect(await unexecutedChangeSets(aws.cfn, stack)).toEqual([]);
    // moto replaces an updated SSM parameter resource, so only the latest value is in its history.
    expect((await parameterHistory(aws.ssm, `/reliability/${stack}/ami`)).at(-1)?.value).toBe('ami-second');
    expect((await parameterHistory(aws.ssm, `/reliability/${stack}/second`)).map((entry) => entry.value)).toEqual([
      'applied',
    ]);
  });
});
