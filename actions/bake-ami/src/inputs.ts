/** Reads and checks every input of bake-ami; loads neither `@actions/core` nor the AWS SDK. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { booleanInput, durationInput, listInput, rawInput, stringInput } from '@img-mgr/action-kit/inputs';
import { InputError, resolveRegion, type Env } from '@img-mgr/kernel';
import { urlCredentialsProblem, variableWithUrlCredentials } from '@img-mgr/packer-bake/credentials';

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
export function readInputs(env: Env): BakeInputs {
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
    region: resolveRegion(stringInput('region'), 'region', env),
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
