/**
 * Renders a CloudFormation template the way CloudFormation would for one set
 * of parameters, far enough to read its IAM policies: the YAML short forms,
 * Ref, Fn::Sub, Fn::If with the template's Conditions, Fn::GetAtt of roles
 * and policies, Fn::Join/Select/Split, Fn::ImportValue (from the exports
 * given) and AWS::NoValue. Anything else throws,
 * so a template change the renderer does not understand fails loudly instead
 * of producing a policy CloudFormation would not.
 */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-west-2';
export const PARTITION = 'aws';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Marker for AWS::NoValue: dropped from lists and maps. */
const NO_VALUE = Symbol('AWS::NoValue');
type Value = Json | typeof NO_VALUE | Value[] | { [key: string]: Value };

const SHORT_FORMS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  If: 'Fn::If',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Base64: 'Fn::Base64',
  ImportValue: 'Fn::ImportValue',
  FindInMap: 'Fn::FindInMap',
  GetAZs: 'Fn::GetAZs',
};

/** The YAML tags `!Ref`, `!Sub`, ... as their long `{ "Fn::...": ... }` forms. */
function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [short, long] of Object.entries(SHORT_FORMS)) {
    const wrap = (value: unknown) => ({
      [long]: short === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
    });
    tags.push({ tag: `!${short}`, resolve: (value: string) => wrap(value) });
    tags.push({
      tag: `!${short}`,
      collection: 'seq',
      resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()),
    } as unknown as CollectionTag);
    tags.push({
      tag: `!${short}`,
      collection: 'map',
      resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()),
    } as unknown as CollectionTag);
  }
  return tags;
}

export interface Template {
  Parameters?: Record<string, { Type: string; Default?: string; AllowedPattern?: string; AllowedValues?: string[] }>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json }>;
  Rules?: Record<string, { RuleCondition?: Json; Assertions: { Assert: Json; AssertDescription?: string }[] }>;
}

/** Reads a template file (YAML with CloudFormation tags) as plain long-form JSON. */
export function loadTemplate(path: string): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags(), logLevel: 'silent' }) as Template;
}

export interface RenderOptions {
  stackName: string;
  parameters: Record<string, string>;
  /** Other stacks' exports, by export name, for Fn::ImportValue. */
  imports?: Record<string, string>;
}

export interface Rendered {
  stackName: string;
  /** Parameter values after defaults (lists split). */
  parameters: Record<string, string | string[]>;
  conditions: Record<string, boolean>;
  /** Resources whose Condition holds, with their properties resolved. */
  resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  outputs: Record<string, Json>;
  /** AssertDescription of every rule assertion that fails. */
  failedRules: string[];
}

/** Physical names CloudFormation would give: named resources keep their name, others get stack-logical-SUFFIX. */
function physicalName(
  stackName: string,
  logicalId: string,
  properties: Record<string, Value>,
  nameKey: string,
): string {
  const given = properties[nameKey];
  return typeof given === 'string' ? given : `${stackName}-${logicalId}-ABCDEF123456`;
}

