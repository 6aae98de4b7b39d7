import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  annotateError,
  booleanInput,
  durationInput,
  info,
  InputError,
  listInput,
  mask,
  rawInput,
  runAction,
  saveState,
  setOutput,
  stringInput,
} from '@img-mgr/action-kit';
import { InvalidRequestError, resolveRegion } from '@img-mgr/kernel';
import type { BakeEvent, BakeResult, RunResources } from '@img-mgr/packer-bake';
import { urlCredentialsProblem, variableWithUrlCredentials } from '@img-mgr/packer-bake/credentials';
import { actionContext } from './context.js';
import { LogFolds } from './folds.js';
import { STATE } from './state.js';
import { writeFailureSummary, writeSummary } from './summary.js';

export interface BakeInputs {
  template: string;
  workingDirectory: string;
  variables: Record<string, string>;
  varFiles: string[];
  only: string[];
  except: string[];
  packerVersion: string;
  init: boolean;
  githubToken: string | undefined;
  appRevision: string | undefined;
  force: boolean;
  region: string;
  timeoutMs: number;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Reads and validates every input once. */
export function readInputs(): BakeInputs {
  const only = listInput('only');
  const except = listInput('except');
  if (only.length > 0 && except.length > 0) throw new InputError('except', "cannot be combined with 'only'");
  const template = stringInput('template', { required: true });
  const workingDirectory = stringInput('working-directory', { default: '.' });
  const inputs: BakeInputs = {
    template,
    workingDirectory,
    variables: variablesInput('variables'),
    varFiles: listInput('var-files'),
    only,
    except,
    packerVersion: stringInput('packer-version', {
      default: 'path',
      pattern: /^(path|\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?)$/,
      patternHint: "use 'path' or a Packer release version such as 1.11.2",
    }),
    init: booleanInput('init', true),
    githubToken: stringInput('github-token'),
    appRevision: stringInput('app-revision', { maxLength: 200 }),
    force: booleanInput('force', false),
    region: resolveRegion(stringInput('region')),
    timeoutMs: durationInput('timeout', 2 * 3_600_000),
  };
  // Checked last (it reads the disk), so a missing template fails naming its input before anything loads.
  if (!existsSync(resolve(workingDirectory, template))) {
    throw new InputError('template', `names '${template}', which does not exist in '${resolve(workingDirectory)}'`);
  }
  const missingVarFile = inputs.varFiles.find((file) => !existsSync(resolve(workingDirectory, file)));
  if (missingVarFile !== undefined) {
    throw new InputError(
      'var-files',
      `names '${missingVarFile}', which does not exist in '${resolve(workingDirectory)}'`,
    );
  }
  return inputs;
}

/**
 * `KEY=VALUE` lines (one per line, so values may hold commas, such as HCL
 * lists); blank lines and `#` comments are skipped.
 */
export function variablesInput(name: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [index, raw] of rawInput(name).split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const key = equals > 0 ? line.slice(0, equals).trim() : '';
    if (!VARIABLE_NAME.test(key))
      throw new InputError(name, `line ${index + 1} is not KEY=VALUE with a variable name as KEY`);
    if (key in variables) throw new InputError(name, `sets '${key}' more than once`);
    if (key === 'fingerprint' || key === 'run_id')
      throw new InputError(name, `sets '${key}', which bake-ami sets itself`);
    variables[key] = line.slice(equals + 1).trim();
  }
  const withCredentials = variableWithUrlCredentials(variables);
  if (withCredentials !== undefined) throw new InputError(name, urlCredentialsProblem(withCredentials));
  return variables;
}

/** The action's entry point. */
export async function run(): Promise<void> {
  await runAction('bake-ami', async ({ signal }) => {
    const inputs = readInputs();
    mask(inputs.githubToken);
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const { bakeAmi, newRunId, PackerError } = await import('@img-mgr/packer-bake');
    const context = actionContext(signal, process.env);
    const runId = newRunId(context.env);
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
      result = await bakeAmi({ ...inputs, runId }, context, { onEvent });
    } catch (thrown: unknown) {
      folds.close();
      const error = asInputError(thrown);
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

/** The action input of each BakeRequest field. */
const INPUT_OF_FIELD: Record<string, string> = {
  template: 'template',
  workingDirectory: 'working-directory',
  variables: 'variables',
  varFiles: 'var-files',
  only: 'only',
  except: 'except',
  packerVersion: 'packer-version',
  init: 'init',
  githubToken: 'github-token',
  appRevision: 'app-revision',
  force: 'force',
  region: 'region',
  timeoutMs: 'timeout',
};

/** A problem with a request field, as a problem with the action input that filled it. */
function asInputError(thrown: unknown): unknown {
  if (!(thrown instanceof InvalidRequestError)) return thrown;
  return new InputError(INPUT_OF_FIELD[thrown.field] ?? thrown.field, thrown.problem);
}

function remember(resources: RunResources, kind: 'instance' | 'key-pair' | 'security-group', id: string): void {
  const list =
    kind === 'instance' ? resources.instanceIds : kind === 'key-pair' ? resources.keyPairs : resources.securityGroups;
  if (!list.includes(id)) list.push(id);
}
