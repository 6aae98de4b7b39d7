/**
 * @img-mgr/packer-bake: Packer builds of AMIs. Every operation takes the
 * kernel's `Context` (log, signal, env, AWS clients) and reads nothing global.
 */
export { bakeAmi, type BakeOptions, type BakeResult, type BakeEvent } from './bake.js';
export { BAKE_VARIABLES, newRunId, type BakeRequest } from './request.js';
export { PackerError, type PackerEvent, type PackerStep, type TemporaryResource } from './packer-steps.js';
export {
  bakeFingerprint,
  computeFingerprint,
  FINGERPRINT_FORMAT,
  type BakeFingerprint,
  type FingerprintInput,
} from './fingerprint.js';
export {
  readSourceAmiSpec,
  readSourceOptions,
  hclAmazonEbsOptions,
  resolveSourceAmi,
  hclSourceAmi,
  jsonSourceAmi,
  describeFilter,
  pluginConstraints,
  type SourceAmiFilter,
  type SourceAmiSpec,
  type SourceOption,
  type ResolvedValue,
  type ValueOrigin,
} from './source-ami.js';
export {
  findBakedAmi,
  findBakedCopies,
  tagBakedRegions,
  FINGERPRINT_TAG,
  RUN_ID_TAG,
  REGIONS_TAG,
  type BakedAmi,
  type BakedAmiQuery,
} from './images.js';
export { sweepRunLeftovers, type SweepRequest, type SweepResult, type RunResources } from './sweep.js';
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
  type PackerRequest,
  type InstallOptions,
  type ToolCache,
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
export { preflightTemplate, checkSettings, keyProblem, PREFLIGHT_OPTIONS, type PreflightRequest } from './preflight.js';
export {
  chooseSubnet,
  publicSubnetOf,
  subnetVariables,
  SUBNET_VARIABLES,
  type SubnetChoice,
  type SubnetRequest,
} from './subnet.js';
export { copyBakedAmi, COPIED_TAG_KEYS, type CopyRequest, type CopyOptions, type RegionCopy } from './copy-image.js';
