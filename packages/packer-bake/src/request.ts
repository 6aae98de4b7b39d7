/**
 * What a bake is asked to do (`BakeRequest`) and the checks a request passes
 * before anything reads AWS or runs Packer. A problem is an
 * InvalidRequestError naming the request field; the caller turns the field
 * into its own input or flag name.
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { InvalidRequestError, type Env } from '@img-mgr/kernel';
import { urlCredentialsProblem, varFileWithUrlCredentials, variableWithUrlCredentials } from './credentials.js';

/** Variables bake-ami passes to Packer when the template declares them. */
export const BAKE_VARIABLES = {
  fingerprint: 'fingerprint',
  runId: 'run_id',
  appRevision: 'app_revision',
  region: 'region',
} as const;

export interface BakeRequest {
  /** Template file or directory, relative to `workingDirectory`. */
  template: string;
  workingDirectory: string;
  /** The build region: where the fingerprint is looked up and whose AMI is `amiId`. */
  region: string;
  variables: Record<string, string>;
  /** Variable files, relative to `workingDirectory`. */
  varFiles: string[];
  only: string[];
  except: string[];
  /** 'path' or a release version to install. */
  packerVersion: string;
  /** Run `packer init` when the template declares plugins and Packer has init. */
  init: boolean;
  /** Sets PACKER_GITHUB_API_TOKEN for `packer init`. */
  githubToken?: string;
  appRevision?: string;
  /** Build even when an AMI with the fingerprint exists. */
  force: boolean;
  /** Bound of the `packer build`; reaching it is a failure. */
  timeoutMs: number;
  /** Tags everything Packer creates (through the `run_id` variable); see `newRunId`. */
  runId: string;
  /** Where to write the manifest (default: a file in the temp folder named after the run). */
  manifestPath?: string;
  /**
   * The build instance's subnet, passed to Packer as `subnet_id` (not part of
   * the fingerprint: the subnet does not change the image). Empty: see
   * `networkStackName`, else the default VPC (subnet.ts).
   */
  subnetId?: string;
  /** The network stack whose public subnet the build uses when `subnetId` is empty. */
  networkStackName?: string;
}

/** The request's paths, absolute: the working directory, the template and the var files. */
export function requestPaths(request: BakeRequest): { cwd: string; template: string; varFiles: string[] } {
  const cwd = resolve(request.workingDirectory);
  const varFiles = request.varFiles.map((file) => (isAbsolute(file) ? file : resolve(cwd, file)));
  return { cwd, template: resolve(cwd, request.template), varFiles };
}

/** A run id unique to one bake: the workflow run (from `env`), its attempt and a random part. */
export function newRunId(env: Env): string {
  const random = randomBytes(3).toString('hex');
  if (env.GITHUB_RUN_ID) return `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${random}`;
  return `local-${Date.now()}-${random}`;
}

/** The variables bake-ami sets itself; a request may not set them. */
export const RESERVED_VARIABLES: readonly string[] = [BAKE_VARIABLES.fingerprint, BAKE_VARIABLES.runId];

/**
 * Refuses variables that must never reach Packer: one bake-ami sets itself,
 * and a URL with credentials, which would reach Packer's log and the AMI's
 * tags. The refusal names the variable, never its value.
 */
export function checkVariables(variables: Record<string, string>): void {
  const reserved = RESERVED_VARIABLES.find((name) => name in variables);
  if (reserved) throw new InvalidRequestError('variables', `sets '${reserved}', which bake-ami sets itself`);
  const withCredentials = variableWithUrlCredentials(variables);
  if (withCredentials !== undefined) throw new InvalidRequestError('variables', urlCredentialsProblem(withCredentials));
}

/** `checkVariables`, then the same refusal for a var file (`varFiles` resolved) that holds a URL with credentials. */
export async function checkRequest(request: BakeRequest, varFiles: readonly string[]): Promise<void> {
  checkVariables(request.variables);
  const file = await varFileWithUrlCredentials(varFiles);
  if (file !== undefined) {
    throw new InvalidRequestError(
      'varFiles',
      `names '${file}', which holds a URL with credentials (user:token@) ` +
        "that would reach Packer's log and the AMI's tags; use a URL without them",
    );
  }
}
