/**
 * The inputs of bake-ami, read once into the bake's request. No `@actions/*`
 * and no SDK code here: a bad input fails before either loads. action.yml is
 * the only source of defaults (see @img-mgr/action-kit/inputs).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ActionError,
  InputError,
  InvalidRequestError,
  JsonSyntaxError,
  KeyValueSyntaxError,
  PACKER_VARIABLE_CREDENTIALS_PROBLEM,
  packerVariableWithUrlCredentials,
  parseKeyValues,
  parseStrictJson,
  quoteWhole,
  resolveRegion,
} from '@img-mgr/kernel';
import type { Env } from '@img-mgr/kernel';
import { checkVariables, type BakeRequest } from '@img-mgr/packer-bake/request';
import { EnvInputs } from '@img-mgr/action-kit/inputs';

/** The bake request the inputs fill: all of it but the run id, which the main step makes. */
export type BakeInputs = Omit<BakeRequest, 'runId'>;

/** The action input that fills each field of the BakeRequest, to name it in an error line. */
export const INPUT_OF_FIELD: Readonly<Record<keyof BakeRequest, string | undefined>> = {
  template: 'template',
  workingDirectory: 'working-directory',
  region: 'region',
  // A domain error about the variables names this input, though a value may have come from variables-json.
  variables: 'variables',
  varFiles: 'var-files',
  only: 'only',
  except: 'except',
  packerVersion: 'packer-version',
  init: 'init',
  githubToken: 'github-token',
  appRevision: 'app-revision',
  force: 'force',
  timeoutMs: 'timeout',
  subnetId: 'subnet-id',
  networkStackName: 'network-stack-name',
  runId: undefined, // made by the main step
  manifestPath: undefined, // RUNNER_TEMP
};

/** Inputs that fill a field together with the one INPUT_OF_FIELD names for it. */
export const ALSO_FILLS: Readonly<Record<string, keyof BakeRequest>> = { 'variables-json': 'variables' };

/** A domain error about a request field, as the error about the action input that filled it. */
export function asInputError(thrown: unknown): unknown {
  if (!(thrown instanceof InvalidRequestError)) return thrown;
  const input = INPUT_OF_FIELD[thrown.field as keyof BakeRequest];
  return input ? new InputError(input, thrown.problem) : thrown;
}

/**
 * Packer's own copy to more regions (its `ami_regions`), which the project's bake role refuses after the whole
 * bake (the copy's snapshots would be untagged): refused up front, pointing to the copy that tags them.
 */
const AMI_REGIONS = 'ami_regions';
const AMI_REGIONS_PROBLEM =
  "sets ami_regions, Packer's copy to more regions, which the bake role refuses (untagged snapshots) after " +
  "the whole bake; bake in one region and copy with workflow-step's copy-ami step or img-mgr-pipeline run --regions";

/** True when `value` (HCL) names regions to copy to: anything but nothing or an empty list. */
function copiesToRegions(value: string | undefined): boolean {
  return value !== undefined && !/^\s*(\[\s*\])?\s*$/.test(value);
}

/** A Packer variable name, as HCL accepts it. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** One subnet id: it reaches Packer as one argv item, never as KEY=VALUE text. */
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
/** A stack name CloudFormation accepts. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const PACKER_VERSION = /^(path|\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?)$/;

/** Reads and validates every input (INPUT_* in `env`) into the bake's request. */
export function readInputs(env: Env): BakeInputs {
  try {
    return requestOf(env);
  } catch (error: unknown) {
    throw asInputError(error);
  }
}

