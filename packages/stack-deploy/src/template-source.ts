/** The `template` input: a local file or an https/S3 URL, and what it declares. */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidRequestError, quoteWhole } from '@img-mgr/kernel';
import { parseDocument, type Tags } from 'yaml';

/** CloudFormation's limit for an inline TemplateBody. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export type TemplateSource = { kind: 'file'; path: string } | { kind: 'url'; url: string };

/**
 * Classifies the input: `https://…` and `s3://bucket/key` are URLs (an s3://
 * URL becomes the https form CloudFormation accepts); anything else is a path
 * that must exist.
 */
export function parseTemplateSource(text: string, options: { cwd: string; region: string }): TemplateSource {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  if (s3) return { kind: 'url', url: s3HttpsUrl(s3[1] ?? '', s3[2] ?? '', options.region) };
  if (/^https:\/\//.test(text)) return { kind: 'url', url: text };
  if (/^[a-z]+:\/\//i.test(text))
    throw new InvalidRequestError(
      'template',
      `has ${quoteWhole(text)}; use a file path, an https:// URL or an s3:// URL`,
    );
  const path = isAbsolute(text) ? text : resolve(options.cwd, text);
  let kind: 'file' | 'directory' | 'other' | undefined;
  try {
    const info = statSync(path);
    kind = info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch {
    // reported below
  }
  if (kind !== 'file') {
    // A FIFO or a device would block or never end the read: only a regular file is read.
    const what =
      kind === undefined ? 'does not exist' : kind === 'directory' ? 'is a directory' : 'is not a regular file';
    throw new InvalidRequestError('template', `names the file ${quoteWhole(text)}, which ${what}`);
  }
  return { kind: 'file', path };
}

/** The https URL of an S3 object, the form TemplateURL takes. */
export function s3HttpsUrl(bucket: string, key: string, region: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Reads a template file; one that cannot be read (permissions) is an error on the template, by its errno. */
export function readTemplateFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InvalidRequestError('template', `names the file ${quoteWhole(path)}, which cannot be read (${code})`);
  }
}

/**
 * Why a local template cannot be a CloudFormation template: it is neither
 * JSON nor YAML, or its top level is not a mapping. Undefined when it parses.
 */
export function templateSyntaxProblem(body: string): string | undefined {
  const document = parseDocument(body, { customTags: cfnTags, uniqueKeys: false, prettyErrors: false });
  const error = document.errors[0];
  if (error) return `is neither JSON nor YAML (${(error.message.split('\n')[0] ?? error.code).replace(/:$/, '')})`;
  const data: unknown = document.toJS({ maxAliasCount: -1 });
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return 'is not a template: its top level is not a mapping of sections';
  return undefined;
}

/** What the deploy needs to know of one template parameter. */
export interface ParameterFacts {
  hasDefault: boolean;
  /** Only set for NoEcho parameters, whose values must never be printed. */
  noEcho?: { defaultValue?: string };
  /** A String or Number parameter's AllowedValues and AllowedPattern, checked before any call. */
  allowedValues?: string[];
  allowedPattern?: string;
}

/** What a template declares that the deploy needs before calling AWS. */
export interface TemplateFacts {
  /** Parameter names with whether each has a default, and whether it is NoEcho (with its default, a secret too). */
  parameters: Map<string, ParameterFacts>;
  /** Logical id to resource type. */
  resources: Map<string, string>;
  /** Output key to its Value expression (JSON text), to see which outputs use a NoEcho parameter. */
  outputs: Map<string, string>;
  /** The service-linked role each Auto Scaling group launches through, by the group's logical id. */
  launchRoles: Map<string, LaunchRole>;
}

/**
 * An Auto Scaling group's ServiceLinkedRoleARN: unset (Auto Scaling's default role), a literal role ARN, or an
 * expression (Ref, Sub with variables, …) whose value is known only to CloudFormation.
 */
export type LaunchRole = { kind: 'default' } | { kind: 'arn'; arn: string } | { kind: 'expression' };

/**
 * Reads the Parameters and Resources sections of a JSON or YAML template
 * locally, which saves a GetTemplateSummary call. CloudFormation short-form
 * tags (!Ref, !Sub, …) are accepted without being evaluated. Returns
 * undefined when the text cannot be parsed (CloudFormation then judges it).
 */
export function templateFacts(body: string): TemplateFacts | undefined {
  const document = parseDocument(body, { customTags: cfnTags, uniqueKeys: false, prettyErrors: false });
  if (document.errors.length > 0) return undefined;
  const data = document.toJS({ maxAliasCount: -1 }) as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') return undefined;
  const parameters = new Map<string, ParameterFacts>();
  for (const [key, spec] of Object.entries((data.Parameters ?? {}) as Record<string, unknown>)) {
    const fields = spec !== null && typeof spec === 'object' ? (spec as Record<string, unknown>) : {};
    const facts: ParameterFacts = { hasDefault: 'Default' in fields };
    if (isTrue(fields.NoEcho)) facts.noEcho = 'Default' in fields ? { defaultValue: String(fields.Default) } : {};
    // Lists and AWS-specific types apply the rules per item: only plain String and Number values are checked here.
    if (fields.Type === 'String' || fields.Type === 'Number') {
      if (Array.isArray(fields.AllowedValues)) facts.allowedValues = fields.AllowedValues.map(String);
      if (typeof fields.AllowedPattern === 'string') facts.allowedPattern = fields.AllowedPattern;
    }
    parameters.set(key, facts);
  }
  const resources = new Map<string, string>();
  const launchRoles = new Map<string, LaunchRole>();
  for (const [key, spec] of Object.entries((data.Resources ?? {}) as Record<string, unknown>)) {
    const type = (spec as { Type?: unknown } | null)?.Type;
    resources.set(key, typeof type === 'string' ? type : '?');
    if (type === 'AWS::AutoScaling::AutoScalingGroup') launchRoles.set(key, launchRole(spec));
  }
  return { parameters, resources, outputs: outputExpressions(data.Outputs), launchRoles };
}

/**
 * The group's ServiceLinkedRoleARN. Short forms arrive as their plain values (`!Ref Role` as "Role"), so only a
 * string that is a whole IAM role ARN with no ${…} counts as literal; anything else is an expression.
 */
function launchRole(spec: unknown): LaunchRole {
  const properties = (spec as { Properties?: unknown } | null)?.Properties;
  const value =
    properties !== null && typeof properties === 'object'
      ? (properties as { ServiceLinkedRoleARN?: unknown }).ServiceLinkedRoleARN
      : undefined;
  if (value === undefined) return { kind: 'default' };
  const literal = typeof value === 'string' && /^arn:[a-z-]+:iam::\d{12}:role\/[^\s$]+$/.test(value);
  return literal ? { kind: 'arn', arn: value } : { kind: 'expression' };
}

/** CloudFormation reads NoEcho as a boolean or the strings "true"/"false". */
function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** Each output's Value expression as JSON text (short forms kept as their plain values). */
function outputExpressions(section: unknown): Map<string, string> {
  const result = new Map<string, string>();
  if (section === null || typeof section !== 'object') return result;
  for (const [key, spec] of Object.entries(section as Record<string, unknown>)) {
    const value = spec !== null && typeof spec === 'object' ? (spec as { Value?: unknown }).Value : undefined;
    result.set(key, JSON.stringify(value ?? null));
  }
  return result;
}

const SHORT_FORMS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Base64',
  'Cidr',
  'GetAZs',
  'ImportValue',
  'Condition',
  'Transform',
  'Length',
  'ToJsonString',
];
/** Accepts the short forms as plain values: only Parameters and resource types are read. */
const cfnTags: Tags = SHORT_FORMS.flatMap((name): Tags => [
  { tag: `!${name}`, resolve: (value: string) => value },
  { tag: `!${name}`, collection: 'seq', resolve: (value) => value },
  { tag: `!${name}`, collection: 'map', resolve: (value) => value },
]);
