import { annotateError, info, mask, runAction, saveState, setOutput, warning } from '@img-mgr/action-kit';
import type { BakeEvent, BakeResult, RunResources } from '@img-mgr/packer-bake';
import { LogFolds } from './folds.js';
import type { BakeInputs } from './inputs.js';
import { STATE } from './state.js';
import { writeFailureSummary, writeSummary } from './summary.js';

/** The action's entry point. */
export async function run(inputs: BakeInputs): Promise<void> {
  await runAction('bake-ami', async ({ signal }) => {
    mask(inputs.githubToken);
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const { bakeAmi, newRunId, PackerError } = await import('@img-mgr/packer-bake');
    const runId = newRunId();
    saveState(STATE.runId, runId);
    saveState(STATE.region, inputs.region);
    info(`Run id ${runId} (Packer tags what it creates with it; the post step sweeps by it)`);

    const folds = new LogFolds();
    const resources: RunResources = { instanceIds: [], keyPairs: [], securityGroups: [] };
    const onEvent = (event: BakeEvent): void => {
      switch (event.kind) {
        case 'ui':
          folds.line(event.line);
          break;
        case 'step':
          folds.close();
          if (event.status === 'skipped') info(`Skipping packer ${event.step}: ${event.detail ?? ''}`);
          // init and validate get a group of their own; build lines are folded per build.
          else if (event.status === 'started' && event.step !== 'build') folds.open(`packer ${event.step}`);
          else if (event.status === 'finished') info(`packer ${event.step}: done`);
          break;
        case 'resource':
          remember(resources, event.resource, event.id);
          saveState(STATE.resources, resources);
          break;
        case 'found':
        case 'fingerprint':
        case 'packer':
        case 'build':
          break;
      }
    };
    const started = Date.now();
    let result: BakeResult;
    try {
      result = await bakeAmi(
        { ...inputs, runId },
        { log: (line) => (line.startsWith('Warning: ') ? warning(line.slice(9)) : info(line)), signal, onEvent },
      );
    } catch (error: unknown) {
      folds.close();
      if (error instanceof PackerError) {
        annotateError(
          error.errorLines.join('\n'),
          `packer ${error.step} failed (exit code ${error.exitCode ?? 'none'})`,
        );
      }
      await writeFailureSummary(error, Date.now() - started);
      throw error;
    } finally {
      folds.close();
    }
    setOutput('ami-id', result.amiId);
    setOutput('amis', result.amis);
    setOutput('region', result.region);
    setOutput('manifest', result.manifestPath);
    setOutput('skipped', result.skipped);
    setOutput('fingerprint', result.fingerprint);
    info(
      result.skipped
        ? `Skipped: already baked as ${Object.entries(result.amis)
            .map(([region, ami]) => `${region}: ${ami}`)
            .join(', ')} (fingerprint ${result.fingerprint})`
        : `Baked ${Object.entries(result.amis)
            .map(([region, ami]) => `${region}: ${ami}`)
            .join(', ')} in ${Math.round(result.durationMs / 1000)} s`,
    );
    await writeSummary(result);
  });
}

function remember(resources: RunResources, kind: 'instance' | 'key-pair' | 'security-group', id: string): void {
  const list =
    kind === 'instance' ? resources.instanceIds : kind === 'key-pair' ? resources.keyPairs : resources.securityGroups;
  if (!list.includes(id)) list.push(id);
}
