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
export { computeFingerprint, FINGERPRINT_FORMAT, type FingerprintInput } from './fingerprint.js';
export { readSourceAmiSpec, readSourceOptions, hclAmazonEbsOptions, resolveSourceAmi, hclSourceAmi, jsonSourceAmi, describeFilter, pluginConstraints, type SourceAmiFilter, type SourceAmiSpec, type SourceOption, type ResolvedValue, type ValueOrigin } from './source-ami.js';
export { findBakedAmi, findBakedCopies, tagBakedRegions, createEc2Client, FINGERPRINT_TAG, RUN_ID_TAG, REGIONS_TAG, type BakedAmi } from './images.js';
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
export { preflightTemplate, checkSettings, keyProblem, settingSource, PreflightError, PREFLIGHT_OPTIONS, type PreflightOptions } from './preflight.js';
