export {
  bakeAmi,
  newRunId,
  PackerError,
  BAKE_VARIABLES,
  type BakeRequest,
  type BakeOptions,
  type BakeResult,
  type BakeEvent,
  type TemporaryResource,
} from './bake.js';
export { computeFingerprint, type FingerprintInput } from './fingerprint.js';
export { findBakedAmi, createEc2Client, FINGERPRINT_TAG, RUN_ID_TAG, type BakedAmi } from './images.js';
export { sweepRunLeftovers, type SweepRequest, type SweepOptions, type SweepResult, type RunResources } from './sweep.js';
export {
  resolvePacker,
  installPacker,
  packerVersion,
  supportsInit,
  expectedChecksum,
  releasePlatform,
  RELEASES_URL,
  MIRROR_ENV,
  type PackerBinary,
  type InstallOptions,
} from './binary.js';
export { verifyDetachedSignature, SignatureError, type TrustedKey } from './signature.js';
export {
  MachineReadableParser,
  LineSplitter,
  parseRecord,
  unescapeField,
  buildOfUiText,
  type MachineRecord,
  type PackerArtifact,
  type UiLine,
  type ParserHandlers,
} from './machine-readable.js';
export { ArtifactCollector, parseAmiArtifactId, mergeAmis, type BuildResult } from './artifacts.js';
export { inspectTemplate, hclVariables, jsonVariables, type TemplateInfo } from './template.js';
export { runPacker, type PackerRun, type RunOptions } from './process.js';
export { writeManifest, type ManifestContent } from './manifest.js';
export { hasUrlCredentials, variableWithUrlCredentials, urlCredentialsProblem } from './credentials.js';
