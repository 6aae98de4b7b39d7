// @needs-tools moto_server packer
/**
 * Injected faults: the bundled actions and the pipeline CLI talk to moto
 * through the test bed's fault proxy, which answers a seeded share of
 * requests with throttling (in each service's own protocol), 500, 503, a
 * slow answer or a dropped connection, before moto sees them. So a fault
 * never has a side effect, and the final state can be checked exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import {
  awsEnvFor,
  makeAmi,
  runBundledAction,
  snapshotAws,
  startFaultProxy,
  startMoto,
  type FaultKind,
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
  retryLines,
  runCli,
  stackStatus,
  stackTemplate,
  unexecutedChangeSets,
  type Clients,
} from './helpers.js';

/** Every fault the proxy knows except "slow", which delays a request but lets it through. */
const FAILING: FaultKind[] = ['throttle', 'http500', 'http503', 'drop'];
const SLOW_MS = 1_000;

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

async function proxy(rate: number, seed: number, kinds?: FaultKind[]): Promise<FaultProxy> {
  const started = await startFaultProxy({
    target: moto.endpoint,
    rate,
    seed,
    slowMs: SLOW_MS,
    ...(kinds ? { kinds } : {}),
  });
  proxies.push(started);
  return started;
}

/** Faults that make a request fail (each one must cost exactly one logged retry). */
function failures(faultProxy: FaultProxy): number {
  return FAILING.reduce((sum, kind) => sum + faultProxy.stats.faults[kind], 0);
}

/** The environment of an action whose every AWS call goes through `faultProxy`. */
function through(faultProxy: FaultProxy): Record<string, string> {
  return awsEnvFor(faultProxy.endpoint, moto.region);
}

