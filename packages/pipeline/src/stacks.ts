/**
 * The two stacks of the img-mgr system and their parameters: vpc.yaml and
 * img-mgr.yaml, with the parameter files from cloudformation/parameters/
 * (the lab's runway env files): `vpc-<env>-<region>.json` and
 * `<env>-<region>.json`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from './args.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export interface StackPlan {
  role: 'vpc' | 'app';
  name: string;
  template: string;
  /** The parameter file used (absolute), if any. */
  parameterFile?: string;
  /** Set on top of the file's values, each only when the template declares that parameter. */
  overrides: Record<string, string>;
  /** A note when the file is for another region. */
  note?: string;
}

/** The parameter file for `prefix<env>-<region>.json`, else the only/first `prefix<env>-*.json`. */
export function findParameterFile(
  dir: string,
  prefix: string,
  env: string,
  region: string,
): { path?: string; note?: string } {
  const exact = join(dir, `${prefix}${env}-${region}.json`);
  if (existsSync(exact)) return { path: exact };
  const pattern = new RegExp(`^${prefix.replace(/[-]/g, '\\-')}${env}-[a-z]{2}(-gov)?-[a-z]+-\\d+\\.json$`);
  const candidates = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => pattern.test(name))
        .sort()
    : [];
  const first = candidates[0];
  if (!first) return {};
  return {
    path: join(dir, first),
    note: `no ${prefix}${env}-${region}.json; using ${first} (its values are not region-specific)`,
  };
}

/** Both stacks in deploy order, with their names, templates and parameter files. */
export function stackPlans(
  options: Options,
  root: string,
  region: string,
  readFile: (path: string) => Map<string, string>,
): StackPlan[] {
  const dir = join(root, 'cloudformation', 'parameters');
  const vpcFile = findParameterFile(dir, 'vpc-', options.env, region);
  const appFile = findParameterFile(dir, '', options.env, region);
  const appValues = appFile.path ? readFile(appFile.path) : new Map<string, string>();
  const vpcName = options.vpcStack ?? appValues.get('NetworkStackName') ?? `img-mgr-vpc-${options.env}`;
  const appName = options.appStack ?? `img-mgr-${options.env}`;
  // ImageId is always sent (never "use previous value"): CloudFormation then resolves the parameter's
  // newest value on every update, which is how a new or rolled-back AMI reaches the stack. The network
  // always comes from the vpc stack deployed before it (its exports), so the "existing VPC" parameters
  // are sent empty rather than left to their previous values.
  const appOverrides: Record<string, string> = {
    NetworkStackName: vpcName,
    ImageId: options.parameterName,
    VpcId: '',
    PublicSubnetIds: '',
    PrivateSubnetIds: '',
  };
  const plans: StackPlan[] = [
    {
      role: 'vpc',
      name: vpcName,
      template: join(root, 'cloudformation', 'vpc.yaml'),
      overrides: {},
      ...withFile(vpcFile),
    },
    {
      role: 'app',
      name: appName,
      template: join(root, 'cloudformation', 'img-mgr.yaml'),
      overrides: appOverrides,
      ...withFile(appFile),
    },
  ];
  for (const plan of plans) {
    if (!existsSync(plan.template)) {
      throw new PipelineError(
        ExitCode.environment,
        `the ${plan.role} stack's template ${plan.template} does not exist`,
        'run from a complete checkout of the repository',
      );
    }
  }
  return plans;
}

function withFile(found: { path?: string; note?: string }): Pick<StackPlan, 'parameterFile' | 'note'> {
  return { ...(found.path ? { parameterFile: found.path } : {}), ...(found.note ? { note: found.note } : {}) };
}
