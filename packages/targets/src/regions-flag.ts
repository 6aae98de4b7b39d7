/**
 * The shorthand `--regions home,b,c`: the home region (where the bake runs)
 * is wave 1 alone, the others roll out together as wave 2, once the home
 * region passed. One region is today's single-region rollout.
 */
import { regionProblem, type Env } from '@img-mgr/kernel';
import type { Targets } from './targets.js';
import { TargetsError } from './targets-error.js';

export function parseRegionsList(value: string, flag: string, env: Env = {}): Targets {
  const regions = value.split(',').map((region) => region.trim());
  if (regions.some((region) => region === ''))
    throw new TargetsError(flag, undefined, 'must be regions separated by commas, such as us-west-2,eu-west-1');
  const seen = new Set<string>();
  for (const region of regions) {
    const problem = regionProblem(region, env);
    if (problem) throw new TargetsError(flag, undefined, `has ${problem.replace(/^'(.{40}).*?'/, "'$1...'")}`);
    if (seen.has(region)) throw new TargetsError(flag, undefined, `lists ${region} twice`);
    seen.add(region);
  }
  const [home = '', ...others] = regions;
  return {
    source: flag,
    home,
    waves: [{ number: 1, regions: [home] }, ...(others.length > 0 ? [{ number: 2, regions: others }] : [])],
  };
}
