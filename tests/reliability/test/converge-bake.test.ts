// @needs-tools moto_server packer
/**
 * Re-runs converge after an interrupted bake (bake-ami, bundled, real
 * Packer 1.6.6 against moto). Packer registers the AMI (CreateImage), prints
 * its id, waits for it to be available and only then tags it; its own
 * cleanup deregisters an AMI only once that wait is over. A SIGINT in
 * between used to leave an AMI with no tags, which neither the sweep nor
 * pruning can find. The bake step now deregisters, before it exits, every
 * AMI it saw Packer register for a build that did not finish.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import {
  createRunnerEnv,
  runBundledAction,
  startFaultProxy,
  startMoto,
  type FaultProxy,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bakeInputs, clientsFor, packerLeftovers, type Clients } from './helpers.js';

/** The runner kills the step's process tree this long after SIGINT. */
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

/** A proxy for Packer's EC2 calls that holds each back, so that a signal lands between two of them. */
async function slowProxy(slowMs: number): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: moto.endpoint, rate: 1, kinds: ['slow'], slowMs, seed: 3 });
  proxies.push(proxy);
  return proxy;
}

/** Every AMI this account owns, by id. */
async function ownImages(): Promise<Map<string, Image>> {
  const images = (await aws.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
  return new Map(images.map((image) => [image.ImageId ?? '', image]));
}

function tag(image: Image, key: string): string | undefined {
  return image.Tags?.find((candidate) => candidate.Key === key)?.Value;
}

/** Finds the bundled action's node process by its runner's temp directory, for a second signal. */
function actionPid(runnerTemp: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes('bake-ami') && environ.includes(`RUNNER_TEMP=${runnerTemp}\0`)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

describe('re-runs converge after an interrupted bake (real Packer, moto)', () => {
  it('interrupted bake (SIGINT right after Packer prints the AMI id, 3 tries): no untagged AMI is left', async () => {
    for (const attempt of [1, 2, 3]) {
      const before = await ownImages();
      const packerProxy = await slowProxy(300 + attempt * 150);
      const revision = `interrupted-${attempt}`;
      const run = await runBundledAction('bake-ami', {
        env: moto.env,
        inputs: bakeInputs(packerProxy.endpoint, [], { 'app-revision': revision, force: 'true' }),
        cancel: { when: (log) => /AMI: ami-[0-9a-f]+/.test(log) },
        timeoutMs: 60_000,
      });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.exitAfterCancelMs).toBeLessThan(SIGKILL_AFTER_MS);
      const registered = /AMI: (ami-[0-9a-f]+)/.exec(run.log)?.[1] ?? '';
      const fresh = [...(await ownImages())].filter(([id]) => !before.has(id)).map(([, image]) => image);
      // Deregistered, or complete: a finished build's AMI carries the run's tags, so sweep and pruning find it.
      for (const image of fresh) expect(tag(image, 'run-id'), `${image.ImageId} of ${run.log}`).toBeTruthy();
      if (!/--> \S+: AMIs were created/.test(run.log)) expect(fresh.map((image) => image.ImageId)).toEqual([]);
      expect(registered).toMatch(/^ami-/);
      console.log(
        `interrupted bake ${attempt}: exited ${run.exitAfterCancelMs} ms after SIGINT; ${run.log
          .split('\n')
          .filter((line) => /Deregister|Could not|AMIs were created/.test(line))
          .join(' | ')}`,
      );
      const post = await runBundledAction('bake-ami', { entry: 'post', runner: run.runner, env: moto.env });
      expect(post.exitCode, post.log).toBe(0);
      expect(await packerLeftovers(aws.ec2)).toEqual({ running: [], keyPairs: [], securityGroups: [] });
      await packerProxy.stop();
    }
    const next = await runBundledAction('bake-ami', {
      env: moto.env,
      inputs: bakeInputs(moto.endpoint, [], { 'app-revision': 'after-interrupt' }),
    });
    expect(next.exitCode, next.log).toBe(0);
    const baked = (await ownImages()).get(next.outputs['ami-id'] ?? '');
    expect(baked && tag(baked, 'app-revision')).toBe('after-interrupt');
  });

  it('a second SIGINT while Packer sets up is not passed on: no key pair, group or AMI is left', async () => {
    const before = await ownImages();
    const packerProxy = await slowProxy(400);
    const runner = createRunnerEnv();
    let second: NodeJS.Timeout | undefined;
    const run = await runBundledAction('bake-ami', {
      env: moto.env,
      runner,
      inputs: bakeInputs(packerProxy.endpoint, ['pause_seconds=60'], { 'app-revision': 'twice', force: 'true' }),
      cancel: {
        when: (log) => {
          if (!/Creating temporary security group/.test(log)) return false;
          second ??= setTimeout(() => {
            const pid = actionPid(runner.env.RUNNER_TEMP ?? '');
            if (pid) process.kill(pid, 'SIGINT');
          }, 300);
          return true;
        },
      },
      timeoutMs: 60_000,
    });
    expect(run.exitCode, run.log).toBe(1);
    expect(run.log).toContain('received SIGINT again; still cleaning up');
    expect(run.exitAfterCancelMs).toBeLessThan(SIGKILL_AFTER_MS);
    // Checked before the post step: the main step alone leaves nothing behind.
    expect(await packerLeftovers(aws.ec2)).toEqual({ running: [], keyPairs: [], securityGroups: [] });
    expect([...(await ownImages()).keys()].filter((id) => !before.has(id))).toEqual([]);
  });
});
