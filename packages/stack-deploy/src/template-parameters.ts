/**
 * The template and its parameters as a deploy sends them: load and check the
 * template, upload a large one to S3, check the overrides against what the
 * template declares, and fill in UsePreviousValue.
 */
import { createHash } from 'node:crypto';
import { GetTemplateSummaryCommand, type Parameter, type Stack } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { asFieldError, InvalidRequestError, shorten } from '@img-mgr/kernel';
import type { DeployRequest } from './request.js';
import { noEchoFacts } from './secrets.js';
import type { Session } from './session.js';
import {
  MAX_TEMPLATE_BODY_BYTES,
  readTemplateFile,
  s3HttpsUrl,
  templateFacts,
  templateSyntaxProblem,
  type ParameterFacts,
  type TemplateSource,
} from './template-source.js';

/** TemplateBody or TemplateURL, as CreateChangeSet and CreateStack take them. */
export type TemplateArgs = { TemplateBody?: string; TemplateURL?: string };

export function loadTemplate(session: Session, source: TemplateSource): { body?: string; url?: string } {
  if (source.kind === 'url') return { url: source.url };
  const body = readTemplateFile(source.path);
  const problem = templateSyntaxProblem(body);
  if (problem) throw new InvalidRequestError('template', problem);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_TEMPLATE_BODY_BYTES && !session.request.templateBucket) {
    throw new InvalidRequestError(
      'template',
      `is ${bytes} bytes, over CloudFormation's inline limit of ${MAX_TEMPLATE_BODY_BYTES}; ` +
        'set template-bucket so the action can upload it to S3',
    );
  }
  return { body };
}

