/**
 * The reusable workflow's string inputs, checked against their documented
 * shapes in the resolve job, before any AWS call. A caller's string reaches
 * job outputs, action inputs, KEY=VALUE texts (deploy-stack's
 * parameter-overrides) and Packer; a comma, a line break, a quote or `${`
 * in the wrong place would be read as a separator or an expression there. No
 * shape below admits any of them (an IAM role name may hold `,` and `=`, but
 * it only ever travels alone). The rules the actions already apply are
 * reused, so the workflow and the action refuse the same values.
 */
import {
  InputError,
  formatDuration,
  hasUrlCredentials,
  isRoleArn,
  isSmokeUrl,
  parseDuration,
  quoteWhole,
  regionProblem,
  type Env,
} from '@img-mgr/kernel';
import { parameterNameProblem, parseRollbackTarget } from '@img-mgr/ami-publish/validate';
import { KMS_KEY_REFERENCE, STACK_NAME } from '@img-mgr/stack-deploy/names';
import { FULL_SHA } from './app-revision.js';

/** The workflow inputs this module checks, by their names in bake-and-deploy.yml. */
export const CALLER_INPUTS = [
  'flask-repo',
  'flask-ref',
  'trusted-branch',
  'aws-region',
  'role-to-assume',
  'bake-role-to-assume',
  'cloudformation-role-arn',
  'parameter-name',
  'stack-name',
  'subnet-id',
  'network-stack-name',
  'launch-kms-key',
  'template',
  'parameter-file',
  'environment',
  'rollback-to',
  'promote-from',
  'smoke-samples',
  'smoke-timeout',
  'smoke-url',
  'targets',
] as const;
export type CallerInput = (typeof CALLER_INPUTS)[number];

/** An EC2 subnet id, as EC2 writes them (the short form of older accounts, or the long one). */
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** The longest flask-ref accepted (the CLI's bound before it shared this rule). */
const MAX_REF_LENGTH = 100;
/** owner/name on the GitHub server that runs the workflow. */
const OWNER_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** https://host[:port]/path: no query, fragment, user info, spaces, quotes, commas or `${`. */
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%+-]+)+\/?$/;
/** s3://bucket/key, the other URL form of deploy-stack's template. */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9._~%+/-]+$/;
/** A ref name in the characters this project accepts (a subset of git's). */
const REF_CHARACTERS = /^[A-Za-z0-9._/+-]{1,200}$/;
/** A path relative to the workspace: letters, digits and . _ - / only. */
const WORKSPACE_PATH = /^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,1023}$/;
/** The most requests a smoke test may make per sample round: a bound, not a load test. */
export const MAX_SMOKE_SAMPLES = 100;
/** The longest smoke test: well inside the deploy job's 90 minutes, which also hold the deploy. */
export const MAX_SMOKE_TIMEOUT_MS = 30 * 60_000;
/** A GitHub environment, as the deploy role's Environment parameter allows it. */
const ENVIRONMENT = /^[A-Za-z0-9_.-]{1,255}$/;

/**
 * The problem with flask-repo (owner/name, or an https:// git URL without
 * credentials), or undefined. A URL with credentials is refused without
 * being repeated: it would reach the log, job outputs and the AMI's tags.
 */
export function flaskRepoProblem(value: string): string | undefined {
  if (hasUrlCredentials(value)) {
    return (
      "holds credentials in its URL (user:token@), which would reach logs and the AMI's tags; " +
      'pass owner/name or a URL without them.'
    );
  }
  if (OWNER_NAME.test(value) || HTTPS_URL.test(value)) return undefined;
  return (
    `has ${quoteWhole(value)}, which is neither owner/name nor an https:// git URL ` +
    '(https://host/path: no commas, spaces, quotes, ${...}, user info, query or fragment).'
  );
}

/**
 * The problem with a git ref name, or undefined: the characters of
 * REF_CHARACTERS, under git's ref-name rules (no `..`, `//` or `@{`; no
 * part that starts with `.` or ends with `.lock`; not starting with `-` or
 * `/`, not ending with `/` or `.`).
 */
