// @needs-tools act moto_server packer node24
/**
 * Rollouts that stay safe, under act (host mode) against a moto server:
 * a deploy that CloudFormation really refuses is reverted (the AMI is tagged
 * img-mgr:rejected, dev's golden parameter goes back to what ran before, the
 * summary says so), rollback skips rejected AMIs, and prod has its own golden
 * parameter, fed only by promote.yml. The tests run in order and build on
 * each other (one moto server, one fork with dev and prod).
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
  type ActRun,
  type DeploymentState,
  type ForkWorkspace,
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
  let network: Record<string, string>;
  let networkName = '';
  let firstAmi = '';
  let rejectedAmi = '';
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
    expect(Object.keys(run.jobs)).not.toContain(job('bake-and-deploy', 'Revert a failed deploy'));
  });

  it("a refused deploy: AMI tagged rejected, dev's parameter back on the prior AMI; the summary says so", async () => {
    fork.commitAppChange('A change whose rollout fails');
    // An import of a network stack that does not exist: CloudFormation refuses the update (moto at ExecuteChangeSet).
    fork.setStackParameters('dev', { VpcId: '', NetworkStackName: 'no-such-network' });
    const run = await act('deploy-on-push.yml', 'push', 'push.json');
    fork.setStackParameters('dev', { ...network, NetworkStackName: networkName });
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.jobs[job('bake-and-deploy', 'Deploy the stack')], run.log).toBe('failed');
    expect(run.jobs[job('bake-and-deploy', 'Revert a failed deploy')], run.log).toBe('succeeded');
    expect(run.steps).toContain('No export named no-such-network-VpcId found');
    const after = await dev();
    rejectedAmi = after.history.find((entry) => entry.Version === 2)?.Value ?? '';
    expect(rejectedAmi).toMatch(/^ami-/);
    expect(rejectedAmi).not.toBe(firstAmi);
    expect(after.parameter).toEqual({ value: firstAmi, version: 3 });
    expect(after.history.find((entry) => entry.Version === 3)?.Labels).toEqual(['rollback-from-v2']);
    const runId = rejectedTag(after, rejectedAmi);
    expect(runId).toMatch(/^\d+$/);
    expect(rejectedTag(after, firstAmi)).toBeUndefined();
    // Not asserted: the stack's parameters. Real CloudFormation rolls a refused
    // update back to the previous ones; moto keeps the refused ones.
    expect(after.stack?.StackStatus).toMatch(/_COMPLETE$/);
    // act prints what a step adds to the job summary as "Summary - ...".
    expect(run.log).toContain('### img-mgr rollout to dev FAILED: reverted');
    expect(run.log).toContain(`| Failed AMI | \`${rejectedAmi}\` tagged \`img-mgr:rejected=${runId}\``);
    expect(run.log).toContain(
      `| Parameter | \`${DEV.parameter}\` back to \`${firstAmi}\` (the value of version 1), as version 3 |`,
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
        `${rejectedAmi} (version 2) carry img-mgr:rejected (in us-east-1); nothing was written`,
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
