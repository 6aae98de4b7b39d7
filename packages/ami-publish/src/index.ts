export { publishAmi, describeFailure, type PublishRequest, type PublishReport, type PublishTarget } from './publish.js';
export {
  rollbackAmi,
  prepareRollback,
  writeRollback,
  resolveRollbackTarget,
  RollbackTargetError,
  type RollbackRequest,
  type PreparedRollback,
} from './rollback.js';
export {
  earlierValues,
  readRejections,
  selectable,
  selectableAmis,
  type Rejections,
  type Selectable,
  type SelectableAmi,
} from './selection.js';
export {
  pruneAmis,
  planPrune,
  protectedAmis,
  type PruneRequest,
  type PruneReport,
  type PrunePlanEntry,
} from './prune.js';
export { findReferences, pointerReferences, addReference, type References, type ReferenceScope } from './references.js';
export { describePointer, type PointerStatus } from './describe.js';
export { ImageNotUsableError, waitForImage } from './images.js';
export { readPointer, type Pointer, type PointerVersion } from './pointer.js';
export { type RegionResult, type WriteSettings, type UnlabelledVersion } from './write.js';
export * from './validate.js';
export * from './labels.js';
export { promoteAmi, PromoteSourceError, type PromoteRequest } from './promote.js';
export {
  REJECTED_TAG_KEY,
  rejectAmi,
  rejectionOf,
  rejectionTag,
  RejectedImageError,
  type RejectRequest,
} from './rejected.js';
export { rejectFailedAmi, republishLiveBefore, RevertSupersededError, type RevertRequest } from './revert.js';
export {
  runPublishAmi,
  describeTarget,
  type PublishAmiRequest,
  type PublishAmiResult,
  type PruneSettings,
} from './run.js';
