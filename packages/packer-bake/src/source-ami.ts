/**
 * The base image a bake starts from, resolved the way Packer resolves an
 * amazon-ebs `source_ami_filter` (filters, owners, most_recent), before
 * deciding to skip: a patched base image is a new source AMI id, so a new
 * fingerprint and a rebake.
 */
import { readFile } from 'node:fs/promises';
import { EC2Client, paginateDescribeImages, type Filter } from '@aws-sdk/client-ec2';
import type { Context } from '@img-mgr/kernel';

/** A `source_ami_filter` as written in the template, with variables substituted. */
export interface SourceAmiFilter {
  filters: Record<string, string>;
  owners: string[];
  mostRecent: boolean;
}

/** What the template builds from: a literal `source_ami`, a filter, or nothing found. */
export type SourceAmiSpec =
  { kind: 'literal'; amiId: string } | { kind: 'filter'; filter: SourceAmiFilter } | { kind: 'none' };

/**
 * Where a template setting's value comes from: bake-ami's `variables`, a
 * var file, the variable's default, or the template itself.
 */
export type ValueOrigin =
  { kind: 'variables' } | { kind: 'var-file'; file: string } | { kind: 'default' } | { kind: 'template' };

/** A setting of the template with variables substituted, and the variable that feeds it (when one does). */
export interface ResolvedValue {
  value: string;
  variable?: string;
  origin: ValueOrigin;
}

/** The template's config files, and a resolver of `var.NAME` against `variables`, the var files and defaults. */
interface TemplateValues {
  texts: { file: string; text: string }[];
  resolve: (raw: string) => ResolvedValue;
}

/**
 * Reads the template's files and var files once. `var.NAME` values are taken
 * from `variables`, then the var files (the last that sets it), then the
 * variable's default; a reference none of them sets stays as written.
 */
async function readTemplateValues(
  configFiles: string[],
  variables: Record<string, string>,
  varFiles: string[],
): Promise<TemplateValues> {
  const texts = await Promise.all(configFiles.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  const fileValues: Record<string, { value: string; file: string }> = {};
  for (const file of varFiles) {
    for (const [name, value] of Object.entries(varFileValues(await readFile(file, 'utf8'))))
      fileValues[name] = { value, file };
  }
  const defaults: Record<string, string> = {};
  for (const { file, text } of texts)
    Object.assign(defaults, file.endsWith('.json') ? jsonVariableDefaults(text) : variableDefaults(text));
  const resolve = (raw: string): ResolvedValue => {
    const trimmed = raw.trim();
    const name =
      /^var\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(trimmed)?.[1] ?? /^\{\{\s*user\s+`([^`]+)`\s*\}\}$/.exec(trimmed)?.[1];
    if (!name) return { value: raw, origin: { kind: 'template' } };
    const given = variables[name];
    if (given !== undefined) return { value: given, variable: name, origin: { kind: 'variables' } };
    const fromFile = fileValues[name];
    if (fromFile) return { value: fromFile.value, variable: name, origin: { kind: 'var-file', file: fromFile.file } };
    const fallback = defaults[name];
    if (fallback !== undefined) return { value: fallback, variable: name, origin: { kind: 'default' } };
    return { value: raw, variable: name, origin: { kind: 'template' } };
  };
  return { texts, resolve };
}

/**
 * Reads the first `source_ami_filter` (or `source_ami`) of the template's
 * HCL or JSON files. `var.NAME` values are taken from `variables`, then the
 * var files, then the variable's default.
 */
export async function readSourceAmiSpec(
  configFiles: string[],
  variables: Record<string, string>,
  varFiles: string[],
): Promise<SourceAmiSpec> {
  const { texts, resolve } = await readTemplateValues(configFiles, variables, varFiles);
  const value = (raw: string): string => resolve(raw).value;
  for (const { file, text } of texts) {
    const spec = file.endsWith('.json') ? jsonSourceAmi(text) : hclSourceAmi(text);
    if (spec.kind === 'literal') return { kind: 'literal', amiId: value(spec.amiId) };
    if (spec.kind === 'filter') {
      const { filters, owners, mostRecent } = spec.filter;
      return {
        kind: 'filter',
        filter: {
          filters: Object.fromEntries(Object.entries(filters).map(([key, raw]) => [key, value(raw)])),
          owners: owners.map(value),
          mostRecent,
        },
      };
    }
  }
  return { kind: 'none' };
}

/** One option of an amazon-ebs source, resolved. */
export interface SourceOption extends ResolvedValue {
  option: string;
}

/**
 * The top-level `options` of every amazon-ebs source (HCL `source
 * "amazon-ebs"` blocks, JSON builders of that type) that are a string or a
 * variable reference, resolved like `readSourceAmiSpec` does; duplicates
 * (the same option and value in two sources) once.
 */
export async function readSourceOptions(
  configFiles: string[],
  variables: Record<string, string>,
  varFiles: string[],
  options: readonly string[],
): Promise<SourceOption[]> {
  const { texts, resolve } = await readTemplateValues(configFiles, variables, varFiles);
  const found = new Map<string, SourceOption>();
  for (const { file, text } of texts) {
    const sources = file.endsWith('.json') ? jsonAmazonEbsOptions(text, options) : hclAmazonEbsOptions(text, options);
    for (const { option, raw } of sources) {
      const resolved = { option, ...resolve(raw) };
      found.set(`${option}=${resolved.value}`, resolved);
    }
  }
  return [...found.values()];
}

/** `option = "literal"` or `option = var.NAME` lines at the top level of each `source "amazon-ebs"` block. */
export function hclAmazonEbsOptions(text: string, options: readonly string[]): { option: string; raw: string }[] {
  const found: { option: string; raw: string }[] = [];
  for (const match of text.matchAll(/^\s*source\s+"amazon-ebs"\s+"[^"]*"\s*\{/gm)) {
    const body = topLevel(blockBody(text.slice(match.index), /\{/) ?? '');
    for (const option of options) {
      const line = new RegExp(
        `^\\s*${option}\\s*=\\s*(?:"([^"]*)"|(var\\.[A-Za-z0-9_-]+))\\s*(?:#.*|//.*)?$`,
        'm',
      ).exec(body);
      if (line) found.push({ option, raw: line[1] ?? line[2] ?? '' });
    }
  }
  return found;
}

