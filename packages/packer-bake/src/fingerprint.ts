/**
 * The bake fingerprint: what an AMI was baked from. Two bakes with the same
 * fingerprint produce the same image, so the second one can be skipped.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Context } from '@img-mgr/kernel';
import { resolvePacker, type PackerBinary } from './binary.js';
import { checkRequest, requestPaths, type BakeRequest } from './request.js';
import { describeFilter, pluginConstraints, readSourceAmiSpec, resolveSourceAmi } from './source-ami.js';
import { checkAgainstTemplate, inspectTemplate, type TemplateInfo } from './template.js';

export interface FingerprintInput {
  /** The template's files (absolute) and the folder they are relative to. */
  templateFiles: string[];
  templateRoot: string;
  /** Variables given to Packer by the user (not the ones bake-ami adds). */
  variables: Record<string, string>;
  /** Variable files, in the order Packer reads them (order matters). */
  varFiles: string[];
  /** The application revision baked in, e.g. a commit SHA. */
  appRevision?: string;
  only?: string[];
  except?: string[];
  /**
   * The base image the build starts from: the AMI id Packer's
   * source_ami_filter resolves to now (a patched base image changes it).
   */
  sourceAmi?: string;
  /** The Packer version that bakes (a new Packer can bake a different image). */
  packerVersion?: string;
  /** `required_plugins` entries (name, source, version constraint). */
  plugins?: string[];
}

/** Format version: bump it when what goes into the fingerprint changes. */
export const FINGERPRINT_FORMAT = 'bake-ami-fingerprint-v2';

/**
 * sha256 (hex) over the template files (sorted relative paths and their
 * contents), the variables (sorted), the var-file contents (in order), the
 * app revision, the build selection, the resolved source AMI, the Packer
 * version and the plugin constraints.
 */
export async function computeFingerprint(input: FingerprintInput): Promise<string> {
  const hash = createHash('sha256');
  const field = (name: string, value: string | Buffer): void => {
    // Length-prefixed fields, so no two different inputs hash the same text.
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    hash.update(`${name}:${bytes.length}:`);
    hash.update(bytes);
    hash.update('\n');
  };
  field('version', FINGERPRINT_FORMAT);
  const files = input.templateFiles
    .map((file) => ({ file, name: relative(input.templateRoot, file).split('\\').join('/') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { file, name } of files) {
    field('template-file', name);
    field('template-content', await readFile(file));
  }
  for (const key of Object.keys(input.variables).sort()) field('variable', `${key}=${input.variables[key] ?? ''}`);
  for (const file of input.varFiles) field('var-file', await readFile(file));
  field('app-revision', input.appRevision ?? '');
  field('only', [...(input.only ?? [])].sort().join(','));
  field('except', [...(input.except ?? [])].sort().join(','));
  field('source-ami', input.sourceAmi ?? '');
  field('packer-version', input.packerVersion ?? '');
  field('plugins', [...(input.plugins ?? [])].sort().join(';'));
  return hash.digest('hex');
}

/** A bake's fingerprint and what it was computed from, for the bake that follows. */
export interface BakeFingerprint {
  fingerprint: string;
  template: TemplateInfo;
  /** The template's Packer config files (`*.pkr.hcl`, `*.pkr.json`, a legacy `.json`). */
  configFiles: string[];
  /** The var files, absolute. */
  varFiles: string[];
  /** The Packer on PATH, when the request asks for it (its version is part of the fingerprint). */
  packer?: PackerBinary;
}

/**
 * The fingerprint of a bake request: reads the template (and checks the
 * request), then what the build depends on beyond its files: the source
 * AMI its filter resolves to now, the Packer that bakes, the plugins it may
 * use. One DescribeImages call when the template has a source_ami_filter.
 */
export async function bakeFingerprint(request: BakeRequest, context: Context): Promise<BakeFingerprint> {
  const paths = requestPaths(request);
  const template = await inspectTemplate(paths.template);
  const { varFiles } = paths;
  await checkRequest(request, varFiles);
  checkAgainstTemplate(request, template);
  const configFiles = template.files.filter(
    (file) => /\.pkr\.(hcl|json)$/.test(file) || (template.kind === 'json' && file.endsWith('.json')),
  );
  const packer = request.packerVersion === 'path' ? await resolvePacker({ version: 'path' }, context) : undefined;
  const packerVersion = packer?.version ?? request.packerVersion;
  const sourceAmi = await sourceAmiOf(configFiles, request, varFiles, context);
  const hclFiles = configFiles.filter((file) => file.endsWith('.hcl'));
  const plugins = (
    await Promise.all(hclFiles.map(async (file) => pluginConstraints(await readFile(file, 'utf8'))))
  ).flat();
  const fingerprint = await computeFingerprint({
    templateFiles: template.files,
    templateRoot: template.root,
    variables: request.variables,
    varFiles,
    ...(request.appRevision ? { appRevision: request.appRevision } : {}),
    only: request.only,
    except: request.except,
    sourceAmi,
    packerVersion,
    plugins,
  });
  context.log.info(
    `Fingerprint ${fingerprint} (${template.files.length} template file(s), ` +
      `${Object.keys(request.variables).length} variable(s), ${varFiles.length} var-file(s), ` +
      `app revision ${request.appRevision || 'none'}, source AMI ${sourceAmi || 'none'}, Packer ${packerVersion}, ` +
      `plugins ${plugins.join('; ') || 'none'})`,
  );
  return { fingerprint, template, configFiles, varFiles, ...(packer ? { packer } : {}) };
}

/**
 * The source AMI id the template's source_ami_filter resolves to in the
 * build region now (or its literal source_ami); '' when the template names
 * none. A filter that matches nothing is noted in the fingerprint and left
 * for Packer to report.
 */
async function sourceAmiOf(
  configFiles: string[],
  request: BakeRequest,
  varFiles: string[],
  context: Context,
): Promise<string> {
  const spec = await readSourceAmiSpec(configFiles, request.variables, varFiles);
  if (spec.kind === 'none') return '';
  if (spec.kind === 'literal') return spec.amiId;
  const described = describeFilter(spec.filter);
  const resolved = await resolveSourceAmi(spec.filter, request.region, context);
  if (!resolved) {
    context.log.warn(`source_ami_filter ${described} matches no AMI in ${request.region}; Packer will report it`);
    return `unresolved ${described}`;
  }
  context.log.info(`Source AMI ${resolved}: the newest match of source_ami_filter ${described} in ${request.region}`);
  return resolved;
}