/** Renders `template` for `options`; throws on any construct it does not know. */
export function renderTemplate(template: Template, options: RenderOptions): Rendered {
  const parameters: Record<string, string | string[]> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const raw = options.parameters[name] ?? spec.Default;
    if (raw === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (spec.AllowedPattern && !new RegExp(spec.AllowedPattern).test(raw))
      throw new Error(`parameter ${name}: '${raw}' does not match ${spec.AllowedPattern}`);
    if (spec.AllowedValues && !spec.AllowedValues.includes(raw))
      throw new Error(`parameter ${name}: '${raw}' is not one of ${spec.AllowedValues.join(', ')}`);
    parameters[name] = spec.Type === 'CommaDelimitedList' ? raw.split(',').map((item) => item.trim()) : raw;
  }
  for (const name of Object.keys(options.parameters)) {
    if (!(name in parameters)) throw new Error(`parameter ${name} is not declared by the template`);
  }
  const pseudo: Record<string, string> = {
    'AWS::AccountId': ACCOUNT_ID,
    'AWS::Region': REGION,
    'AWS::Partition': PARTITION,
    'AWS::StackName': options.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };

  const conditions: Record<string, boolean> = {};
  const resourceRaw = template.Resources;
  const refOf = (name: string): Value => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name] ?? '';
    if (name in parameters) return parameters[name] ?? '';
    const resource = resourceRaw[name];
    if (!resource) throw new Error(`Ref to unknown ${name}`);
    const props = (resource.Properties ?? {}) as Record<string, Value>;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return physicalName(options.stackName, name, resolveMap(props), 'RoleName');
      case 'AWS::IAM::ManagedPolicy':
        return attributeOf(name, 'PolicyArn');
      case 'AWS::IAM::OIDCProvider':
        return `arn:${PARTITION}:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
      default:
        return `${resource.Type}/${name}`;
    }
  };
  const attributeOf = (name: string, attribute: string): string => {
    const resource = resourceRaw[name];
    if (!resource) throw new Error(`GetAtt of unknown ${name}`);
    const props = resolveMap(resource.Properties ?? {});
    const path = typeof props.Path === 'string' ? props.Path : '/';
    if (resource.Type === 'AWS::IAM::Role' && attribute === 'Arn') {
      const roleName = physicalName(options.stackName, name, props, 'RoleName');
      return `arn:${PARTITION}:iam::${ACCOUNT_ID}:role${path}${roleName}`;
    }
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && attribute === 'PolicyArn') {
      const policyName = physicalName(options.stackName, name, props, 'ManagedPolicyName');
      return `arn:${PARTITION}:iam::${ACCOUNT_ID}:policy${path}${policyName}`;
    }
    throw new Error(`GetAtt ${name}.${attribute} is not rendered`);
  };
  const substitute = (text: string, variables: Record<string, Value>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_whole, key: string) => {
      if (key in variables) {
        const variable = variables[key];
        if (typeof variable !== 'string') throw new Error(`\${${key}} is not a string`);
        return variable;
      }
      if (key.includes('.')) {
        const [name = '', attribute = ''] = key.split('.');
        return attributeOf(name, attribute);
      }
      const value = refOf(key);
      if (typeof value !== 'string') throw new Error(`\${${key}} is not a string`);
      return value;
    });

  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      const expression = template.Conditions?.[name];
      if (expression === undefined) throw new Error(`unknown condition ${name}`);
      conditions[name] = truth(expression);
    }
    return conditions[name] ?? false;
  };
  const truth = (expression: Json): boolean => {
    const value = resolve(expression);
    if (typeof value !== 'boolean') throw new Error(`not a condition: ${JSON.stringify(expression)}`);
    return value;
  };

  function resolveMap(map: Record<string, Value>): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const [key, value] of Object.entries(map)) {
      const resolved = resolve(value as Json);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  function resolve(node: Json): Value {
    if (Array.isArray(node)) return node.map((item) => resolve(item)).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    const [key] = keys;
    if (keys.length === 1 && key && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))) {
      const arg = node[key] as Json;
      switch (key) {
        case 'Ref':
          return refOf(arg as string);
        case 'Condition':
          return condition(arg as string);
        case 'Fn::Sub': {
          if (typeof arg === 'string') return substitute(arg, {});
          const [text, variables] = arg as [string, Record<string, Json>];
          return substitute(text, resolveMap(variables));
        }
        case 'Fn::If': {
          const [name, yes, no] = arg as [string, Json, Json];
          return condition(name) ? resolve(yes) : resolve(no);
        }
        case 'Fn::GetAtt': {
          const [name, attribute] = arg as [string, string];
          return attributeOf(name, attribute);
        }
        case 'Fn::Join': {
          const [separator, items] = arg as [string, Json];
          return (resolve(items) as Value[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, items] = arg as [number | string, Json];
          return (resolve(items) as Value[])[Number(index)] ?? '';
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, Json];
          const value = resolve(text);
          if (typeof value !== 'string') throw new Error('Fn::Split of a value that is not a string');
          return value.split(separator);
        }
        case 'Fn::Equals': {
          const [left, right] = (arg as Json[]).map((item) => resolve(item));
          return JSON.stringify(left) === JSON.stringify(right);
        }
        case 'Fn::ImportValue': {
          const name = resolve(arg);
          if (typeof name !== 'string') throw new Error('Fn::ImportValue of a name that is not a string');
          const value = options.imports?.[name];
          if (value === undefined) throw new Error(`Fn::ImportValue: no export named ${name}`);
          return value;
        }
        case 'Fn::Not':
          return !truth((arg as Json[])[0] ?? null);
        case 'Fn::And':
          return (arg as Json[]).every(truth);
        case 'Fn::Or':
          return (arg as Json[]).some(truth);
        default:
          throw new Error(`${key} is not rendered`);
      }
    }
    return resolveMap(node);
  }

  const resources: Rendered['resources'] = {};
  for (const [name, resource] of Object.entries(resourceRaw)) {
    if (resource.Condition && !condition(resource.Condition)) continue;
    resources[name] = {
      Type: resource.Type,
      Properties: resolveMap(resource.Properties ?? {}) as Record<string, Json>,
    };
  }
  const outputs: Record<string, Json> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) outputs[name] = resolve(output.Value) as Json;
  const failedRules: string[] = [];
  for (const rule of Object.values(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && !truth(rule.RuleCondition)) continue;
    for (const assertion of rule.Assertions) {
      if (!truth(assertion.Assert)) failedRules.push(assertion.AssertDescription ?? JSON.stringify(assertion.Assert));
    }
  }
  return { stackName: options.stackName, parameters, conditions, resources, outputs, failedRules };
}

export interface PolicyDocument {
  Version: string;
  Statement: Record<string, Json>[];
}

/** A rendered role's inline policies, plus the AWS::IAM::Policy resources that name it. */
export function rolePolicies(rendered: Rendered, roleLogicalId: string): { name: string; policy: PolicyDocument }[] {
  const role = rendered.resources[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  const inline = (
    (role.Properties.Policies ?? []) as unknown as { PolicyName: string; PolicyDocument: PolicyDocument }[]
  ).map((p) => ({
    name: p.PolicyName,
    policy: p.PolicyDocument,
  }));
  const roleName = physicalRoleName(rendered, roleLogicalId);
  const attached = Object.values(rendered.resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && ((resource.Properties.Roles ?? []) as Json[]).includes(roleName),
    )
    .map((resource) => ({
      name: stringOf(resource.Properties.PolicyName, 'PolicyName'),
      policy: resource.Properties.PolicyDocument as unknown as PolicyDocument,
    }));
  return [...inline, ...attached];
}

/** The physical name of a rendered role. */
export function physicalRoleName(rendered: Rendered, roleLogicalId: string): string {
  const arn = roleArn(rendered, roleLogicalId);
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The ARN of a rendered role, path included. */
export function roleArn(rendered: Rendered, roleLogicalId: string): string {
  const role = rendered.resources[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  const path = typeof role.Properties.Path === 'string' ? role.Properties.Path : '/';
  const name =
    typeof role.Properties.RoleName === 'string'
      ? role.Properties.RoleName
      : `${rendered.stackName}-${roleLogicalId}-ABCDEF123456`;
  return `arn:${PARTITION}:iam::${ACCOUNT_ID}:role${path}${name}`;
}

/** The trust policy of a rendered role. */
export function trustPolicy(rendered: Rendered, roleLogicalId: string): PolicyDocument {
  const role = rendered.resources[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  return role.Properties.AssumeRolePolicyDocument as unknown as PolicyDocument;
}

/** A rendered value that must be a string (an output, a name). */
export function stringOf(value: Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/** A rendered output that must be a string. */
export function outputOf(rendered: Rendered, name: string): string {
  return stringOf(rendered.outputs[name], `output ${name}`);
}