function requestOf(env: Env): BakeInputs {
  // Packer reads PKR_VAR_* itself: such a value is held to the rule of the variables input (no URL credentials).
  const withCredentials = packerVariableWithUrlCredentials(env);
  if (withCredentials !== undefined) {
    throw new ActionError(`The environment variable ${withCredentials} ${PACKER_VARIABLE_CREDENTIALS_PROBLEM}`);
  }
  if (copiesToRegions(env[`PKR_VAR_${AMI_REGIONS}`]))
    throw new ActionError(`The environment variable PKR_VAR_${AMI_REGIONS} ${AMI_REGIONS_PROBLEM}`);
  const input = new EnvInputs(env);
  const only = input.list('only');
  const except = input.list('except');
  if (only.length > 0 && except.length > 0) throw new InputError('except', "cannot be combined with 'only'");
  const template = input.defaulted('template');
  // The runner starts the step in the workspace; the request's directory is absolute.
  const workingDirectoryInput = input.defaulted('working-directory');
  const workingDirectory = resolve(env.GITHUB_WORKSPACE || process.cwd(), workingDirectoryInput);
  const githubToken = input.string('github-token');
  const appRevision = input.string('app-revision', { maxLength: 200 });
  const subnetId = input.string('subnet-id', {
    pattern: SUBNET_ID,
    patternHint: 'use a subnet id such as subnet-0123456789abcdef0',
  });
  const networkStackName = input.string('network-stack-name', {
    pattern: STACK_NAME,
    patternHint: 'use a CloudFormation stack name (letters, digits and hyphens, starting with a letter)',
  });
  const request: BakeInputs = {
    template,
    workingDirectory,
    variables: allPackerVariables(input.raw('variables'), input.raw('variables-json')),
    varFiles: input.list('var-files'),
    only,
    except,
    packerVersion: input.matching(
      'packer-version',
      PACKER_VERSION,
      "use 'path' or a Packer release version such as 1.11.2",
    ),
    init: input.boolean('init'),
    ...(githubToken ? { githubToken } : {}),
    ...(appRevision ? { appRevision } : {}),
    force: input.boolean('force'),
    region: resolveRegion(input.string('region'), 'region', env),
    timeoutMs: input.duration('timeout'),
    ...(subnetId ? { subnetId } : {}),
    ...(networkStackName ? { networkStackName } : {}),
  };
  // Checked last (they read the disk), so a missing template fails naming its input before anything loads.
  if (pathKind(workingDirectory) !== 'directory') {
    const what = pathKind(workingDirectory) === 'missing' ? 'does not exist' : 'is not a directory';
    throw new InputError('working-directory', `names ${quoteWhole(workingDirectoryInput)}, which ${what}`);
  }
  if (pathKind(resolve(workingDirectory, template)) === 'missing') {
    throw new InputError(
      'template',
      `names ${quoteWhole(template)}, which does not exist in ${where(workingDirectory)}`,
    );
  }
  for (const file of request.varFiles) {
    const kind = pathKind(resolve(workingDirectory, file));
    if (kind === 'file' && readable(resolve(workingDirectory, file))) continue;
    if (kind === 'file') throw new InputError('var-files', `names ${quoteWhole(file)}, which cannot be read`);
    const what = kind === 'missing' ? `does not exist in ${where(workingDirectory)}` : 'is not a file';
    throw new InputError('var-files', `names ${quoteWhole(file)}, which ${what}`);
  }
  return request;
}

/** The working directory for an error line: its path, unless that is too long for one. */
function where(workingDirectory: string): string {
  const shown = quoteWhole(workingDirectory, 200);
  return shown.startsWith("'") ? shown : 'the working directory';
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** What is at `path`: a regular file, a directory, anything else, or nothing. */
function pathKind(path: string): 'file' | 'directory' | 'other' | 'missing' {
  try {
    const info = statSync(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * The `variables` input: KEY=VALUE items in the kernel's grammar, one per
 * line (a comma in quotes or brackets, or one followed by no `=`, stays in
 * the value, so HCL lists and maps work). Quotes are kept: in HCL they mean
 * something. The keys must be variable names; bake-ami's own variables and
 * URLs with credentials are refused.
 */
export function packerVariables(text: string): Record<string, string> {
  let variables: Record<string, string>;
  try {
    const items = parseKeyValues(text, { stripQuotes: false, keyPattern: VARIABLE_NAME, keyHint: 'a variable name' });
    variables = Object.fromEntries(items.map((item) => [item.key, item.value]));
  } catch (error: unknown) {
    if (error instanceof KeyValueSyntaxError) throw new InputError('variables', error.problem);
    throw error;
  }
  checkVariables(variables);
  if (copiesToRegions(variables[AMI_REGIONS])) throw new InputError('variables', AMI_REGIONS_PROBLEM);
  return variables;
}

/**
 * The `variables-json` input: one JSON object of variable names to string
 * values, each passed to Packer as one `-var` argument whatever it holds (a
 * comma, a line break, `=`, quotes), so a caller's string never meets the
 * KEY=VALUE grammar. A key given twice is refused (JSON.parse would keep the
 * last one silently); so is a value that is not a string.
 */
export function packerVariablesJson(text: string): Record<string, string> {
  if (text === '') return {};
  let parsed: unknown;
  try {
    // A key given twice is refused (JSON.parse would keep the last one silently); errors say where, not what.
    parsed = parseStrictJson(text);
  } catch (error: unknown) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new InputError('variables-json', `${error.problem}; pass one object of variable names to strings`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError('variables-json', 'is not a JSON object; pass one object of variable names to strings');
  }
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!VARIABLE_NAME.test(key))
      throw new InputError('variables-json', `has the key ${quoteWhole(key)}, which is not a variable name`);
    if (typeof value !== 'string') {
      const kind = value === null ? 'null' : typeof value === 'object' ? 'a JSON object or list' : `a ${typeof value}`;
      throw new InputError('variables-json', `sets ${quoteWhole(key)} to ${kind}; every value must be a string`);
    }
    variables[key] = value;
  }
  try {
    checkVariables(variables);
  } catch (error: unknown) {
    if (error instanceof InvalidRequestError) throw new InputError('variables-json', error.problem);
    throw error;
  }
  if (copiesToRegions(variables[AMI_REGIONS])) throw new InputError('variables-json', AMI_REGIONS_PROBLEM);
  return variables;
}

/** `variables` and `variables-json` together; a name set in both is refused, as a name set twice in one is. */
export function allPackerVariables(text: string, json: string): Record<string, string> {
  const fromText = packerVariables(text);
  const fromJson = packerVariablesJson(json);
  const both = Object.keys(fromJson).find((key) => key in fromText);
  if (both !== undefined) throw new InputError('variables-json', `sets ${quoteWhole(both)}, which variables sets too`);
  return { ...fromText, ...fromJson };
}
