/**
 * The main step: one bake of the request the inputs filled; its result to
 * outputs and the job summary, Packer's lines folded per build, and what
 * Packer creates saved for the post step.
 */
import { actionContext, info, InputError, runAction, saveState, setOutput } from '@img-mgr/action-kit';
import type { BakeEvent, BakeResult, RunResources, ToolCache } from '@img-mgr/packer-bake';
import { LogFolds } from './folds.js';
import { asInputError, type BakeInputs } from './inputs.js';
import { STATE } from './state.js';
import { writeFailureSummary, writeSummary } from './summary.js';

/**
 * @actions/tool-cache for installing a Packer release, loaded only when a
 * bake needs one (the package itself never loads @actions/*).
 */
const lazyToolCache: ToolCache = {
  find: async (tool, version) => (await import('@actions/tool-cache')).find(tool, version),
  downloadTool: async (url) => (await import('@actions/tool-cache')).downloadTool(url),
  extractZip: async (file) => (await import('@actions/tool-cache')).extractZip(file),
  cacheDir: async (dir, tool, version) => (await import('@actions/tool-cache')).cacheDir(dir, tool, version),
};

/** The action's main step, given valid inputs. */
export async function run(inputs: BakeInputs): Promise<void> {
  await runAction('bake-ami', async ({ signal }) => {
    const context = actionContext('bake-ami', signal, process.env);
    if (inputs.githubToken) context.log.secret(inputs.githubToken);
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const { bakeAmi, newRunId, PackerError } = await import('@img-mgr/packer-bake');
    const runId = newRunId(context.env);
    saveState(STATE.runId, runId);
    saveState(STATE.region, inputs.region);
    info(`Run id ${runId} (Packer tags what it creates with it; the post step sweeps by it)`);

    const folds = new LogFolds();
    const started = Date.now();
    let result: BakeResult;
    try {
      result = await bakeAmi({ ...inputs, runId }, context, { onEvent: eventShower(folds), toolCache: lazyToolCache });
    } catch (thrown: unknown) {
      folds.close();
      let error = asInputError(thrown);
      if (error instanceof PackerError) {
        // Packer's own lines go to the log; the step's one error line carries the last of them.
        const exitCode = error.exitCode ?? 'none';
        info(`packer ${error.step} failed (exit code ${exitCode}); its error lines:`);
        for (const line of error.errorLines) info(`  ${line}`);
        // validate reads only the template, its variables and var files: what it refuses is the template input's.
        if (error.step === 'validate') error = new InputError('template', `does not validate: ${error.message}`);
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
    const amis = Object.entries(result.amis)
      .map(([region, ami]) => `${region}: ${ami}`)
      .join(', ');
    info(
      result.skipped
        ? `Skipped: already baked as ${amis} (fingerprint ${result.fingerprint})`
        : `Baked ${amis} in ${Math.round(result.durationMs / 1000)} s`,
    );
    await writeSummary(result);
  });
}

/**
 * Shows a bake's events: Packer's lines in folds (init and validate each in
 * a group, build lines per build), the steps, and each temporary resource
 * Packer creates, saved at once for the post step.
 */
function eventShower(folds: LogFolds): (event: BakeEvent) => void {
  const resources: RunResources = { instanceIds: [], keyPairs: [], securityGroups: [] };
  return (event) => {
    switch (event.kind) {
      case 'ui':
        folds.line(event.line);
        break;
      case 'step':
        folds.close();
        if (event.status === 'skipped') info(`Skipping packer ${event.step}: ${event.detail ?? ''}`);
        else if (event.status === 'started' && event.step !== 'build') folds.open(`packer ${event.step}`);
        else if (event.status === 'finished') info(`packer ${event.step}: done`);
        break;
      case 'resource': {
        // The AMI of a build that does not finish is deregistered by the bake itself, before it returns.
        if (event.resource === 'image' || event.resource === 'image-name') break;
        const list = {
          instance: resources.instanceIds,
          'key-pair': resources.keyPairs,
          'security-group': resources.securityGroups,
        }[event.resource];
        if (!list.includes(event.id)) list.push(event.id);
        saveState(STATE.resources, resources);
        break;
      }
      case 'found':
      case 'fingerprint':
      case 'packer':
      case 'build':
        break;
    }
  };
}
