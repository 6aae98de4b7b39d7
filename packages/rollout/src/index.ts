/**
 * @img-mgr/rollout: watching a rollout through the front door, free of
 * `@actions/*`. The revision file the app serves, the smoke test that the
 * workflow, the CLI and the tests share, and the rollout timeline.
 */
export {
  REVISION_FILE_NAME,
  REVISION_FILE_PATH,
  MAX_REVISION_FILE_BYTES,
  RevisionFileError,
  parseRevisionFile,
  formatRevisionFile,
  shortRevision,
  type RevisionFile,
} from './revision-file.js';
export {
  runSmokeTest,
  SmokeTestError,
  UPLOAD_PAGE_HEADING,
  SMOKE_OBJECT_PREFIX,
  SMOKE_OBJECT_KEY_PATTERN,
  UPLOAD_KEY_PREFIX,
  DEFAULT_SAMPLES,
  DEFAULT_INTERVAL_MS,
  MISSING_REVISION,
  uploadKey,
  type SmokeTestRequest,
  type SmokeTestContext,
  type SmokeTestResult,
  type SmokeCheck,
} from './smoke-test.js';
export {
  buildTimeline,
  stackEntries,
  autoScalingLine,
  renderTimelineMarkdown,
  renderTimelineText,
  escapeMarkdown,
  type Timeline,
  type TimelineEntry,
  type TimelineStep,
  type RolloutObservations,
  type StackEventLike,
  type BakeObservation,
  type PublishObservation,
  type SmokeObservation,
  type RevertObservation,
} from './timeline.js';
