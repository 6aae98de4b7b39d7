/** Where a rollout goes: waves of regions, in order. */

/** One wave: regions that roll out together, after every earlier wave passed. */
export interface Wave {
  /** 1-based, in the order the file lists it. */
  number: number;
  regions: string[];
  /** The GitHub environment of the wave's deploy job (its approvals and secrets), if any. */
  environment?: string;
  /** The IAM role the wave's deploy job assumes (a deploy role trusts only its environment), if any. */
  role?: string;
  /** Region to the base URL its smoke test goes through (a CDN or DNS name in front of it), for some of its regions. */
  smokeUrls?: Record<string, string>;
  /** Region to the stack parameter file of its own (a path in the caller's repository), for some of its regions. */
  parameterFiles?: Record<string, string>;
}

/** The rollout's targets; the home region (the first region of the first wave) is where the bake runs. */
export interface Targets {
  /** Where the targets came from: the file's path, or the flag that gave them. */
  source: string;
  home: string;
  waves: Wave[];
}

/** Every region of `targets`, in wave order, the home region first. */
export function allRegions(targets: Targets): string[] {
  return targets.waves.flatMap((wave) => wave.regions);
}