/** TemplateBody, or TemplateURL after uploading a large file. */
export async function templateArgs(
  session: Session,
  template: {
    body?: string;
    url?: string;
  },
): Promise<{ TemplateBody?: string; TemplateURL?: string }> {
  if (template.url) return { TemplateURL: template.url };
  const body = template.body ?? '';
  if (Buffer.byteLength(body) <= MAX_TEMPLATE_BODY_BYTES) return { TemplateBody: body };
  const bucket = session.request.templateBucket ?? '';
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const key = `cloudformation/${session.request.stackName}/${digest}.template`;
  session.log(
    `Template is ${Buffer.byteLength(body)} bytes (over ${MAX_TEMPLATE_BODY_BYTES}): ` +
      `uploading it to s3://${bucket}/${key}`,
  );
  await session
    .s3()
    .send(session.count(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain' })))
    .catch((error: unknown) => {
      throw asFieldError(error, 'templateBucket', 'could not take the template');
    });
  return { TemplateURL: s3HttpsUrl(bucket, key, session.request.region) };
}

/**
 * An override the template does not declare is an InvalidRequestError. An inline
 * item is named by its place: after an unquoted comma its "key" may be a
 * piece of the previous value.
 */
export function checkOverrides(session: Session, declared: Set<string>): void {
  const overrides: NonNullable<DeployRequest['parameters']> = session.request.parameters ?? new Map<string, string>();
  const unknown = [...overrides.keys()].filter((key) => !declared.has(key));
  if (unknown.length > 0) {
    const known = declared.size > 0 ? `it declares ${[...declared].join(', ')}` : 'it declares no parameters';
    const named = unknown.map((key) => overrides.places?.get(key) ?? `'${key}'`);
    throw new InvalidRequestError(
      'parameters',
      `sets a parameter the template does not declare at ${named.join('; ')} ` +
        `(${known}; quote a value that holds a comma)`,
    );
  }
}

/**
 * An override that breaks its parameter's AllowedValues or AllowedPattern is refused before any call (moto
 * does not check them; CloudFormation's own refusal names the parameter, not the input). The value is never
 * shown: it may be NoEcho.
 */
export function checkAllowed(session: Session, declared: ReadonlyMap<string, ParameterFacts>): void {
  const overrides: NonNullable<DeployRequest['parameters']> = session.request.parameters ?? new Map<string, string>();
  for (const [key, value] of overrides) {
    const facts = declared.get(key);
    if (!facts) continue;
    const where = `${key}${overrides.places?.get(key) ? ` (${overrides.places.get(key) ?? ''})` : ''}`;
    if (facts.allowedValues && !facts.allowedValues.includes(value)) {
      const allowed = facts.noEcho
        ? 'its AllowedValues'
        : `its AllowedValues (${shorten(facts.allowedValues.join(', '), 120)})`;
      throw new InvalidRequestError('parameters', `sets ${where} to a value that is not one of ${allowed}`);
    }
    if (facts.allowedPattern !== undefined && !matchesWhole(facts.allowedPattern, value)) {
      throw new InvalidRequestError('parameters', `sets ${where} to a value that does not match its AllowedPattern`);
    }
  }
}

/** CloudFormation matches AllowedPattern against the whole value; a pattern JavaScript cannot read is left to it. */
function matchesWhole(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return true;
  }
}

/** Hands every known NoEcho value to `log.secret`, before anything could print it. */
export function registerSecrets(session: Session, declared: ReadonlyMap<string, ParameterFacts>): void {
  session.noEcho = noEchoFacts(declared, session.request.parameters ?? new Map<string, string>());
  for (const value of session.noEcho.values) session.context.log.secret(value);
}

/**
 * The Parameters to send: every override, and for a parameter the overrides
 * leave unset, UsePreviousValue when an update's stack has it (a CREATE
 * change set never carries UsePreviousValue: CloudFormation rejects it, even
 * for a stack that an unexecuted change set left in REVIEW_IN_PROGRESS);
 * otherwise the template's Default. Unset with neither is bad input, named
 * before anything is sent.
 */
export function parameters(
  session: Session,
  declared: ReadonlyMap<string, Pick<ParameterFacts, 'hasDefault'>>,
  stack: Stack | undefined,
  changeSetType: 'CREATE' | 'UPDATE',
): Parameter[] {
  const overrides = session.request.parameters ?? new Map<string, string>();
  const previous = new Set(
    changeSetType === 'UPDATE' ? (stack?.Parameters ?? []).map((parameter) => parameter.ParameterKey) : [],
  );
  const result: Parameter[] = [];
  for (const key of declared.keys()) {
    const value = overrides.get(key);
    if (value !== undefined) result.push({ ParameterKey: key, ParameterValue: value });
    else if (previous.has(key)) result.push({ ParameterKey: key, UsePreviousValue: true });
  }
  requireValues(session, declared, previous, changeSetType);
  const kept = result.filter((parameter) => parameter.UsePreviousValue).map((parameter) => parameter.ParameterKey);
  if (kept.length > 0) session.log(`Parameters keeping their previous value: ${kept.join(', ')}`);
  return result;
}

/**
 * Throws InvalidRequestError naming each parameter that would reach
 * CloudFormation with no value at all: not overridden, no Default, and (an
 * update only) no previous value in `previous`.
 */
export function requireValues(
  session: Session,
  declared: ReadonlyMap<string, Pick<ParameterFacts, 'hasDefault'>>,
  previous: ReadonlySet<string | undefined>,
  changeSetType: 'CREATE' | 'UPDATE',
): void {
  const overrides = session.request.parameters ?? new Map<string, string>();
  const missing = [...declared]
    .filter(([key, facts]) => !facts.hasDefault && !overrides.has(key) && !previous.has(key))
    .map(([key]) => key);
  if (missing.length === 0) return;
  const why = changeSetType === 'CREATE' ? 'a new stack has no previous value' : 'the stack has no previous value';
  throw new InvalidRequestError(
    'parameters',
    `does not set ${missing.join(', ')}, which the template declares without a Default, ` +
      `and ${why} to keep; give ${missing.length === 1 ? 'it a value' : 'each a value'}`,
  );
}

/** The template's parameters: read locally when we have the text, else GetTemplateSummary (S3 or URL templates). */
export async function declaredParameters(
  session: Session,
  template: { body?: string; url?: string },
): Promise<Map<string, ParameterFacts>> {
  const facts = template.body === undefined ? undefined : templateFacts(template.body);
  if (facts) {
    session.outputExpressions = facts.outputs;
    session.resourceTypes = new Set(facts.resources.values());
    session.launchRoles = facts.launchRoles;
    return facts.parameters;
  }
  const input = template.url ? { TemplateURL: template.url } : { TemplateBody: template.body };
  // Nothing else here is the caller's: a refusal (an S3 URL that names no object, a body CloudFormation cannot
  // read) is about the template input.
  const summary = await session.cfn
    .send(session.count(new GetTemplateSummaryCommand(input)))
    .catch((error: unknown) => {
      throw asFieldError(error, 'template', 'cannot be read by CloudFormation');
    });
  session.resourceTypes = new Set(summary.ResourceTypes ?? []);
  const result = new Map<string, ParameterFacts>();
  for (const parameter of summary.Parameters ?? []) {
    if (!parameter.ParameterKey) continue;
    const hasDefault = parameter.DefaultValue !== undefined;
    result.set(parameter.ParameterKey, {
      hasDefault,
      ...(parameter.NoEcho ? { noEcho: hasDefault ? { defaultValue: parameter.DefaultValue } : {} } : {}),
    });
  }
  return result;
}