export function refNameProblem(value: string): string | undefined {
  if (!REF_CHARACTERS.test(value)) return 'has characters other than letters, digits and . _ / + -';
  if (value.startsWith('-') || value.startsWith('/') || value.endsWith('/') || value.endsWith('.')) {
    return 'starts with - or /, or ends with / or .';
  }
  if (value.includes('..') || value.includes('//')) return 'holds .. or //';
  if (value.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))) {
    return 'has a part that starts with . or ends with .lock';
  }
  return undefined;
}

/** The problem with flask-ref (empty, a full commit SHA, or a git ref name), or undefined. */
export function flaskRefProblem(value: string): string | undefined {
  if (value === '' || FULL_SHA.test(value)) return undefined;
  // The ref is recorded in the AMI's flask-ref tag and description: a ref name is short, a longer value is not one.
  if (value.length > MAX_REF_LENGTH) {
    return `has ${quoteWhole(value)}, which is longer than a branch, tag or ref name here (at most ${MAX_REF_LENGTH}).`;
  }
  const problem = refNameProblem(value);
  return problem
    ? `has ${quoteWhole(value)}, which is neither a full commit SHA nor a branch, tag or ref name (it ${problem}).`
    : undefined;
}

/** The problem with trusted-branch (a branch name, `*` and `?` as wildcards), or undefined. */
function trustedBranchProblem(value: string): string | undefined {
  const problem = refNameProblem(value.replace(/[*?]/g, 'x'));
  return problem ? `has ${quoteWhole(value)}, which is not a branch name or pattern (it ${problem}).` : undefined;
}

/** A path relative to the workspace, or why not (absolute, `..`, or characters a path here never needs). */
function workspacePathProblem(value: string): string | undefined {
  if (!WORKSPACE_PATH.test(value) || value.split('/').some((part) => part === '..' || part === '')) {
    return (
      `has ${quoteWhole(value)}, which is not a path relative to the workspace ` +
      '(letters, digits and . _ - /; no .., no leading /, no commas, spaces, quotes or ${...})'
    );
  }
  return undefined;
}

function templateProblem(value: string): string | undefined {
  if (HTTPS_URL.test(value) || S3_URL.test(value)) return undefined;
  const problem = workspacePathProblem(value);
  return problem ? `${problem}, an https:// URL or an s3://bucket/key URL.` : undefined;
}

function parameterFileProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const problem = workspacePathProblem(value);
  if (problem) return `${problem}.`;
  return /\.(json|ya?ml)$/.test(value)
    ? undefined
    : `has ${quoteWhole(value)}, which is not a .json, .yaml or .yml file.`;
}

function roleArnProblem(value: string): string | undefined {
  if (value === '' || isRoleArn(value)) return undefined;
  return `has ${quoteWhole(value)}, which is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`;
}

function smokeSamplesProblem(value: string): string | undefined {
  if (/^\d{1,3}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_SMOKE_SAMPLES) return undefined;
  return `has ${quoteWhole(value)}, which is not a whole number of requests from 1 to ${MAX_SMOKE_SAMPLES}.`;
}

function smokeTimeoutProblem(value: string): string | undefined {
  // The duration grammar allows blanks between a number and its unit; a caller's value here has none to hide.
  const ms = /\s/.test(value) ? undefined : parseDuration(value);
  if (ms !== undefined && ms > 0 && ms <= MAX_SMOKE_TIMEOUT_MS) return undefined;
  return (
    `has ${quoteWhole(value)}, which is not a duration from 1s to ${formatDuration(MAX_SMOKE_TIMEOUT_MS)} ` +
    '(seconds, or parts such as 90s, 5m, 1m30s).'
  );
}

function smokeUrlProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (hasUrlCredentials(value)) {
    return (
      'holds credentials in its URL (user:token@), which would reach logs and the summary; ' +
      'pass a URL without them.'
    );
  }
  if (isSmokeUrl(value)) return undefined;
  return (
    `has ${quoteWhole(value)}, which is not an http:// or https:// base URL ` +
    '(scheme://host[:port]/path of letters, digits and . _ ~ % + -: no query, fragment, spaces, quotes or ${...}).'
  );
}