describe('30% faults (seeded: throttling, 500, 503, slow, dropped connections)', () => {
  it(
    'publish-ami publishes exactly one new version per region, ' +
      'labelled and tagged; every failed request is a logged retry',
    async () => {
      const name = '/reliability/faults/golden';
      const regions = ['us-east-1', 'us-west-2'];
      const amis: Record<string, { old: string; new: string }> = {};
      for (const region of regions) {
        const regional = clientsFor(moto, region);
        amis[region] = {
          old: (await makeAmi(regional.ec2, 'faults-old')).amiId,
          new: (await makeAmi(regional.ec2, 'faults-new')).amiId,
        };
        await regional.ssm.send(
          new PutParameterCommand({ Name: name, Value: amis[region].old, Type: 'String', DataType: 'aws:ec2:image' }),
        );
      }
      const faults = await proxy(0.3, 21);
      const run = await runBundledAction('publish-ami', {
        env: through(faults),
        inputs: {
          amis: JSON.stringify(Object.fromEntries(regions.map((region) => [region, amis[region]?.new]))),
          'parameter-name': name,
          labels: 'release,sha-abc1234',
          tags: 'application=img-mgr',
        },
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(failures(faults)).toBeGreaterThan(0);
      expect(retryLines(run.log)).toHaveLength(failures(faults));
      for (const region of regions) {
        expect(await parameterHistory(clientsFor(moto, region).ssm, name)).toEqual([
          { version: 1, value: amis[region]?.old, labels: [] },
          { version: 2, value: amis[region]?.new, labels: ['release', 'sha-abc1234'] },
        ]);
      }
      report(faults, 'publish-ami (2 regions)', retryLines(run.log).length);
    },
  );

  it(
    'deploy-stack creates, then updates, one stack; its ' +
      'template is the last one; no change set is left unexecuted',
    async () => {
      const faults = await proxy(0.3, 12);
      const create = await runBundledAction('deploy-stack', {
        env: through(faults),
        inputs: { 'stack-name': 'faults-app', template: inline(APP_TEMPLATE), 'parameter-overrides': 'ImageId=ami-1' },
      });
      expect(create.exitCode, create.log).toBe(0);
      const update = await runBundledAction('deploy-stack', {
        env: through(faults),
        inputs: {
          'stack-name': 'faults-app',
          template: inline(APP_TEMPLATE_V2),
          'parameter-overrides': 'ImageId=ami-2',
        },
      });
      expect(update.exitCode, update.log).toBe(0);
      expect(failures(faults)).toBeGreaterThan(0);
      expect(retryLines(create.log).length + retryLines(update.log).length).toBe(failures(faults));
      expect(await stackStatus(aws.cfn, 'faults-app')).toBe('UPDATE_COMPLETE');
      expect(await stackTemplate(aws.cfn, 'faults-app')).toBe(APP_TEMPLATE_V2);
      expect(await unexecutedChangeSets(aws.cfn, 'faults-app')).toEqual([]);
      expect((await parameterHistory(aws.ssm, '/reliability/faults-app/ami')).map((entry) => entry.value).at(-1)).toBe(
        'ami-2',
      );
      report(faults, 'deploy-stack create + update', retryLines(create.log).length + retryLines(update.log).length);
    },
  );

  it(
    "bake-ami with real Packer: the action's and Packer's own EC2 " +
      'calls both go through faults; one AMI, nothing left behind',
    async () => {
      const actionFaults = await proxy(0.3, 23); // this seed throttles the action's first call (its fingerprint lookup)
      const packerFaults = await proxy(0.3, 14);
      const run = await runBundledAction('bake-ami', {
        env: through(actionFaults),
        inputs: bakeInputs(packerFaults.endpoint, [], { 'app-revision': 'faults' }),
        timeoutMs: 150_000,
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(packerFaults.stats.requests).toBeGreaterThan(10);
      expect(failures(packerFaults), 'Packer met failing requests').toBeGreaterThan(0);
      expect(failures(actionFaults)).toBeGreaterThan(0);
      expect(retryLines(run.log)).toHaveLength(failures(actionFaults));
      const images =
        (
          await aws.ec2.send(
            new DescribeImagesCommand({
              Owners: ['self'],
              Filters: [{ Name: 'tag:app-revision', Values: ['faults'] }],
            }),
          )
        ).Images ?? [];
      expect(images.map((image) => image.ImageId)).toEqual([run.outputs['ami-id']]);
      expect(await packerLeftovers(aws.ec2)).toEqual({ running: [], keyPairs: [], securityGroups: [] });
      report(actionFaults, 'bake-ami (its own SDK calls)', retryLines(run.log).length);
      report(packerFaults, "bake-ami (Packer's EC2 calls)", 0);
    },
  );
});

describe('the chain under 30% faults', () => {
  it(
    'img-mgr-pipeline run bakes, publishes and deploys through faults: ' +
      'version 1 holds the baked AMI, both stacks complete, nothing stray',
    async () => {
      const faults = await proxy(0.3, 15);
      const stateDir = mkdtempSync(join(tmpdir(), 'reliability-chain-'));
      try {
        const run = await runCli(['run', '--endpoint', faults.endpoint, '--json', '--state-dir', stateDir], {
          timeoutMs: 170_000,
        });
        expect(run.exitCode, run.stderr).toBe(0);
        const summary = JSON.parse(run.stdout) as { ami?: { id?: string } };
        const ami = summary.ami?.id ?? '';
        expect(ami).toMatch(/^ami-[0-9a-f]{17}$/);
        expect(failures(faults)).toBeGreaterThan(0);
        expect(retryLines(run.stderr).length).toBeGreaterThan(0);
        expect(await parameterHistory(aws.ssm, '/common/img-mgr/golden-ami')).toEqual([
          { version: 1, value: ami, labels: expect.any(Array) as string[] },
        ]);
        for (const stack of ['img-mgr-vpc-dev', 'img-mgr-dev']) {
          expect(await stackStatus(aws.cfn, stack)).toBe('CREATE_COMPLETE');
          expect(await unexecutedChangeSets(aws.cfn, stack)).toEqual([]);
        }
        expect(await packerLeftovers(aws.ec2)).toEqual({ running: [], keyPairs: [], securityGroups: [] });
        report(faults, 'img-mgr-pipeline run', retryLines(run.stderr).length);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  );
});

describe('100% failing requests (throttling, 500, 503, dropped connections; no slow ones, which succeed)', () => {
  const cases: [string, (faultsEndpoint: string) => Parameters<typeof runBundledAction>[1] & object][] = [
    ['publish-ami', () => ({ inputs: { 'ami-id': 'ami-0123456789abcdef0', 'parameter-name': '/reliability/never' } })],
    [
      'deploy-stack',
      () => ({
        inputs: { 'stack-name': 'never', template: inline(APP_TEMPLATE), 'parameter-overrides': 'ImageId=ami-1' },
      }),
    ],
    ['bake-ami', (faultsEndpoint) => ({ inputs: bakeInputs(faultsEndpoint, [], { 'app-revision': 'never' }) })],
  ];
  it.each(cases)(
    '%s gives up within its retry bound (6 attempts per call) with one error line, and changes nothing',
    async (action, options) => {
      const faults = await proxy(1, 16, FAILING);
      const before = await snapshotAws(moto.clientConfig);
      const run = await runBundledAction(action, {
        ...options(faults.endpoint),
        env: through(faults),
        timeoutMs: 60_000,
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.errors, run.log).toHaveLength(1);
      expect(run.log).not.toContain('[testbed] killed');
      // The first call fails after its 6 attempts: 5 logged retries, then the step ends.
      expect(
        retryLines(run.log)
          .slice(0, 5)
          .map((line) => /attempt (\d) of 6/.exec(line)?.[1]),
      ).toEqual(['2', '3', '4', '5', '6']);
      expect(await snapshotAws(moto.clientConfig)).toEqual(before);
      console.log(
        `${action} at 100% faults: failed after ${run.durationMs} ms, ` +
          `${faults.stats.requests} requests; ${run.errors[0]}`,
      );
    },
  );
});

describe('the chain under 100% failing requests', () => {
  it(
    'img-mgr-pipeline run gives up within the retry bound of ' +
      'its first call, with one error line, and changes nothing',
    async () => {
      const faults = await proxy(1, 17, FAILING);
      const before = await snapshotAws(moto.clientConfig);
      const stateDir = mkdtempSync(join(tmpdir(), 'reliability-chain-'));
      try {
        const run = await runCli(['run', '--endpoint', faults.endpoint, '--state-dir', stateDir], {
          timeoutMs: 60_000,
        });
        expect(run.exitCode, run.stderr).not.toBe(0);
        expect(run.exitCode, 'not killed by the test').not.toBeNull();
        expect(retryLines(run.stderr).map((line) => /attempt (\d) of 6/.exec(line)?.[1])).toEqual([
          '2',
          '3',
          '4',
          '5',
          '6',
        ]);
        expect(run.stderr.split('\n').filter((line) => line.startsWith('img-mgr-pipeline: error:'))).toHaveLength(1);
        expect(await snapshotAws(moto.clientConfig)).toEqual(before);
        console.log(`img-mgr-pipeline run at 100% faults: exit ${run.exitCode} after ${run.durationMs} ms`);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  );
});

/** One line per faulted run, for the record. */
function report(faultProxy: FaultProxy, what: string, retries: number): void {
  const { requests, faults } = faultProxy.stats;
  const kinds = Object.entries(faults)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  console.log(`${what}: ${requests} requests, faults: ${kinds || 'none'}; ${retries} retries logged`);
}

/** deploy-stack takes a template path relative to the workspace or absolute; tests write one per body. */
function inline(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-template-'));
  const path = join(dir, 'template.yaml');
  writeFileSync(path, body);
  return path;
}
