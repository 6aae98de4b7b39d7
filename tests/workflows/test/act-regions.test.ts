// @needs-tools act moto_server packer node24
/**
 * Regions in waves, under act (host mode) against one moto server: the fork's
 * deploy-on-push.yml with the repository variable TARGETS naming its targets
 * file (wave 1: us-east-1, aws-region alone; wave 2: us-west-2 with a
 * parameter file and a front door of its own). The AMI is baked once in
 * us-east-1 and copied, tags and all, to us-west-2, where the "Roll out wave
 * 2" job publishes the copy to us-west-2's golden parameter, deploys
 * us-west-2's stack and smoke-tests it through its own stand-in front door.
 * Then a revision that loses uploads in us-west-2 only: wave 2 fails and is
 * reverted there (copy rejected, parameter and stack back on the previous
 * copy), while wave 1, which passed, keeps the new AMI. Two act runs, in
 * order, on one fork.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createForkWorkspace,
  createNetworkStack,
  localPackerVariables,
  networkParameters,
  networkStackName,
  readDeploymentState,
  runAct,
  startFrontDoors,
  type ActRun,
  type DeploymentState,
  type ForkWorkspace,
  type FrontDoors,
} from '../src/index.js';

const root = repoRoot();
const DEV = { stack: 'img-mgr-dev', parameter: '/common/img-mgr/golden-ami' };
/** Wave 1 is aws-region: .actrc's AWS_REGION, moto's default region. */
const HOME = 'us-east-1';
const WEST = 'us-west-2';
const TARGETS = 'deploy/targets.yml';
const job = (name: string) => `bake-and-deploy/bake and deploy/${name}`;
const imageOf = (state: DeploymentState, amiId: string) => state.images.find((image) => image.ImageId === amiId);
const tagOf = (state: DeploymentState, amiId: string, key: string) =>
  imageOf(state, amiId)?.Tags?.find((tag) => tag.Key === key)?.Value;
/** A site's requests, without the smoke test's cache-busting ?smoke=<nonce>. */
const requestsOf = (requests: string[]) => requests.map((request) => request.replace(/\?smoke=[0-9a-f]+ /, ' '));

