#!/usr/bin/env node
/**
 * `npm run act -- [scenario] [--keep]`: runs the Flask fork's caller workflows
 * with act (host mode) against a moto server it starts, using this
 * repository's workflow and actions, then prints what AWS holds afterwards.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startMoto, type Moto } from '@img-mgr/testbed';
import { runAct, localPackerVariables, type ActRun } from './act.js';
import { createForkWorkspace, type ForkWorkspace } from './fork.js';
import { startFrontDoors, type FrontDoors } from './front-door.js';
import { createNetworkStack, networkParameters, networkStackName, readDeploymentState } from './stack.js';
import { ensureActTools } from './tools.js';

const SCENARIOS = {
  push: 'push to master: bake, publish, deploy (deploy-on-push.yml)',
  again: 'push, then push the same commit again: the bake is skipped',
  rollback: 'push, push an app change, then roll back with the dispatch workflow (deploy-manually.yml)',
  plan: 'push, then plan a parameter change as a pull request would (plan-on-pull-request.yml)',
} as const;
type Scenario = keyof typeof SCENARIOS;

const USAGE = `Usage: npm run act -- [${Object.keys(SCENARIOS).join('|')}] [--keep]

Runs the caller workflows of workflows-example/ with act in host mode against a
local moto server, with this checkout's reusable workflow and actions.
Installs act, moto, Packer and Node 24 into the test tools folder on first use.

${Object.entries(SCENARIOS)
  .map(([name, what]) => `  ${name.padEnd(9)}${what}`)
  .join('\n')}

  --keep   leave moto running at the end and print its endpoint
`;

const STACK = 'img-mgr-dev';

function parseArgs(argv: string[]): { scenario: Scenario; keep: boolean } {
  let scenario: Scenario = 'push';
  let keep = false;
  for (const arg of argv) {
    if (arg === '--keep') keep = true;
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (arg in SCENARIOS) scenario = arg as Scenario;
    else {
      process.stderr.write(`act: unknown argument '${arg}'\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return { scenario, keep };
}

async function step(title: string, run: () => Promise<ActRun>): Promise<void> {
  process.stdout.write(`\n=== ${title}\n`);
  const result = await run();
  process.stdout.write(`=== ${title}: exit ${result.exitCode} in ${(result.durationMs / 1000).toFixed(1)} s\n`);
  if (result.exitCode !== 0) throw new Error(`act failed (exit ${result.exitCode}): ${result.command}`);
}

async function main(): Promise<void> {
  const { scenario, keep } = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  let moto: Moto | undefined;
  let fork: ForkWorkspace | undefined;
  let sites: FrontDoors | undefined;
  try {
    ensureActTools((line) => process.stdout.write(`${line}\n`));
    moto = await startMoto();
    process.stdout.write(`moto: ${moto.endpoint}\n`);
    // moto's load balancer answers nothing: the smoke test goes through a stand-in of the app (SMOKE_URL).
    sites = await startFrontDoors(moto, { SMOKE_URL: STACK });
    process.stdout.write(`the site of ${STACK} (smoke-url): ${sites.vars.SMOKE_URL}\n`);
    const aws = moto.env;
    const packerVariables = localPackerVariables(moto.endpoint);
    const workspace = createForkWorkspace({ root });
    fork = workspace;
    process.stdout.write(`fork workspace: ${workspace.dir} (HEAD ${workspace.head()})\n`);
    if (existsSync(join(root, 'cloudformation', 'vpc.yaml'))) {
      const network = await createNetworkStack(root, networkStackName(workspace.dir), moto.clientConfig);
      process.stdout.write(`network stack ${networkStackName(workspace.dir)}: ${network?.StackStatus ?? 'missing'}\n`);
      // moto cannot resolve Fn::ImportValue in a CREATE change set: the fork
      // passes the network to the app stack directly (see networkParameters).
      workspace.setStackParameters('dev', networkParameters(network));
    }
    const common = {
      root,
      workdir: workspace.dir,
      aws,
      packerVariables,
      vars: sites.vars,
      onLine: (line: string) => process.stdout.write(`${line}\n`),
    };
    const push = (title: string) =>
      step(title, () => runAct({ ...common, workflow: 'deploy-on-push.yml', event: 'push', eventFile: 'push.json' }));

    await push('push to master');
    if (scenario === 'again') await push('push the same commit again');
    if (scenario === 'rollback') {
      workspace.commitAppChange('Change the app');
      await push('push an app change');
      await step('roll back (workflow_dispatch, rollback: true)', () =>
        runAct({ ...common, workflow: 'deploy-manually.yml', event: 'workflow_dispatch', eventFile: 'rollback.json' }),
      );
    }
    if (scenario === 'plan') {
      // What a pull request would change: a stack parameter in deploy/dev.json.
      workspace.setStackParameters('dev', { InstanceType: 't3.medium' });
      await step('plan (pull_request, InstanceType t3.medium)', () =>
        runAct({
          ...common,
          workflow: 'plan-on-pull-request.yml',
          event: 'pull_request',
          eventFile: 'pull_request.json',
        }),
      );
    }

    const state = await readDeploymentState(moto.clientConfig, STACK);
    const parameter = state.parameter ? `${state.parameter.value} (version ${state.parameter.version})` : 'not set';
    const resolved = state.stackImageId ? `, ImageId resolved to ${state.stackImageId}` : '';
    process.stdout.write(
      [
        '',
        `golden AMI parameter: ${parameter}`,
        `stack ${STACK}: ${state.stack?.StackStatus ?? 'does not exist'}${resolved}`,
        `img-mgr AMIs: ${state.images.map((image) => image.ImageId).join(', ') || 'none'}`,
        '',
      ].join('\n'),
    );
  } finally {
    fork?.cleanup();
    await sites?.close();
    if (moto && keep) process.stdout.write(`moto keeps running on ${moto.endpoint} (stop it with Ctrl-C)\n`);
    else await moto?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`act: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
