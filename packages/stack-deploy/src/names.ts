/** Stack and change-set names. */
import { InvalidRequestError, quoteWhole } from '@img-mgr/kernel';

/** CloudFormation's stack-name rule. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** Throws an InvalidRequestError on `stackName` when `name` is not a valid stack name. */
export function checkStackName(name: string): string {
  if (!STACK_NAME.test(name)) {
    throw new InvalidRequestError(
      'stackName',
      `has an invalid value ${quoteWhole(name)}: ` +
        'a stack name starts with a letter and has only letters, digits and hyphens (at most 128)',
    );
  }
  return name;
}

/**
 * A reference to the KMS key that encrypts launched instances' volumes: a key
 * id (mrk- for a multi-Region key), alias/NAME, or a key or alias ARN.
 */
export const KMS_KEY_REFERENCE = new RegExp(
  String.raw`^(?:(?:mrk-)?[0-9a-fA-F-]{32,40}|alias\/[\w/-]{1,250}|` +
    String.raw`arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/[\w/-]+)$`,
);

/** CloudFormation's change-set-name rule. */
export const CHANGE_SET_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * A change-set name unique per workflow run and attempt (so concurrent runs
 * never collide, unlike a fixed `<stack>-CS`), plus a time suffix so that one
 * run deploying the same stack twice does not collide either.
 */
export function changeSetName(
  run: { runId?: string | undefined; runAttempt?: string | undefined },
  now = Date.now(),
): string {
  const clean = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '');
  const runPart = run.runId ? `r${clean(run.runId)}-a${clean(run.runAttempt ?? '1') || '1'}` : 'local';
  return `deploy-${runPart}-${now.toString(36)}`.slice(0, 128);
}

/** The capabilities a deploy may acknowledge. */
export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/**
 * What the img-mgr templates need (they create IAM roles with names): the
 * default of deploy-stack's `capabilities` input, and what the CLI sends.
 */
export const IAM_CAPABILITIES: readonly (typeof CAPABILITIES)[number][] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

/** Throws an InvalidRequestError on `capabilities` when one is not a capability CloudFormation knows. */
export function checkCapabilities(capabilities: readonly string[]): string[] {
  const unknown = capabilities.find((capability) => !(CAPABILITIES as readonly string[]).includes(capability));
  if (unknown)
    throw new InvalidRequestError('capabilities', `has ${quoteWhole(unknown)}; use ${CAPABILITIES.join(', ')}`);
  return [...capabilities];
}
