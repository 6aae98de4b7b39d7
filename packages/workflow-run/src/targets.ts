/**
 * The reusable workflow's `targets`: a targets file in the caller's
 * repository (@img-mgr/targets), turned into the outputs its wave jobs read.
 * Without one, the workflow serves `aws-region` alone, as it always did.
 *
 * The workflow's first wave is its publish, deploy and revert jobs, which
 * serve one region (`aws-region`, where the bake runs): so wave 1 of the file
 * must be that region alone, with the workflow's environment, role-to-assume
 * and smoke-url; waves 2 and 3 are one job each for all their regions, each
 * in its environment (the workflow's when the file names none) with its role.
 * What the later waves share with wave 1 (the template, the launch key, the
 * account of the roles, the parameter files) is checked here, before wave 1
 * deploys: a value that cannot serve another region must not surface after it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError, InvalidRequestError, type Env } from '@img-mgr/kernel';
import type { Wave, WorkflowTargets } from '@img-mgr/targets';
import { callerInputProblem } from './caller-inputs.js';

export interface TargetsRequest {
  /** The `targets` input: a .yml path relative to the workspace (the caller's checkout), or ''. */
  file: string;
  awsRegion: string;
  /** The workflow's `environment` (wave 1's). */
  environment: string;
  /** The caller's checkout. */
  workspace: string;
  /** The workflow's template, launch-kms-key and role-to-assume ('' when not given): what later waves reuse. */
  template?: string;
  launchKmsKey?: string;
  roleToAssume?: string;
}

/** The targets' outputs; a bad file or one the workflow cannot serve is an InputError on `targets`. */
export async function planTargets(request: TargetsRequest, env: Env = {}): Promise<WorkflowTargets> {
  const { file, awsRegion, environment } = request;
  // Loaded here: the other steps never load the YAML parser.
  const { parseTargetsFile, singleRegion, TargetsError, workflowTargets } = await import('@img-mgr/targets');
  if (file === '') return workflowTargets(singleRegion(awsRegion, environment));
  const problem = callerInputProblem('targets', file, env);
  if (problem || isAbsolute(file)) throw new InputError('targets', problem ?? 'must be a relative path.');
  let text: string;
  try {
    text = readFileSync(join(request.workspace, file), 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new InputError('targets', `names ${file}, which cannot be read in the caller's repository (${code}).`);
  }
  let targets;
  try {
    targets = parseTargetsFile(text, file, env);
  } catch (error: unknown) {
    if (error instanceof TargetsError) throw new InputError('targets', `is not usable: ${error.message}`);
    throw error;
  }
  const first = targets.waves[0];
  if (targets.home !== awsRegion)
    throw new InputError(
      'targets',
      `is not usable: ${file} starts with ${targets.home}, but aws-region is ${awsRegion} ` +
        '(the bake runs in aws-region, the first region of wave 1)',
    );
  if (first && first.regions.length > 1)
    throw new InputError(
      'targets',
      `is not usable: wave 1 of ${file} lists ${first.regions.length} regions; in the reusable workflow wave 1 is ` +
        'aws-region alone (its publish and deploy jobs): put the others in wave 2',
    );
  if (first?.environment !== undefined && first.environment !== environment)
    throw new InputError(
      'targets',
      `is not usable: wave 1 of ${file} names the environment ${first.environment}, ` +
        `but the workflow's environment is '${environment}'`,
    );
  if (first?.role !== undefined)
    throw new InputError(
      'targets',
      `is not usable: wave 1 of ${file} names a role-to-assume; in the reusable workflow wave 1 assumes the ` +
        'role-to-assume input (remove it from wave 1)',
    );
  if (first?.smokeUrls !== undefined)
    throw new InputError(
      'targets',
      `is not usable: wave 1 of ${file} has smoke-urls; in the reusable workflow wave 1 is smoke-tested through ` +
        'the smoke-url input (remove them from wave 1)',
    );
  if (first?.parameterFiles !== undefined)
    throw new InputError(
      'targets',
      `is not usable: wave 1 of ${file} has parameter-files; in the reusable workflow wave 1 deploys with the ` +
        'parameter-file input (remove them from wave 1)',
    );
  // Before wave 1 deploys: a missing or broken file must not surface after it.
  const { parseParameterOverrides } = await import('@img-mgr/stack-deploy/parsers');
  for (const wave of targets.waves) {
    for (const [region, path] of Object.entries(wave.parameterFiles ?? {})) {
      const where = `wave ${wave.number} of ${file} gives ${region} the parameter file ${path}, which`;
      if (!existsSync(join(request.workspace, path)))
        throw new InputError('targets', `is not usable: ${where} is not in the caller's repository`);
      try {
        parseParameterOverrides(path, { cwd: request.workspace });
      } catch (error: unknown) {
        if (error instanceof InvalidRequestError)
          throw new InputError('targets', `is not usable: ${where} is not a parameter file: ${error.problem}`);
        throw error;
      }
    }
  }
  if (targets.waves.length > 1) checkSharedInputs(request, targets.waves.slice(1), file);
  for (const wave of targets.waves.slice(1)) {
    if (wave.environment === undefined || wave.environment === environment || wave.role !== undefined) continue;
    throw new InputError(
      'targets',
      `is not usable: wave ${wave.number} of ${file} runs in the environment ${wave.environment}, not the ` +
        `workflow's '${environment}', with no role-to-assume; the workflow's role-to-assume trusts only its own ` +
        `environment: give wave ${wave.number} the role of ${wave.environment}`,
    );
  }
  // A wave that names no environment runs in the workflow's, where the workflow's role (or its own) is trusted.
  const waves = targets.waves.map((wave) =>
    wave.environment === undefined && environment !== '' ? { ...wave, environment } : wave,
  );
  return workflowTargets({ ...targets, waves });
}

/** The account of an IAM role ARN. */
const accountOf = (arn: string): string | undefined => /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];

/**
 * The inputs every later wave deploys with, as wave 1 does, in other regions: each must serve them. A template
 * URL names one region's bucket, and a key ARN or key id one region's key (an alias/NAME is looked up in each
 * region); the copies, the CloudFormation role and the parameter are the account's, so a wave's role must be of
 * the account of role-to-assume.
 */
function checkSharedInputs(request: TargetsRequest, later: Wave[], file: string): void {
  const template = request.template ?? '';
  if (/^(https|s3):\/\//.test(template))
    throw new InputError(
      'template',
      `is a URL, which names one region's bucket, but ${file} rolls out to other regions too: ` +
        "use a template file in the caller's repository (or img-mgr's, the default)",
    );
  const key = request.launchKmsKey ?? '';
  if (key !== '' && !key.startsWith('alias/'))
    throw new InputError(
      'launch-kms-key',
      `names one region's key, but ${file} rolls out to other regions too: use alias/NAME, ` +
        'with an alias of that name in every target region',
    );
  const account = accountOf(request.roleToAssume ?? '');
  for (const wave of later) {
    const other = wave.role === undefined ? undefined : accountOf(wave.role);
    if (account === undefined || other === undefined || other === account) continue;
    throw new InputError(
      'targets',
      `is not usable: wave ${wave.number} of ${file} assumes a role of account ${other}, not ${account} ` +
        "(role-to-assume's): the AMI copies, the parameter and the CloudFormation role are that account's",
    );
  }
}