/** String `options` of a legacy JSON template's amazon-ebs builders. */
function jsonAmazonEbsOptions(text: string, options: readonly string[]): { option: string; raw: string }[] {
  let parsed: { builders?: Record<string, unknown>[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return [];
  }
  const found: { option: string; raw: string }[] = [];
  for (const builder of parsed.builders ?? []) {
    if (builder.type !== 'amazon-ebs') continue;
    for (const option of options) {
      const raw = builder[option];
      if (typeof raw === 'string') found.push({ option, raw });
    }
  }
  return found;
}

/** The `source_ami_filter { filters = {...} owners = [...] most_recent = ... }` block of an HCL file. */
export function hclSourceAmi(text: string): SourceAmiSpec {
  const body = blockBody(text, /^\s*source_ami_filter\s*\{/m);
  if (body !== undefined) {
    const filtersBody = blockBody(body, /^\s*filters\s*=\s*\{/m) ?? '';
    const filters: Record<string, string> = {};
    for (const match of filtersBody.matchAll(
      /^\s*"?([A-Za-z0-9:_.-]+)"?\s*=\s*(?:"([^"]*)"|(var\.[A-Za-z0-9_-]+))/gm,
    )) {
      if (match[1]) filters[match[1]] = match[2] ?? match[3] ?? '';
    }
    const ownersText = /^\s*owners\s*=\s*\[([^\]]*)\]/m.exec(body)?.[1] ?? '';
    const owners = [...ownersText.matchAll(/"([^"]*)"|(var\.[A-Za-z0-9_-]+)/g)].map(
      (match) => match[1] ?? match[2] ?? '',
    );
    const mostRecent = /^\s*most_recent\s*=\s*true\b/m.test(body);
    return { kind: 'filter', filter: { filters, owners, mostRecent } };
  }
  const literal = /^\s*source_ami\s*=\s*(?:"([^"]*)"|(var\.[A-Za-z0-9_-]+))/m.exec(text);
  if (literal) return { kind: 'literal', amiId: literal[1] ?? literal[2] ?? '' };
  return { kind: 'none' };
}

