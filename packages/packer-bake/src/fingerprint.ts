/**
 * The bake fingerprint: what an AMI was baked from. Two bakes with the same
 * fingerprint produce the same image, so the second one can be skipped.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

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
