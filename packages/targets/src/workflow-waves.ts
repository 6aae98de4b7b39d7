/**
 * The targets as a GitHub workflow can use them. A workflow's jobs are fixed
 * when it is written, so the reusable workflow has MAX_WAVES wave jobs, each
 * one job for all its wave's regions (none: the job is skipped); these are the
 * values of the step outputs that feed them, as JSON data, never as text to
 * paste into a script.
 */
import { allRegions, type Targets } from './targets.js';
import { MAX_WAVES } from './targets-file.js';

export interface WorkflowWave {
  /** JSON array of the wave's regions (`[]` for a wave job with no wave). */
  regions: string;
  /** The wave's GitHub environment ('' for none). */
  environment: string;
  /** The IAM role the wave's job assumes ('' for the workflow's role-to-assume). */
  role: string;
  /** JSON object of region to the base URL its smoke test goes through (`{}` for none: each stack's Url). */
  smokeUrls: string;
  /** JSON object of region to its own stack parameter file (`{}` for none: the workflow's parameter-file). */
  parameterFiles: string;
}

export interface WorkflowTargets {
  home: string;
  /** JSON array of every region but the home region: where the bake's AMI is copied. */
  copyRegions: string;
  /** JSON array of every region, in wave order. */
  regions: string;
  waveCount: number;
  /** Exactly MAX_WAVES entries, the unused ones empty. */
  waves: WorkflowWave[];
}

export function workflowTargets(targets: Targets): WorkflowTargets {
  const regions = allRegions(targets);
  return {
    home: targets.home,
    copyRegions: JSON.stringify(regions.filter((region) => region !== targets.home)),
    regions: JSON.stringify(regions),
    waveCount: targets.waves.length,
    waves: Array.from({ length: MAX_WAVES }, (_, index) => {
      const wave = targets.waves[index];
      return {
        regions: JSON.stringify(wave?.regions ?? []),
        environment: wave?.environment ?? '',
        role: wave?.role ?? '',
        smokeUrls: JSON.stringify(wave?.smokeUrls ?? {}),
        parameterFiles: JSON.stringify(wave?.parameterFiles ?? {}),
      };
    }),
  };
}

/** One region as targets: the reusable workflow without a targets file, exactly as before. */
export function singleRegion(region: string, environment: string): Targets {
  return {
    source: 'aws-region',
    home: region,
    waves: [{ number: 1, regions: [region], ...(environment ? { environment } : {}) }],
  };
}