describe('regions in waves (a targets file) under act against moto', () => {
  let moto: Moto;
  let fork: ForkWorkspace;
  let sites: FrontDoors;
  /** What the first run left: us-east-1's AMI and its copy in us-west-2. */
  let homeAmi = '';
  let westAmi = '';

  const config = (region: string) => ({ ...moto.clientConfig, region });
  const state = (region: string): Promise<DeploymentState> =>
    readDeploymentState(config(region), DEV.stack, DEV.parameter);
  const push = (): Promise<ActRun> =>
    runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-on-push.yml',
      event: 'push',
      eventFile: 'push.json',
      aws: moto.env,
      packerVariables: localPackerVariables(moto.endpoint),
      // us-west-2's front door is in the targets file (smoke-urls), not a variable.
      vars: { SMOKE_URL: sites.vars.SMOKE_URL ?? '', TARGETS },
    });

  beforeAll(async () => {
    moto = await startMoto();
    expect(moto.clientConfig.region).toBe(HOME);
    sites = await startFrontDoors(moto, { SMOKE_URL: DEV.stack, WEST: { stack: DEV.stack, region: WEST } });
    fork = createForkWorkspace({ root });
    // Each region needs its own network stack (the README's one-time step), here under the same name.
    const networkName = networkStackName(fork.dir);
    const homeNetwork = await createNetworkStack(root, networkName, config(HOME));
    const westNetwork = await createNetworkStack(root, networkName, config(WEST));
    expect(homeNetwork?.StackStatus).toBe('CREATE_COMPLETE');
    expect(westNetwork?.StackStatus).toBe('CREATE_COMPLETE');
    // moto cannot resolve Fn::ImportValue in a CREATE change set: each region's file passes its network
    // directly (see networkParameters), so us-west-2 has a parameter file of its own.
    fork.setStackParameters('dev', networkParameters(homeNetwork));
    const dev = JSON.parse(readFileSync(join(fork.dir, 'deploy', 'dev.json'), 'utf8')) as Record<string, string>;
    const west = { ...dev, ...networkParameters(westNetwork) };
    fork.commitFile(`deploy/dev-${WEST}.json`, `${JSON.stringify(west, null, 2)}\n`, `Stack parameters of ${WEST}`);
    fork.commitFile(
      TARGETS,
      [
        'waves:',
        `  - regions: [${HOME}]`,
        `  - regions: [${WEST}]`,
        '    smoke-urls:',
        `      ${WEST}: ${sites.site('WEST').url}`,
        '    parameter-files:',
        `      ${WEST}: deploy/dev-${WEST}.json`,
        '',
      ].join('\n'),
      'Roll out to us-west-2 after us-east-1',
    );
  });
  afterAll(async () => {
    fork?.cleanup();
    await sites?.close();
    await moto?.stop();
  });

  it('push: bakes once in us-east-1, deploys it there, then rolls its copy out to us-west-2 in wave 2', async () => {
    const run = await push();
    console.info(`two-region push: ${Math.round(run.durationMs / 1000)} s`);
    expect(run.exitCode, run.log).toBe(0);
    for (const name of ['Bake the AMI', 'Deploy the stack', 'Roll out wave 2'])
      expect(run.jobs[job(name)], `${name}\n${run.log}`).toBe('succeeded');
    expect(Object.keys(run.jobs)).not.toContain(job('Revert a failed rollout'));

    const home = await state(HOME);
    homeAmi = home.parameter?.value ?? '';
    expect(homeAmi).toMatch(/^ami-/);
    expect(home.stackImageIdOverride).toBe(homeAmi);
    const revision = tagOf(home, homeAmi, 'app-revision');
    const fingerprint = tagOf(home, homeAmi, 'fingerprint');
    expect(revision).toBe(fork.head());
    expect(fingerprint).toBeTruthy();

    // us-west-2's parameter holds a copy that exists there, with the source's tags (not the source's id).
    const west = await state(WEST);
    westAmi = west.parameter?.value ?? '';
    expect(westAmi).toMatch(/^ami-/);
    expect(westAmi).not.toBe(homeAmi);
    expect(west.parameter?.version).toBe(1);
    expect(imageOf(west, westAmi)).toBeDefined();
    expect(imageOf(west, homeAmi)).toBeUndefined();
    expect(tagOf(west, westAmi, 'app-revision')).toBe(revision);
    expect(tagOf(west, westAmi, 'fingerprint')).toBe(fingerprint);
    expect(west.stack?.StackStatus).toMatch(/_COMPLETE$/);
    expect(west.stackImageIdOverride).toBe(westAmi);

    // Each region was smoke-tested through its own front door.
    for (const door of ['SMOKE_URL', 'WEST']) {
      expect(requestsOf(sites.site(door).requests), door).toEqual(
        expect.arrayContaining(['GET / 200', 'POST /upload 302', 'GET /static/img-mgr.json 200']),
      );
    }
    expect(run.log).toContain('### img-mgr rollout, wave 2');
    expect(run.log).not.toContain('### img-mgr rollout, wave 2 FAILED');
    expect(run.log).toMatch(new RegExp(`\\| ${WEST} \\| \`${westAmi}\` \\| deployed \\| 1 \\| passed`));
  });

  it("a revision that fails in us-west-2 only: wave 2 reverted there; us-east-1's wave 1 keeps it", async () => {
    const broken = fork.commitAppChange('A change that breaks uploads in us-west-2');
    sites.site('WEST').breakRevision(broken, 'upload');
    const run = await push();
    console.info(`failed second wave: ${Math.round(run.durationMs / 1000)} s`);
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.jobs[job('Bake the AMI')], run.log).toBe('succeeded');
    expect(run.jobs[job('Deploy the stack')], run.log).toBe('succeeded');
    expect(run.jobs[job('Roll out wave 2')], run.log).toBe('failed');
    expect(Object.keys(run.jobs)).not.toContain(job('Revert a failed rollout'));
    expect(run.steps).toContain(`smoke test of ${sites.site('WEST').url}: POST /upload answered 500`);
    expect(run.steps).toContain('reverted: us-west-2');
    // The revert redeployed us-west-2's stack on the previous copy, whose site then passed its smoke test.
    expect(run.steps).toMatch(new RegExp(`\\[${WEST}\\] reverted: ami-[0-9a-f]+ rejected, back on ${westAmi}`));

    // Wave 1 passed and stays: us-east-1 runs the new AMI, not rejected.
    const home = await state(HOME);
    const newHomeAmi = home.parameter?.value ?? '';
    expect(newHomeAmi).toMatch(/^ami-/);
    expect(newHomeAmi).not.toBe(homeAmi);
    expect(home.parameter?.version).toBe(2);
    expect(tagOf(home, newHomeAmi, 'app-revision')).toBe(broken);
    expect(tagOf(home, newHomeAmi, 'img-mgr:rejected')).toBeUndefined();
    expect(home.stackImageIdOverride).toBe(newHomeAmi);

    // Wave 2 is back on the previous copy; the new copy (version 2) is rejected there.
    const west = await state(WEST);
    const newWestAmi = west.history.find((entry) => entry.Version === 2)?.Value ?? '';
    expect(newWestAmi).toMatch(/^ami-/);
    expect([westAmi, newHomeAmi]).not.toContain(newWestAmi);
    expect(tagOf(west, newWestAmi, 'app-revision')).toBe(broken);
    expect(tagOf(west, newWestAmi, 'img-mgr:rejected')).toMatch(/^\d+$/);
    expect(tagOf(west, westAmi, 'img-mgr:rejected')).toBeUndefined();
    expect(west.parameter).toEqual({ value: westAmi, version: 3 });
    expect(west.stackImageIdOverride).toBe(westAmi);
    expect(run.log).toContain('### img-mgr rollout, wave 2 FAILED');
  });
});
