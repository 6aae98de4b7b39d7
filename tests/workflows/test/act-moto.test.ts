// @needs-tools act moto_server packer node24
/**
 * The Flask fork's caller workflows under act (host mode), end to end against
 * a moto server: real Packer bakes, the bundled actions publish and deploy,
 * and the results are read back through the SDK. The tests of this file run
 * in order and build on each other (one moto server, one fork).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { repoRoot, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createForkWorkspace,
  createNetworkStack,
  FORK_REPOSITORY,
  gitRedirect,
  networkParameters,
  localPackerVariables,
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
const STACK = 'img-mgr-dev';
const job = (name: string) => `bake-and-deploy/bake and deploy/${name}`;
const FORK_URL = `https://github.com/${FORK_REPOSITORY}.git`;

describe('the caller workflows under act against moto', () => {
  let moto: Moto;
  let fork: ForkWorkspace;
  /** The site each deploy is smoke-tested through (smoke-url: the SMOKE_URL variable). */
  let sites: FrontDoors;
  let firstAmi = '';

  const push = (): Promise<ActRun> =>
    runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-on-push.yml',
      event: 'push',
      eventFile: 'push.json',
      aws: moto.env,
      vars: sites.vars,
      packerVariables: localPackerVariables(moto.endpoint),
    });
  const state = (): Promise<DeploymentState> => readDeploymentState(moto.clientConfig, STACK);
  const bakedFor = (current: DeploymentState, revision: string) =>
    current.images.filter((image) => image.Tags?.some((tag) => tag.Key === 'app-revision' && tag.Value === revision));

  beforeAll(async () => {
    moto = await startMoto();
    sites = await startFrontDoors(moto, { SMOKE_URL: STACK });
    fork = createForkWorkspace({ root });
    const network = await createNetworkStack(root, networkStackName(fork.dir), moto.clientConfig);
    expect(network?.StackStatus).toBe('CREATE_COMPLETE');
    // moto cannot resolve Fn::ImportValue in a CREATE change set: the fork
    // passes the network to the app stack directly (see networkParameters).
    fork.setStackParameters('dev', networkParameters(network));
  });
  afterAll(async () => {
    fork?.cleanup();
    await sites?.close();
    await moto?.stop();
  });

  it('push: bakes the commit, publishes the AMI to SSM, and the stack resolves that AMI', async () => {
    const run = await push();
    expect(run.exitCode, run.log).toBe(0);
    expect(Object.values(run.jobs)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const after = await state();
    const baked = bakedFor(after, fork.head());
    expect(baked).toHaveLength(1);
    firstAmi = baked[0]?.ImageId ?? '';
    expect(firstAmi).toMatch(/^ami-[0-9a-f]+$/);
    expect(after.parameter).toEqual({ value: firstAmi, version: 1 });
    expect(after.stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(after.stackImageId).toBe(firstAmi);
    expect(after.stackImageIdOverride).toBe(firstAmi);
  });

  it('push of the same commit again: the bake is skipped and the stack still deploys the same AMI', async () => {
    const run = await push();
    expect(run.exitCode, run.log).toBe(0);
    expect(run.jobs[job('Deploy the stack')]).toBe('succeeded');
    expect(run.log).toMatch(/::set-output:: skipped=true/);
    const after = await state();
    expect(bakedFor(after, fork.head())).toHaveLength(1);
    expect(after.images).toHaveLength(1);
    expect(after.parameter).toEqual({ value: firstAmi, version: 1 });
    expect(after.stackImageId).toBe(firstAmi);
  });

  it('weekly schedule, app and base image unchanged: the bake is skipped, nothing published or deployed', async () => {
    const before = await state();
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-on-push.yml',
      event: 'schedule',
      eventFile: 'schedule.json',
      aws: moto.env,
      vars: sites.vars,
      packerVariables: localPackerVariables(moto.endpoint),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/::set-output:: skipped=true/);
    expect(Object.keys(run.jobs)).toEqual([
      job("Resolve the app revision and this workflow's commit"),
      job('Bake the AMI'),
    ]);
    const after = await state();
    expect(after.images).toHaveLength(before.images.length);
    expect(after.parameter).toEqual(before.parameter);
    expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
  });

  it('rollback dispatch: after an app change ships, the previous AMI is republished, redeployed; no bake', async () => {
    const revision = fork.commitAppChange('Change the app');
    const deployed = await push();
    expect(deployed.exitCode, deployed.log).toBe(0);
    const afterChange = await state();
    const secondAmi = bakedFor(afterChange, revision)[0]?.ImageId ?? '';
    expect(secondAmi).toMatch(/^ami-/);
    expect(secondAmi).not.toBe(firstAmi);
    expect(afterChange.parameter).toEqual({ value: secondAmi, version: 2 });
    expect(afterChange.stackImageId).toBe(secondAmi);

    const rollback = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-manually.yml',
      event: 'workflow_dispatch',
      eventFile: 'rollback.json',
      aws: moto.env,
      vars: sites.vars,
      packerVariables: localPackerVariables(moto.endpoint),
    });
    expect(rollback.exitCode, rollback.log).toBe(0);
    expect(Object.keys(rollback.jobs)).not.toContain(job('Bake the AMI'));
    const afterRollback = await state();
    expect(afterRollback.images).toHaveLength(2);
    expect(afterRollback.parameter?.value).toBe(firstAmi);
    expect(afterRollback.parameter?.version).toBe(3);
    expect(afterRollback.stackImageId).toBe(firstAmi);
    expect(afterRollback.stackImageIdOverride).toBe(firstAmi);
  });

  it('flask-ref master: git ls-remote resolves the branch, its commit is already baked, it is redeployed', async () => {
    const head = fork.head();
    const before = await state();
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-manually.yml',
      event: 'workflow_dispatch',
      eventFile: 'dispatch.json',
      aws: moto.env,
      vars: sites.vars,
      packerVariables: localPackerVariables(moto.endpoint),
      env: gitRedirect(FORK_URL, fork.dir),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain(`Baking ${FORK_URL} at master = ${head}`);
    expect(run.log).toMatch(/::set-output:: skipped=true/);
    const after = await state();
    const ami = bakedFor(after, head)[0]?.ImageId;
    expect(ami).toMatch(/^ami-/);
    expect(after.images).toHaveLength(before.images.length);
    expect(after.parameter).toEqual({ value: ami, version: (before.parameter?.version ?? 0) + 1 });
    expect(after.stackImageId).toBe(ami);
  });

  it('another flask-repo, no flask-ref: ls-remote --symref resolves master, found baked, deployed', async () => {
    const head = fork.head();
    const payloadDir = mkdtempSync(join(tmpdir(), 'img-mgr-event-'));
    const payload = JSON.parse(readFileSync(join(root, 'workflows-example', 'act', 'dispatch.json'), 'utf8')) as {
      inputs: Record<string, string>;
    };
    payload.inputs['flask-repo'] = FORK_REPOSITORY;
    payload.inputs['flask-ref'] = '';
    writeFileSync(join(payloadDir, 'dispatch.json'), JSON.stringify(payload));
    try {
      const run = await runAct({
        root,
        workdir: fork.dir,
        workflow: 'deploy-manually.yml',
        event: 'workflow_dispatch',
        eventFile: join(payloadDir, 'dispatch.json'),
        aws: moto.env,
        vars: sites.vars,
        packerVariables: localPackerVariables(moto.endpoint),
        env: gitRedirect(FORK_URL, fork.dir),
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.log).toContain(`Baking ${FORK_URL} at its default branch master = ${head}`);
      expect(run.log).toMatch(/::set-output:: skipped=true/);
      expect((await state()).stackImageId).toBe(bakedFor(await state(), head)[0]?.ImageId);
    } finally {
      rmSync(payloadDir, { recursive: true, force: true });
    }
  });

  it('dispatch with a flask-ref that does not exist fails in resolve and changes nothing', async () => {
    const before = await state();
    const payloadDir = mkdtempSync(join(tmpdir(), 'img-mgr-event-'));
    const payload = JSON.parse(readFileSync(join(root, 'workflows-example', 'act', 'dispatch.json'), 'utf8')) as {
      inputs: Record<string, string>;
    };
    payload.inputs['flask-ref'] = 'no-such-branch';
    writeFileSync(join(payloadDir, 'dispatch.json'), JSON.stringify(payload));
    try {
      const run = await runAct({
        root,
        workdir: fork.dir,
        workflow: 'deploy-manually.yml',
        event: 'workflow_dispatch',
        eventFile: join(payloadDir, 'dispatch.json'),
        aws: moto.env,
        vars: sites.vars,
        env: gitRedirect(FORK_URL, fork.dir),
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.jobs).toEqual({ [job("Resolve the app revision and this workflow's commit")]: 'failed' });
      expect(run.steps).toContain(
        `::error::Input 'flask-ref' has 'no-such-branch', which is no branch, tag or ref of ${FORK_URL}.`,
      );
      const after = await state();
      expect(after.parameter).toEqual(before.parameter);
      expect(after.images).toHaveLength(before.images.length);
      expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    } finally {
      rmSync(payloadDir, { recursive: true, force: true });
    }
  });

  // A full SHA skips git ls-remote, so only the shape check stands between this URL and the bake, where
  // KEY=VALUE text used to split it into ssh_source_cidr and instance_type variables.
  it('a comma URL, a full-SHA flask-ref: fails in resolve, one line naming flask-repo; no AMI, instance', async () => {
    const before = await state();
    const ec2 = new EC2Client(moto.clientConfig);
    const instanceCount = async (): Promise<number> =>
      ((await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
    const instancesBefore = await instanceCount();
    const url = 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge';
    const payloadDir = mkdtempSync(join(tmpdir(), 'img-mgr-event-'));
    const payload = JSON.parse(readFileSync(join(root, 'workflows-example', 'act', 'dispatch.json'), 'utf8')) as {
      inputs: Record<string, string>;
    };
    payload.inputs['flask-repo'] = url;
    payload.inputs['flask-ref'] = fork.head();
    writeFileSync(join(payloadDir, 'dispatch.json'), JSON.stringify(payload));
    try {
      const run = await runAct({
        root,
        workdir: fork.dir,
        workflow: 'deploy-manually.yml',
        event: 'workflow_dispatch',
        eventFile: join(payloadDir, 'dispatch.json'),
        aws: moto.env,
        vars: sites.vars,
        packerVariables: localPackerVariables(moto.endpoint),
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.jobs).toEqual({ [job("Resolve the app revision and this workflow's commit")]: 'failed' });
      const errors = run.steps.split('\n').filter((line) => line.includes('::error::'));
      expect(errors).toEqual([
        `::error::Input 'flask-repo' has '${url}', which is neither owner/name nor an https:// git URL ` +
          '(https://host/path: no commas, spaces, quotes, ${...}, user info, query or fragment).',
      ]);
      const after = await state();
      expect(after.images).toHaveLength(before.images.length);
      expect(after.parameter).toEqual(before.parameter);
      expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
      expect(await instanceCount()).toBe(instancesBefore);
    } finally {
      ec2.destroy();
      rmSync(payloadDir, { recursive: true, force: true });
    }
  });

  it('a push of a branch other than TRUSTED_BRANCH fails in resolve, one line naming it; changes nothing', async () => {
    const before = await state();
    const payloadDir = mkdtempSync(join(tmpdir(), 'img-mgr-event-'));
    const payload = JSON.parse(readFileSync(join(root, 'workflows-example', 'act', 'push.json'), 'utf8')) as {
      ref: string;
    };
    payload.ref = 'refs/heads/main';
    writeFileSync(join(payloadDir, 'push.json'), JSON.stringify(payload));
    try {
      const run = await runAct({
        root,
        workdir: fork.dir,
        workflow: 'deploy-on-push.yml',
        event: 'push',
        eventFile: join(payloadDir, 'push.json'),
        aws: moto.env,
        vars: sites.vars,
        packerVariables: localPackerVariables(moto.endpoint),
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.jobs).toEqual({ [job("Resolve the app revision and this workflow's commit")]: 'failed' });
      expect(run.steps).toContain(
        "::error::This run is on 'refs/heads/main', but only the branch 'master' may assume the AWS role " +
          "(input 'trusted-branch', the repository variable TRUSTED_BRANCH in workflows-example)",
      );
      const after = await state();
      expect(after.parameter).toEqual(before.parameter);
      expect(after.images).toHaveLength(before.images.length);
      expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    } finally {
      rmSync(payloadDir, { recursive: true, force: true });
    }
  });

  it('pull request: plan mode creates a change set of the parameter change and executes nothing', async () => {
    const before = await state();
    fork.setStackParameters('dev', { InstanceType: 't3.medium' });
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'plan-on-pull-request.yml',
      event: 'pull_request',
      eventFile: 'pull_request.json',
      aws: moto.env,
      vars: sites.vars,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.jobs).toEqual({ 'plan/Plan the dev stack': 'succeeded' });
    // act prints what a step adds to the job summary as "Summary - ...".
    expect(run.log).toMatch(
      /Summary - ## Planned changes to img-mgr-dev \(change set deploy-[\w-]+\)\n+### CloudFormation update plan/,
    );
    const cfn = new CloudFormationClient(moto.clientConfig);
    const changeSets = (await cfn.send(new ListChangeSetsCommand({ StackName: STACK }))).Summaries ?? [];
    expect(changeSets.map((changeSet) => changeSet.ExecutionStatus)).toContain('AVAILABLE');
    const after = await state();
    const instanceType = (current: DeploymentState) =>
      current.stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'InstanceType')?.ParameterValue;
    expect(instanceType(after)).toBe(instanceType(before));
    expect(after.stack?.LastUpdatedTime).toEqual(before.stack?.LastUpdatedTime);
    expect(after.parameter).toEqual(before.parameter);
  });
});
