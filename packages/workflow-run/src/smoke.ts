/**
 * The smoke step of a bake-and-deploy run: after deploy-stack (and after a
 * revert's redeploy), the one smoke test of @img-mgr/rollout against the
 * stack's front door. The stack's outputs name the site (`Url`, or the
 * caller's smoke-url in front of it) and the bucket the app uploads to
 * (`BucketName`); the AMI's app-revision tag names the revision that must
 * answer, so a bake, a rollback, a promote and a revert are checked alike.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  ActionError,
  InputError,
  awsErrorClass,
  errorMessage,
  formatDuration,
  parseDuration,
  type Context,
} from '@img-mgr/kernel';
import type { SmokeObservation } from '@img-mgr/rollout/timeline';
import { callerInputProblem } from './caller-inputs.js';

/** The stack output that names the site, as cloudformation/img-mgr.yaml writes it. */
export const URL_OUTPUT = 'Url';
/** The stack output that names the app's uploads bucket. */
export const BUCKET_OUTPUT = 'BucketName';
/** The AMI tag that records the app revision baked into it (packer/img-mgr.pkr.hcl). */
export const APP_REVISION_TAG = 'app-revision';
/** The default bound of one smoke test, in the duration grammar. */
export const DEFAULT_SMOKE_TIMEOUT = '5m';

/** What the smoke step is given, already read from its inputs. */
export interface SmokeStepRequest {
  /** false: the caller turned the smoke test off (smoke-test: false). */
  enabled: boolean;
  /** deploy-stack's outputs-json: the stack's outputs as one JSON object. */
  stackOutputsJson: string;
  /** The caller's smoke-url (a CDN or DNS name in front of the load balancer), or ''. */
  urlOverride: string;
  samples: string;
  timeout: string;
  /** The AMI the stack was deployed with; its app-revision tag must answer. */
  amiId: string;
  stackName: string;
  /** The stack's region: the bucket and the AMI are there. */
  region: string;
}

/** What the step saw: the URL (for the environment's link), the verdict, and the timeline's observation. */
export interface SmokeStepResult {
  /** The site's URL, or '' when the stack names none (then there is no link). */
  url: string;
  /**
   * passed, failed, off; no-url (the stack lacks an output the test needs: Url without smoke-url, BucketName);
   * blocked (AWS refused a read the test needs, or the AMI has no app-revision tag). no-url and blocked are
   * faults of the setup, not verdicts on the AMI: the run fails, and nothing is reverted.
   */
  result: 'passed' | 'failed' | 'off' | 'no-url' | 'blocked';
  observation: SmokeObservation;
  /** The failure's one line (result failed, no-url or blocked). */
  error?: string;
}

/** The step's context: the kernel's (log, cancellation, AWS clients), and for tests the smoke test's injections. */
export interface SmokeStepContext extends Context {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** The stack's outputs from deploy-stack's outputs-json; a value that is not a JSON object of strings reads as none. */
export function parseStackOutputs(json: string): Record<string, string> {
  if (!json.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InputError('stack-outputs', "is not JSON (it must be deploy-stack's outputs-json)");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('stack-outputs', "is not a JSON object (it must be deploy-stack's outputs-json)");
  }
  const outputs: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') outputs[key] = item;
  return outputs;
}

/**
 * The smoke test's settings, checked with the caller-input rules (the
 * resolve job already checked them; a direct caller of the action gets the
 * same one-line refusal).
 */
export function smokeSettings(samples: string, timeout: string): { samples: number; timeoutMs: number } {
  for (const [name, value] of [
    ['smoke-samples', samples],
    ['smoke-timeout', timeout],
  ] as const) {
    const problem = callerInputProblem(name, value);
    if (problem) throw new InputError(name, problem);
  }
  return { samples: Number(samples), timeoutMs: parseDuration(timeout) ?? 0 };
}

/** The site's URL: the caller's smoke-url, else the stack's Url output, else ''. */
export function siteUrl(outputs: Record<string, string>, urlOverride: string): string {
  return urlOverride || outputs[URL_OUTPUT] || '';
}

/** The app revision `amiId` was baked from (its app-revision tag); one line naming the AMI when it has none. */
export async function appRevisionOf(ec2: EC2Client, amiId: string, signal: AbortSignal): Promise<string> {
  // The SDK loads only when a step needs it: workflow-step's other steps start without it.
  const { DescribeImagesCommand } = await import('@aws-sdk/client-ec2');
  const answer = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }), { abortSignal: signal });
  const tag = answer.Images?.[0]?.Tags?.find((item) => item.Key === APP_REVISION_TAG)?.Value;
  if (!tag) {
    throw new ActionError(
      `The smoke test cannot tell which app revision must answer: AMI ${amiId} has no ${APP_REVISION_TAG} tag ` +
        '(bake-ami sets it); turn smoke-test off for an AMI baked elsewhere.',
    );
  }
  return tag;
}

