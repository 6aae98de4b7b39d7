/**
 * Syntax rules of what publish-ami writes, checked before any AWS call.
 * Each function returns the problem as a phrase ("is longer than …") or
 * undefined when the value is fine, so that the caller (action or CLI) can
 * name its own input in the message. The label rules are in labels.ts.
 * This module loads no AWS SDK.
 */
import { quoteWhole } from '@img-mgr/kernel';
import { labelProblem } from './labels.js';

/** ami- followed by 8 (old style) or 17 lowercase hex digits. */
export const AMI_ID_PATTERN = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Where pruning looks for other pointers (other environments' aws:ec2:image parameters). */
export const DEFAULT_REFERENCE_PATH = '/common/img-mgr';

/** How many of a pointer's newest versions pruning keeps restorable. */
export const DEFAULT_ROLLBACK_WINDOW = 5;

/** The problem with a parameter path (GetParametersByPath's Path), if any: / or a parameter name that starts with /. */
export function parameterPathProblem(path: string): string | undefined {
  if (path === '/') return undefined;
  if (!path.startsWith('/')) return `${quoteWhole(path)} is not a path; it must start with /`;
  return parameterNameProblem(path);
}

/** The SSM data types that make sense for an AMI pointer. */
export const DATA_TYPES = ['aws:ec2:image', 'text'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** The problem with an AMI id, if any. */
export function amiIdProblem(amiId: string): string | undefined {
  if (AMI_ID_PATTERN.test(amiId)) return undefined;
  return `${quoteWhole(amiId)} is not an AMI id (ami- followed by 8 or 17 lowercase hex digits)`;
}

/**
 * The problem with an SSM parameter name, if any. Rules (SSM user guide,
 * "Parameter name requirements"): letters, digits and _.-/ only; a name with
 * a / is a path and must start with one; at most 15 levels; at most 1011
 * characters; no empty level; the first level may not start with "aws" or
 * "ssm" in any case.
 */
export function parameterNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > 1011) return `is ${name.length} characters long; SSM allows 1011`;
  const bad = /[^A-Za-z0-9_.\-/]/.exec(name);
  if (bad) return `${quoteWhole(name)} contains '${bad[0]}'; a parameter name has only letters, digits and _ . - /`;
  if (name.includes('/') && !name.startsWith('/')) return `${quoteWhole(name)} is a path, so it must start with /`;
  const levels = name.split('/').slice(name.startsWith('/') ? 1 : 0);
  if (levels.some((level) => level === '')) return `${quoteWhole(name)} has an empty path level (// or a trailing /)`;
  if (levels.length > 15) return `${quoteWhole(name)} has ${levels.length} levels; SSM allows at most 15`;
  const first = (levels[0] ?? '').toLowerCase();
  if (first.startsWith('aws') || first.startsWith('ssm')) {
    return `${quoteWhole(name)} starts with '${first.slice(0, 3)}', a prefix SSM reserves`;
  }
  return undefined;
}

/** The problem with one tag, if any (AWS tag rules for SSM resources). */
export function tagProblem(key: string, value: string): string | undefined {
  const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  if (key.length === 0 || key.length > 128) return `has tag key ${quoteWhole(key)}; keys are 1 to 128 characters`;
  if (key.toLowerCase().startsWith('aws:')) return `has tag key ${quoteWhole(key)}; the aws: prefix is reserved`;
  if (!allowed.test(key)) return `has tag key ${quoteWhole(key)} with a character tags do not allow`;
  if (value.length > 256) return `has a value of ${value.length} characters for tag ${quoteWhole(key)}; SSM allows 256`;
  if (!allowed.test(value)) return `has a value for tag ${quoteWhole(key)} with a character tags do not allow`;
  return undefined;
}

/** The problem with a parameter description, if any. */
export function descriptionProblem(description: string): string | undefined {
  return description.length > 1024 ? `is ${description.length} characters long; SSM allows 1024` : undefined;
}

/**
 * What a publish-ami step writes: publish `targets`; roll back to `to`;
 * promote the AMI `from` holds; or write nothing (reject alone, prune alone).
 */
export const PUBLISH_AMI_MODES = ['publish', 'rollback', 'promote', 'reject', 'prune'] as const;
export type PublishAmiMode = (typeof PUBLISH_AMI_MODES)[number];

/** Where to roll back to. */
export type RollbackTarget =
  { kind: 'previous' } | { kind: 'version'; version: number } | { kind: 'label'; label: string };

/** Parses `previous`, a version number or a label; or the problem. */
export function parseRollbackTarget(text: string): { target?: RollbackTarget; problem?: string } {
  const value = text.trim();
  if (value === 'previous') return { target: { kind: 'previous' } };
  if (/^\d+$/.test(value)) {
    const version = Number(value);
    return version >= 1
      ? { target: { kind: 'version', version } }
      : { problem: 'must be previous, a version number (1 or more) or a label' };
  }
  const problem = labelProblem(value);
  if (problem) return { problem: `is not previous, a version number or a valid label: it ${problem}` };
  return { target: { kind: 'label', label: value } };
}
