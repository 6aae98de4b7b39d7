// @needs-tools act moto_server packer node24
/**
 * Rollouts that stay safe, under act (host mode) against a moto server:
 * every deploy is smoke-tested through a stand-in front door that serves
 * what its stack runs (smoke-url: the SMOKE_URL and PROD_SMOKE_URL
 * variables); a deploy that CloudFormation really refuses is reverted (the
 * AMI is tagged img-mgr:rejected, dev's golden parameter goes back to what
 * ran before, the summary says so); a deploy that completes but whose app
 * fails its smoke test is reverted too, and the stack redeployed on the AMI
 * from before, whose site then passes; rollback skips rejected AMIs, and
 * prod has its own golden parameter, fed only by promote.yml. The tests run
 * in order and build on each other (one moto server, one fork with dev and
 * prod).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const PROD = { stack: 'img-mgr-prod', parameter: '/common/img-mgr/prod/golden-ami' };
const job = (caller: string, name: string) => `${caller}/bake and deploy/${name}`;
const rejectedTag = (state: DeploymentState, amiId: string) =>
  state.images.find((image) => image.ImageId === amiId)?.Tags?.find((tag) => tag.Key === 'img-mgr:rejected')?.Value;

describe('failed deploys, rejected AMIs and environments under act against moto', () => {
  let moto: Moto;
  let fork: ForkWorkspace;
  let sites: FrontDoors;
  let network: Record<string, string>;
  let networkName = '';
  let firstAmi = '';
  /** The AMI whose smoke test failed (version 2), and the one CloudFormation refused (version 4). */
  let rejectedAmi = '';
  let refusedAmi = '';
  const payloadDir = mkdtempSync(join(tmpdir(), 'img-mgr-event-'));

  const dev = (): Promise<DeploymentState> => readDeploymentState(moto.clientConfig, DEV.stack, DEV.parameter);
  const prod = (): Promise<DeploymentState> => readDeploymentState(moto.clientConfig, PROD.stack, PROD.parameter);
  const act = (workflow: string, event: 'push' | 'workflow_dispatch', eventFile: string): Promise<ActRun> =>
    runAct({
      root,
      workdir: fork.dir,
      workflow,
      event,
      eventFile,
      aws: moto.env,
      packerVariables: localPackerVariables(moto.endpoint),
      vars: sites.vars,
    });
  /** A manual rollback of `environment` (deploy-manually.yml, rollback: true). */
  const rollback = (environment: string): Promise<ActRun> => {
    const payload = JSON.parse(readFileSync(join(root, 'workflows-example', 'act', 'rollback.json'), 'utf8')) as {
      inputs: Record<string, string>;
    };
    payload.inputs.environment = environment;
    const file = join(payloadDir, `rollback-${environment}.json`);
    writeFileSync(file, JSON.stringify(payload));
    return act('deploy-manually.yml', 'workflow_dispatch', file);
  };

  beforeAll(async () => {
    moto = await startMoto();
    sites = await startFrontDoors(moto, { SMOKE_URL: DEV.stack, PROD_SMOKE_URL: PROD.stack });
    fork = createForkWorkspace({ root, environments: ['dev', 'prod'] });
    networkName = networkStackName(fork.dir);
    const stack = await createNetworkStack(root, networkName, moto.clientConfig);
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    // moto cannot resolve Fn::ImportValue in a CREATE change set: pass the network directly (see networkParameters).
    network = networkParameters(stack);
    fork.setStackParameters('dev', network);
    fork.setStackParameters('prod', network);
  });
  afterAll(async () => {
    rmSync(payloadDir, { recursive: true, force: true });
    fork?.cleanup();
    await sites?.close();
    await moto?.stop();
  });

  it('promote with no AMI live in dev fails in publish with one line, and creates nothing in prod', async () => {
    const run = await act('promote.yml', 'workflow_dispatch', 'promote.json');
    expect(run.exitCode).not.toBe(0);
    expect(run.jobs[job('promote', 'Publish the golden AMI')]).toBe('failed');
    expect(Object.keys(run.jobs)).not.toContain(job('promote', 'Bake the AMI'));
    expect(Object.keys(run.jobs)).not.toContain(job('promote', 'Deploy the stack'));
    expect(run.steps).toContain(
      "Input 'promote-from' cannot be promoted: /common/img-mgr/golden-ami does not exist, " +
        'so no AMI is live there to promote (in us-east-1); nothing was written',
    );
    const after = await prod();
    expect(after.parameter).toBeUndefined();
    expect(after.stack).toBeUndefined();
  });

  it("push: bakes and deploys dev, in the dev environment, with dev's golden parameter", async () => {
    const run = await act('deploy-on-push.yml', 'push', 'push.json');
    expect(run.exitCode, run.log).toBe(0);
    const after = await dev();
    firstAmi = after.parameter?.value ?? '';
    expect(firstAmi).toMatch(/^ami-/);
    expect(after.parameter?.version).toBe(1);
    expect(after.stackImageIdOverride).toBe(firstAmi);
    expect(Object.keys(run.jobs)).not.toContain(job('bake-and-deploy', 'Revert a failed rollout'));
    // The smoke test went through the front door: the page, an upload, the revision file of this commit.
    // (Each revision read carries its own ?smoke=<nonce>, so no cache in front answers it.)
    const site = sites.site('SMOKE_URL');
    expect(site.requests.map((request) => request.replace(/\?smoke=[0-9a-f]+ /, ' '))).toEqual(
      expect.arrayContaining(['GET / 200', 'POST /upload 302', 'GET /static/img-mgr.json 200']),
    );
    expect(
      site.requests.filter((request) => /^GET \/static\/img-mgr\.json\?smoke=[0-9a-f]{12} 200$/.test(request)),
    ).not.toEqual([]);
    expect(run.log).toContain(`Smoke test of ${site.url} passed.`);
    expect(run.log).toContain('| Smoke test | passed: ');
    expect(run.log).toContain('### Rollout timeline');
    expect(run.log).toContain('**deployed; smoke test passed**');
  });

  it('a deploy whose uploads fail: rejected, reverted, redeployed on the prior AMI, which passes', async () => {
    const broken = fork.commitAppChange('A change that breaks uploads');
    sites.site('SMOKE_URL').breakRevision(broken, 'upload');
    const run = await act('deploy-on-push.yml', 'push', 'push.json');
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.jobs[job('bake-and-deploy', 'Deploy the stack')], run.log).toBe('failed');
    expect(run.jobs[job('bake-and-deploy', 'Revert a failed rollout')], run.log).toBe('succeeded');
    expect(run.steps).toContain(`smoke test of ${sites.site('SMOKE_URL').url}: POST /upload answered 500`);
    const after = await dev();
    rejectedAmi = after.history.find((entry) => entry.Version === 2)?.Value ?? '';
    expect(rejectedAmi).toMatch(/^ami-/);
    expect(rejectedTag(after, rejectedAmi)).toMatch(/^\d+$/);
    expect(after.parameter).toEqual({ value: firstAmi, version: 3 });
    // The stack ran the rejected AMI: the revert redeployed it on the one from before.
    expect(after.stackImageIdOverride).toBe(firstAmi);
    expect(run.steps).toContain(`runs the rejected ${rejectedAmi}: redeploying it on ${firstAmi}`);
    expect(run.log).toContain('### img-mgr rollout to dev FAILED: reverted');
    expect(run.log).toContain('completed, but its smoke test failed, so the AMI is rejected.');
    expect(run.log).toContain('| Reverted site | passed: ');
    expect(run.log).toContain('**reverted; the reverted site passed its smoke test**');
  });

  it("a refused deploy: AMI tagged rejected, dev's parameter back on the prior AMI; the summary says so", async () => {
    fork.commitAppChange('A change whose rollout fails');
    // An import of a network stack that does not exist: CloudFormation refuses the update (moto at ExecuteChangeSet).
    fork.setStackParameters('dev', { VpcId: '', NetworkStackName: 'no-such-network' });
    const run = await act('deploy-on-push.yml', 'push', 'push.json');
    fork.setStackParameters('dev', { ...network, NetworkStackName: networkName });
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.jobs[job('bake-and-deploy', 'Deploy the stack')], run.log).toBe('failed');
    expect(run.jobs[job('bake-and-deploy', 'Revert a failed rollout')], run.log).toBe('succeeded');
    expect(run.steps).toContain('No export named no-such-network-VpcId found');
    const after = await dev();
    refusedAmi = after.history.find((entry) => entry.Version === 4)?.Value ?? '';
    expect(refusedAmi).toMatch(/^ami-/);
    expect([firstAmi, rejectedAmi]).not.toContain(refusedAmi);
    expect(after.parameter).toEqual({ value: firstAmi, version: 5 });
    expect(after.history.find((entry) => entry.Version === 5)?.Labels).toEqual(['rollback-from-v4']);
    const runId = rejectedTag(after, refusedAmi);
    expect(runId).toMatch(/^\d+$/);
    expect(rejectedTag(after, firstAmi)).toBeUndefined();
    // Not asserted: whether the revert redeployed. Real CloudFormation rolls a
    // refused update back to the previous parameters (plan-redeploy: no
    // redeploy); moto keeps the refused ones, so the stack reads as running
    // the rejected AMI and is redeployed. Either way it ends on the prior AMI.
    expect(after.stack?.StackStatus).toMatch(/_COMPLETE$/);
    expect(after.stackImageIdOverride).toBe(firstAmi);
    // act prints what a step adds to the job summary as "Summary - ...".
    expect(run.log).toContain('### img-mgr rollout to dev FAILED: the deploy');
    expect(run.log).toContain('### img-mgr rollout to dev FAILED: reverted');
    expect(run.log).toContain('The deploy of `img-mgr-dev` failed, so the stack stays on the AMI it ran before.');
    expect(run.log).toContain(`| Failed AMI | \`${refusedAmi}\` tagged \`img-mgr:rejected=${runId}\``);
    expect(run.log).toContain(
      `| Parameter | \`${DEV.parameter}\` back to \`${firstAmi}\` (the value of version 3), as version 5 |`,
    );
  });

  it('rollback in dev with nothing earlier that is not rejected fails with one line and changes nothing', async () => {
    const before = await dev();
    const run = await rollback('dev');
    expect(run.exitCode).not.toBe(0);
    expect(run.jobs[job('bake-and-deploy', 'Publish the golden AMI')]).toBe('failed');
    expect(run.steps).toContain(
      `Input 'rollback-to' cannot be used: ${DEV.parameter} has no earlier value than ${firstAmi} ` +
        'that is not rejected: ' +
        `${refusedAmi} (version 4), ${rejectedAmi} (version 2) carry img-mgr:rejected (in us-east-1); ` +
        'nothing was written',
    );
    const after = await dev();
    expect(after.parameter).toEqual(before.parameter);
    expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
  });

  it('promote: prod gets the AMI dev runs, in its own parameter and stack, no bake; dev untouched', async () => {
    const devBefore = await dev();
    const run = await act('promote.yml', 'workflow_dispatch', 'promote.json');
    expect(run.exitCode, run.log).toBe(0);
    expect(Object.keys(run.jobs)).not.toContain(job('promote', 'Bake the AMI'));
    expect(run.jobs[job('promote', 'Deploy the stack')]).toBe('succeeded');
    const after = await prod();
    expect(after.parameter).toEqual({ value: firstAmi, version: 1 });
    expect(after.stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(after.stackImageIdOverride).toBe(firstAmi);
    expect(after.stackImageId).toBe(firstAmi);
    expect((await dev()).parameter).toEqual(devBefore.parameter);
  });

  it('rollback is per environment: prod has no earlier value, so fails in one line; dev is untouched', async () => {
    const devBefore = await dev();
    const prodBefore = await prod();
    const run = await rollback('prod');
    expect(run.exitCode).not.toBe(0);
    expect(run.steps).toContain(
      `Input 'rollback-to' cannot be used: ${PROD.parameter} has no earlier value than ${firstAmi} to roll back to ` +
        '(in us-east-1); nothing was written',
    );
    expect((await prod()).parameter).toEqual(prodBefore.parameter);
    expect((await dev()).parameter).toEqual(devBefore.parameter);
  });
});