/** A legacy JSON template's first builder with `source_ami_filter` or `source_ami`. */
export function jsonSourceAmi(text: string): SourceAmiSpec {
  let parsed: { builders?: Record<string, unknown>[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return { kind: 'none' };
  }
  for (const builder of parsed.builders ?? []) {
    const filter = builder.source_ami_filter as
      { filters?: Record<string, unknown>; owners?: unknown[]; most_recent?: unknown } | undefined;
    if (filter) {
      return {
        kind: 'filter',
        filter: {
          filters: Object.fromEntries(Object.entries(filter.filters ?? {}).map(([key, raw]) => [key, String(raw)])),
          owners: (filter.owners ?? []).map(String),
          mostRecent: filter.most_recent === true || filter.most_recent === 'true',
        },
      };
    }
    if (typeof builder.source_ami === 'string') return { kind: 'literal', amiId: builder.source_ami };
  }
  return { kind: 'none' };
}

/**
 * The AMI id Packer would start from: DescribeImages with the filter's
 * filters and owners, newest by CreationDate. Undefined when none matches.
 */
export async function resolveSourceAmi(
  filter: SourceAmiFilter,
  region: string,
  context: Context,
): Promise<string | undefined> {
  const filters: Filter[] = Object.entries(filter.filters).map(([Name, value]) => ({ Name, Values: [value] }));
  const owners = filter.owners.length > 0 ? { Owners: filter.owners } : {};
  const client = context.clients.get(EC2Client, region);
  let newest: { id: string; created: string } | undefined;
  for await (const page of paginateDescribeImages({ client }, { Filters: filters, ...owners })) {
    context.signal.throwIfAborted();
    for (const image of page.Images ?? []) {
      if (!image.ImageId) continue;
      const created = image.CreationDate ?? '';
      if (!newest || created > newest.created || (created === newest.created && image.ImageId > newest.id))
        newest = { id: image.ImageId, created };
    }
  }
  return newest?.id;
}

/** A one-line description of a filter, for logs and the fingerprint. */
export function describeFilter(filter: SourceAmiFilter): string {
  const filters = Object.keys(filter.filters)
    .sort()
    .map((key) => `${key}=${filter.filters[key] ?? ''}`)
    .join(',');
  return `filters[${filters}] owners[${[...filter.owners].sort().join(',')}] most_recent=${filter.mostRecent}`;
}

/** `required_plugins` entries: `name source version-constraint`, sorted. */
export function pluginConstraints(text: string): string[] {
  const body = blockBody(text, /^\s*required_plugins\s*\{/m);
  if (body === undefined) return [];
  const plugins: string[] = [];
  for (const match of body.matchAll(/^\s*([A-Za-z0-9_-]+)\s*=\s*\{([^}]*)\}/gm)) {
    const version = /version\s*=\s*"([^"]*)"/.exec(match[2] ?? '')?.[1] ?? '';
    const source = /source\s*=\s*"([^"]*)"/.exec(match[2] ?? '')?.[1] ?? '';
    plugins.push(`${match[1] ?? ''} ${source} ${version}`);
  }
  return plugins.sort();
}

/** `name = "value"` lines of a .pkrvars.hcl file (strings, numbers, booleans). */
function varFileValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const match of text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([^\s#[{]+))/gm)) {
    if (match[1]) values[match[1]] = match[2] ?? match[3] ?? '';
  }
  return values;
}

/** String defaults of `variable "name" { default = "value" }` blocks. */
function variableDefaults(text: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const match of text.matchAll(/^\s*variable\s+"([^"]+)"\s*\{/gm)) {
    const body = blockBody(text.slice(match.index), /\{/) ?? '';
    const value = /^\s*default\s*=\s*"([^"]*)"/m.exec(body)?.[1];
    if (match[1] && value !== undefined) defaults[match[1]] = value;
  }
  return defaults;
}

/** String defaults of a legacy JSON template's `variables` block. */
function jsonVariableDefaults(text: string): Record<string, string> {
  try {
    const parsed = JSON.parse(text) as { variables?: Record<string, unknown> };
    return Object.fromEntries(
      Object.entries(parsed.variables ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** `body` without its nested blocks' contents, so that a nested block's `kms_key_id` is not taken for the source's. */
function topLevel(body: string): string {
  let depth = 0;
  let kept = '';
  for (const char of body) {
    if (char === '{') depth++;
    if (depth === 0) kept += char;
    if (char === '}') depth = Math.max(0, depth - 1);
  }
  return kept;
}

/** The text between the `{` that `opening` ends with and its matching `}` (no special case for strings, comments). */
function blockBody(text: string, opening: RegExp): string | undefined {
  const match = opening.exec(text);
  if (!match) return undefined;
  const start = match.index + match[0].length;
  let depth = 1;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(start, index);
  }
  return undefined;
}