/** A phrase of a shared rule ("is empty", "'x' contains ','") as a sentence after "Input 'name'". */
const sentence = (problem: string | undefined): string | undefined =>
  problem === undefined ? undefined : problem.endsWith('.') ? problem : `${problem}.`;

/** Each input's rule: the problem with its value, or undefined. */
const RULES: Readonly<Record<CallerInput, (value: string, env: Env) => string | undefined>> = {
  'flask-repo': (value) => (value === '' ? undefined : flaskRepoProblem(value)),
  'flask-ref': flaskRefProblem,
  'trusted-branch': (value) => (value === '' ? 'is empty.' : trustedBranchProblem(value)),
  'aws-region': (value, env) => {
    if (value === '') return 'is empty.';
    const problem = regionProblem(value, env);
    return problem ? `has ${problem}.` : undefined;
  },
  'role-to-assume': roleArnProblem,
  'bake-role-to-assume': roleArnProblem,
  'cloudformation-role-arn': roleArnProblem,
  'parameter-name': (value) => sentence(parameterNameProblem(value)),
  'stack-name': (value) =>
    STACK_NAME.test(value)
      ? undefined
      : `has ${quoteWhole(value)}, which is not a stack name (a letter, then letters, digits or -, at most 128).`,
  'subnet-id': (value) =>
    value === '' || SUBNET_ID.test(value)
      ? undefined
      : `has ${quoteWhole(value)}, which is not a subnet id (subnet- and 8 or 17 hexadecimal digits).`,
  'network-stack-name': (value) =>
    STACK_NAME.test(value)
      ? undefined
      : `has ${quoteWhole(value)}, which is not a stack name (a letter, then letters, digits or -, at most 128).`,
  'launch-kms-key': (value) =>
    value === '' || KMS_KEY_REFERENCE.test(value)
      ? undefined
      : `has ${quoteWhole(value)}, which is not a KMS key id, alias/NAME, or key or alias ARN.`,
  template: (value) => (value === '' ? 'is empty.' : templateProblem(value)),
  'parameter-file': parameterFileProblem,
  environment: (value) =>
    value === '' || ENVIRONMENT.test(value)
      ? undefined
      : `has ${quoteWhole(value)}, which is not a GitHub environment name (letters, digits and _ . -).`,
  'rollback-to': (value) => {
    if (value === '') return undefined;
    // parseRollbackTarget trims; a value that needs trimming is not the one the caller meant to pass.
    if (value !== value.trim()) return `has ${quoteWhole(value)}, with spaces or line breaks around it.`;
    return sentence(parseRollbackTarget(value).problem);
  },
  'promote-from': (value) => (value === '' ? undefined : sentence(parameterNameProblem(value))),
  'smoke-samples': smokeSamplesProblem,
  'smoke-timeout': smokeTimeoutProblem,
  'smoke-url': smokeUrlProblem,
  targets: (value) => {
    if (value === '') return undefined;
    const problem = workspacePathProblem(value);
    if (problem) return `${problem}.`;
    return /\.ya?ml$/.test(value) ? undefined : `has ${quoteWhole(value)}, which is not a .yml or .yaml file.`;
  },
};

/** A line break or another control character: no input's shape has one. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The problem with one caller input, or undefined. */
export function callerInputProblem(name: CallerInput, value: string, env: Env = {}): string | undefined {
  // Before the shared rules, some of which quote the offending character: a line break would split the error line.
  if (CONTROL_CHARACTER.test(value)) {
    return `has ${quoteWhole(value)}, which holds a line break or another control character.`;
  }
  return RULES[name](value, env);
}

/**
 * Checks every input given (an input left out is not checked; '' is a value)
 * and throws an InputError naming the first one whose value has not its
 * documented shape.
 */
export function checkCallerInputs(inputs: Partial<Record<CallerInput, string>>, env: Env = {}): void {
  for (const name of CALLER_INPUTS) {
    const value = inputs[name];
    if (value === undefined) continue;
    const problem = callerInputProblem(name, value, env);
    if (problem) throw new InputError(name, problem);
  }
}
