// @needs-tools moto_server packer
/**
 * Cancellation as GitHub does it: SIGINT at the worst moment of each action,
 * SIGTERM 7.5 s later, SIGKILL 2.5 s after that (the test bed's runBundledAction).
 * A slow proxy (every request held back) stretches the moments between calls
 * so that the signal lands mid-operation. Each test checks that the step
 * exits in time and what it leaves behind.
 *
 * Per-action tests already cover the quick paths (bake-ami: SIGINT during a
 * pause; deploy-stack: SIGINT during its own held create; stack-deploy's SDK
 * mock: CancelUpdateStack during an update, which moto cannot hold). Here the
 * signals land while requests are in flight.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import {
  awsEnvFor,
  createHoldFunction,
  heldResourceTemplate,
  releaseHeld,
  makeAmi,
  runBundledAction,
  startFaultProxy,
  startMoto,
  type FaultProxy,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_TEMPLATE,
  APP_TEMPLATE_V2,
  bakeInputs,
  clientsFor,
  packerLeftovers,
  parameterHistory,
  stackStatus,
  stackTemplate,
  unexecutedChangeSets,
  type Clients,
} from './helpers.js';

/** GitHub sends SIGTERM this long after SIGINT, and kills the process tree 2.5 s later. */
const SIGTERM_AFTER_MS = 7_500;
const SIGKILL_AFTER_MS = 10_000;

let moto: Moto;
let aws: Clients;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  moto = await startMoto();
  aws = clientsFor(moto);
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
});
afterAll(async () => {
  await moto.stop();
});

/** A proxy that holds every request back `slowMs` before passing it to moto. */
async function slowProxy(slowMs: number, rate = 1): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: moto.endpoint, rate, kinds: ['slow'], slowMs, seed: 7 });
  proxies.push(proxy);
  return proxy;
}

function file(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'reliability-cancel-')), 'template.yaml');
  writeFileSync(path, body);
  return path;
}

