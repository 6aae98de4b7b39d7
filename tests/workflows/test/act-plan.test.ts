// @needs-tools act moto_server node24
/**
 * act --dryrun of the callers of the reusable workflow: act loads it from the
 * fork's .img-mgr snapshot (through .actrc's --local-repository), plans every
 * job offline and evaluates the job conditions, without running a local
 * action. (act runs remote-style actions even in a dry run, so the pull
 * request workflow, which uses deploy-stack directly, is tested against moto
 * in act-moto.test.ts.)
 */
import { repoRoot } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForkWorkspace, runAct, type ForkWorkspace } from '../src/index.js';

const root = repoRoot();
const aws = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
};
const job = (name: string) => `bake-and-deploy/bake and deploy/${name}`;

describe('act --dryrun of the caller workflows', () => {
  let fork: ForkWorkspace;
  beforeAll(() => {
    fork = createForkWorkspace({ root });
  });
  afterAll(() => fork.cleanup());

  it('push: resolve, bake, publish and deploy, with the reusable workflow read from this checkout', async () => {
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-on-push.yml',
      event: 'push',
      eventFile: 'push.json',
      aws,
      dryRun: true,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(
      /LocalRepositoryCache matched https:\/\/github\.com\/img-mgr\/img-mgr-actions with ref v1 to /,
    );
    expect(run.jobs).toEqual({
      [job("Resolve the app revision and this workflow's commit")]: 'succeeded',
      [job('Bake the AMI')]: 'succeeded',
      [job('Publish the golden AMI')]: 'succeeded',
      [job('Deploy the stack')]: 'succeeded',
    });
  });

  it('dispatch with rollback: no bake job; publish rolls back, then deploy', async () => {
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'deploy-manually.yml',
      event: 'workflow_dispatch',
      eventFile: 'rollback.json',
      aws,
      dryRun: true,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(Object.keys(run.jobs)).toEqual([
      job("Resolve the app revision and this workflow's commit"),
      job('Publish the golden AMI'),
      job('Deploy the stack'),
    ]);
    expect(run.log).toContain('Main Publish the rollback');
    expect(run.log).not.toContain('Resolve flask-ref to a commit');
  });

  it("promote: no bake job; publish promotes dev's AMI, then deploy; no revert when the deploy succeeds", async () => {
    const run = await runAct({
      root,
      workdir: fork.dir,
      workflow: 'promote.yml',
      event: 'workflow_dispatch',
      eventFile: 'promote.json',
      aws,
      dryRun: true,
    });
    expect(run.exitCode, run.log).toBe(0);
    const promote = (name: string) => `promote/bake and deploy/${name}`;
    expect(Object.keys(run.jobs)).toEqual([
      promote("Resolve the app revision and this workflow's commit"),
      promote('Publish the golden AMI'),
      promote('Deploy the stack'),
    ]);
    expect(run.log).toContain('Main Publish the promoted AMI');
    expect(run.log).not.toContain('Resolve flask-ref to a commit');
  });
});
