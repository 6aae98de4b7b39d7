/**
 * The post step: after the main step (success, failure or cancellation),
 * sweeps what Packer may have left behind, found by this run's id.
 */
import { actionContext, info, readState, runAction, warning } from '@img-mgr/action-kit';
import type { RunResources } from '@img-mgr/packer-bake';
import { STATE } from './state.js';

/** The post step's entry point. */
export async function runPost(): Promise<void> {
  await runAction('bake-ami (post)', async ({ signal }) => {
    const runId = readState(STATE.runId);
    const region = readState(STATE.region);
    if (!runId || !region) {
      info('Nothing to sweep: the main step did not start a bake');
      return;
    }
    const resources = parseResources(readState(STATE.resources));
    const { sweepRunLeftovers } = await import('@img-mgr/packer-bake');
    info(`Sweeping leftovers of run ${runId} in ${region}`);
    const result = await sweepRunLeftovers(
      { runId, region, ...resources },
      actionContext('bake-ami', signal, process.env),
    );
    const swept =
      result.terminatedInstances.length + result.deletedKeyPairs.length + result.deletedSecurityGroups.length;
    info(
      swept === 0
        ? 'Nothing left behind'
        : `Swept ${result.terminatedInstances.length} instance(s), ${result.deletedKeyPairs.length} key pair(s), ` +
            `${result.deletedSecurityGroups.length} security group(s)`,
    );
    for (const failure of result.failures) warning(`Could not delete ${failure}`);
  });
}

function parseResources(text: string): Partial<RunResources> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Partial<RunResources>;
  } catch {
    return {};
  }
}