/** Waits until requests that a slow proxy still holds have reached moto. */
function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('cancellation at the worst moment, for each action', () => {
  it(
    'bake-ami mid-Packer (EC2 calls slowed): Packer cleans up before ' +
      'SIGKILL; after the post step nothing is left and no AMI exists',
    async () => {
      const packerProxy = await slowProxy(400, 0.5);
      const run = await runBundledAction('bake-ami', {
        env: moto.env,
        inputs: bakeInputs(packerProxy.endpoint, ['pause_seconds=60'], { 'app-revision': 'cancelled' }),
        cancel: { when: (log) => log.includes('Pausing 1m0s before the next provisioner') },
        timeoutMs: 60_000,
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.exitAfterCancelMs).toBeLessThan(SIGKILL_AFTER_MS);
      expect(run.errors.at(-1)).toBe('Cancelled by SIGINT');
      expect(run.log).toContain('Cleanly cancelled builds after being interrupted.');
      const post = await runBundledAction('bake-ami', { entry: 'post', runner: run.runner, env: moto.env });
      expect(post.exitCode, post.log).toBe(0);
      expect(await packerLeftovers(aws.ec2)).toEqual({ running: [], keyPairs: [], securityGroups: [] });
      const images = await aws.ec2.send(
        new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:app-revision', Values: ['cancelled'] }] }),
      );
      expect(images.Images ?? []).toEqual([]);
      console.log(`bake-ami: exited ${run.exitAfterCancelMs} ms after SIGINT`);
    },
  );

  it.each([
    // The first call after reading the stack is CreateChangeSet (see the API call counts in bench/deploy-stack).
    ['while CreateChangeSet is in flight', 'cancel-cs-1', 'Stack cancel-cs-1 is CREATE_COMPLETE'],
    ['between the change set and its execution', 'cancel-cs-2', '::group::Change set deploy-'],
  ])(
    'deploy-stack mid-change-set (%s): exits in time, deletes its change set, the stack keeps its old template',
    async (moment, stack, marker) => {
      const setup = await runBundledAction('deploy-stack', {
        env: moto.env,
        inputs: { 'stack-name': stack, template: file(APP_TEMPLATE), 'parameter-overrides': 'ImageId=ami-1' },
      });
      expect(setup.exitCode, setup.log).toBe(0);
      const proxy = await slowProxy(1_000);
      const run = await runBundledAction('deploy-stack', {
        env: awsEnvFor(proxy.endpoint, moto.region),
        inputs: { 'stack-name': stack, template: file(APP_TEMPLATE_V2), 'parameter-overrides': 'ImageId=ami-2' },
        cancel: { when: (log) => log.includes(marker) },
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.exitAfterCancelMs).toBeLessThan(SIGTERM_AFTER_MS);
      expect(run.errors, run.log).toHaveLength(1);
      await settle(1_500);
      expect(await unexecutedChangeSets(aws.cfn, stack)).toEqual([]);
      expect(run.log).toMatch(/Deleted the unexecuted change set deploy-\S+/);
      // Cancelled before ExecuteChangeSet: the stack keeps its old template, untouched.
      expect(run.errors[0]).toBe(`Cancelled before changing stack ${stack}`);
      expect(await stackTemplate(aws.cfn, stack)).toBe(APP_TEMPLATE);
      expect(await stackStatus(aws.cfn, stack)).toBe('CREATE_COMPLETE');
      console.log(`deploy-stack (${moment}): exited ${run.exitAfterCancelMs} ms after SIGINT: ${run.errors[0]}`);
    },
  );

  it(
    'deploy-stack mid-update (waiting for a running operation, ' +
      'held by a custom resource): exits at once and changes nothing',
    async () => {
      const serviceToken = await createHoldFunction(moto);
      const held = await aws.cfn.send(
        new CreateStackCommand({ StackName: 'cancel-held', TemplateBody: heldResourceTemplate(serviceToken) }),
      );
      const run = await runBundledAction('deploy-stack', {
        env: moto.env,
        inputs: {
          'stack-name': 'cancel-held',
          template: file(APP_TEMPLATE_V2),
          'parameter-overrides': 'ImageId=ami-2',
        },
        cancel: { when: (log) => log.includes('Waiting for the running') },
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.exitAfterCancelMs).toBeLessThan(SIGTERM_AFTER_MS);
      expect(run.errors, run.log).toHaveLength(1);
      expect(await unexecutedChangeSets(aws.cfn, 'cancel-held')).toEqual([]);
      await releaseHeld(moto, held.StackId ?? '');
      expect(await stackStatus(aws.cfn, 'cancel-held')).toBe('CREATE_COMPLETE');
      expect(await stackTemplate(aws.cfn, 'cancel-held')).toBe(heldResourceTemplate(serviceToken));
      console.log(
        `deploy-stack (waiting for a held create): exited ${run.exitAfterCancelMs} ms after SIGINT: ${run.errors[0]}`,
      );
    },
  );

  it(
    'publish-ami mid-publish (after the first region was written): each ' +
      'region is old or new, never anything else; a re-run completes it exactly',
    async () => {
      const name = '/reliability/cancel/golden';
      const regions = ['us-east-1', 'us-west-2'];
      const amis: Record<string, { old: string; new: string }> = {};
      for (const region of regions) {
        const regional = clientsFor(moto, region);
        amis[region] = {
          old: (await makeAmi(regional.ec2, 'cancel-old')).amiId,
          new: (await makeAmi(regional.ec2, 'cancel-new')).amiId,
        };
        await regional.ssm.send(
          new PutParameterCommand({ Name: name, Value: amis[region].old, Type: 'String', DataType: 'aws:ec2:image' }),
        );
      }
      const inputs = {
        amis: JSON.stringify(Object.fromEntries(regions.map((region) => [region, amis[region]?.new]))),
        'parameter-name': name,
        labels: 'release',
      };
      const proxy = await slowProxy(800);
      const run = await runBundledAction('publish-ami', {
        env: awsEnvFor(proxy.endpoint, moto.region),
        inputs,
        cancel: { when: (log) => /\[us-east-1\] PutParameter \S+ = ami-\w+ returned version 2/.test(log) },
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.exitAfterCancelMs).toBeLessThan(SIGTERM_AFTER_MS);
      expect(run.errors, run.log).toHaveLength(1);
      await settle(1_500);
      for (const region of regions) {
        const history = await parameterHistory(clientsFor(moto, region).ssm, name);
        expect(history[0]).toEqual({ version: 1, value: amis[region]?.old, labels: [] });
        // Old (one version) or new (a second version holding exactly the new AMI).
        expect(history.slice(1).map((entry) => entry.value)).toEqual(history.length === 1 ? [] : [amis[region]?.new]);
      }
      const rerun = await runBundledAction('publish-ami', { env: moto.env, inputs });
      expect(rerun.exitCode, rerun.log).toBe(0);
      for (const region of regions) {
        expect(await parameterHistory(clientsFor(moto, region).ssm, name)).toEqual([
          { version: 1, value: amis[region]?.old, labels: [] },
          { version: 2, value: amis[region]?.new, labels: ['release'] },
        ]);
      }
      console.log(`publish-ami: exited ${run.exitAfterCancelMs} ms after SIGINT: ${run.errors[0]}`);
    },
  );
});
