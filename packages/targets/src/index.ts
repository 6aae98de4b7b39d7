export { allRegions, type Targets, type Wave } from './targets.js';
export { TargetsError } from './targets-error.js';
export { parseTargetsFile, MAX_REGIONS, MAX_WAVES } from './targets-file.js';
export { parseRegionsList } from './regions-flag.js';
export { workflowTargets, singleRegion, type WorkflowTargets, type WorkflowWave } from './workflow-waves.js';