/**
 * Runs the smoke step: off, or the stack's site and bucket against the
 * AMI's revision. A failed smoke test resolves with result `failed` and its
 * one line (the caller fails the step after recording what it saw); a
 * problem with the request itself (no Url output, an unreadable AMI) too,
 * as `no-url` or `failed`.
 */
export async function runSmokeStep(request: SmokeStepRequest, context: SmokeStepContext): Promise<SmokeStepResult> {
  const outputs = parseStackOutputs(request.stackOutputsJson);
  const url = siteUrl(outputs, request.urlOverride);
  const at = (): string => new Date((context.now ?? Date.now)()).toISOString();
  if (!request.enabled) {
    return { url, result: 'off', observation: { at: at(), url: url || '(no URL)', off: 'smoke-test: false' } };
  }
  const { samples, timeoutMs } = smokeSettings(request.samples, request.timeout);
  if (!url) {
    const error =
      `The smoke test needs the site's URL: stack ${request.stackName} has no '${URL_OUTPUT}' output; ` +
      "add one (cloudformation/img-mgr.yaml's), pass smoke-url, or set smoke-test: false.";
    return { url, result: 'no-url', error, observation: { at: at(), url: '(no URL)', passed: false, error } };
  }
  const bucket = outputs[BUCKET_OUTPUT] ?? '';
  if (!bucket) {
    const error =
      `The smoke test needs the app's bucket: stack ${request.stackName} has no '${BUCKET_OUTPUT}' output ` +
      "(cloudformation/img-mgr.yaml's); add one or set smoke-test: false.";
    return { url, result: 'no-url', error, observation: { at: at(), url, passed: false, error } };
  }
  let expectedRevision = '';
  try {
    const [{ EC2Client }, { S3Client }, { runSmokeTest }] = await Promise.all([
      import('@aws-sdk/client-ec2'),
      import('@aws-sdk/client-s3'),
      import('@img-mgr/rollout'),
    ]);
    expectedRevision = await appRevisionOf(
      context.clients.get(EC2Client, request.region),
      request.amiId,
      context.signal,
    );
    context.log.info(
      `Smoke test of ${url}: ${samples} answer${samples === 1 ? '' : 's'} in a row ` +
        `from app revision ${expectedRevision} (AMI ${request.amiId}), an upload into ${bucket}, ` +
        `within ${formatDuration(timeoutMs)}`,
    );
    const seen = await runSmokeTest(
      { baseUrl: url, bucket, expectedRevision, samples, timeoutMs },
      {
        logger: context.log,
        signal: context.signal,
        s3: context.clients.get(S3Client, request.region),
        ...(context.fetch ? { fetch: context.fetch } : {}),
        ...(context.sleep ? { sleep: context.sleep } : {}),
        ...(context.now ? { now: context.now } : {}),
      },
    );
    return {
      url,
      result: 'passed',
      observation: {
        at: at(),
        url: seen.url,
        passed: true,
        samples: seen.samples,
        revisionsSeen: seen.revisionsSeen,
        expectedRevision,
        amiIds: seen.amiIds,
        elapsedMs: seen.elapsedMs,
      },
    };
  } catch (error: unknown) {
    if (context.signal.aborted) throw error;
    const { SmokeTestError } = await import('@img-mgr/rollout');
    const line = error instanceof SmokeTestError ? error.message : `smoke test of ${url}: ${errorMessage(error)}`;
    return {
      url,
      result: blocksTheTest(error, SmokeTestError) ? 'blocked' : 'failed',
      error: line,
      observation: { at: at(), url, passed: false, error: line, ...(expectedRevision ? { expectedRevision } : {}) },
    };
  }
}

/**
 * The default number of samples, as the workflow and the action document it:
 * @img-mgr/rollout's DEFAULT_SAMPLES (a test keeps them equal), written out so
 * that reading it does not load the smoke test and its S3 client.
 */
export const DEFAULT_SMOKE_SAMPLES = '5';

/**
 * Whether `error` kept the smoke test from judging the AMI at all: AWS refused
 * a read it needs (the AMI's tag; its own upload in the bucket, e.g. a deploy
 * role whose grant does not match the bucket's name), or the AMI has no
 * app-revision tag. Reverting on those would reject a good AMI for a fault of
 * the setup. What the site answered (a SmokeTestError of any other check) is
 * a verdict.
 */
function blocksTheTest(error: unknown, smokeTestError: abstract new (...args: never[]) => { check: string }): boolean {
  if (error instanceof smokeTestError) return error.check === 'access';
  if (error instanceof ActionError) return true;
  return awsErrorClass(error) === 'access-denied';
}
