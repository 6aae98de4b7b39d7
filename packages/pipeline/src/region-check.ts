/**
 * The check of one region between waves, where the local preview does not
 * reach. On AWS it is the one smoke test of @img-mgr/rollout against the
 * region's load balancer (the stack's Url and BucketName). On an emulator no
 * load balancer answers (moto makes up its name) and the local preview serves
 * the home region only, so nothing can be checked through the front door
 * there: the check says so, and checks what can be read, that the region's
 * app stack runs the region's copy of the AMI.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { errorMessage, lineLogger } from '@img-mgr/kernel';
import { runSmokeTest } from '@img-mgr/rollout';
import type { CommandContext } from './context.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { StackPlan } from './stacks.js';

/** The bound of a region's smoke test on AWS (a rolling update may still be replacing instances). */
const SMOKE_TIMEOUT_MS = 10 * 60_000;

/** A region that failed its check: the run reverts its wave (exit 8, as a failed preview). */
export class RegionCheckError extends PipelineError {
  constructor(message: string) {
    super(ExitCode.preview, message);
  }
}

/**
 * Checks `ctx`'s region after its deploy; resolves with one line of what was checked, or throws RegionCheckError.
 * `smokeUrl` (the wave's smoke-urls in the targets file) stands for the stack's Url when a CDN or a DNS name is in
 * front of the region's load balancer.
 */
export async function regionCheck(
  ctx: CommandContext,
  app: StackPlan,
  amiId: string,
  smokeUrl?: string,
): Promise<string> {
  const region = ctx.target.region;
  const step = ctx.progress.step('check', `the app in ${region} runs ${amiId}`);
  const stack = ctx.report.stacks.find((candidate) => candidate.name === app.name);
  try {
    if (ctx.target.kind === 'aws') {
      const url = smokeUrl ?? stack?.outputs.Url;
      const bucket = stack?.outputs.BucketName;
      if (!url || !bucket)
        throw new RegionCheckError(`the stack ${app.name} in ${region} has no ${url ? 'BucketName' : 'Url'} output`);
      const expectedRevision = ctx.report.ami?.appRevision ?? ctx.app?.commit ?? '';
      const result = await runSmokeTest(
        { baseUrl: url, bucket, expectedRevision, timeoutMs: Math.min(ctx.remainingMs(), SMOKE_TIMEOUT_MS) },
        {
          logger: lineLogger(
            (line) => step.detail(line),
            (value) => ctx.redactor.add(value),
          ),
          signal: ctx.signal,
          s3: ctx.clients.get(S3Client, region),
        },
      ).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        throw new RegionCheckError(`smoke test of ${url}: ${errorMessage(error)}`);
      });
      const text = `smoke test passed: ${result.samples} answers from the new revision at ${url}`;
      step.done(text);
      return text;
    }
    const runs = stack?.imageId;
    if (runs !== amiId)
      throw new RegionCheckError(
        `the app stack ${app.name} in ${region} runs ${runs ?? 'no AMI that could be read'}, not ${amiId}`,
      );
    const text = `front door not tested (the emulator's load balancer does not answer); the stack runs ${amiId}`;
    step.done(text);
    return text;
  } catch (error: unknown) {
    step.fail(errorMessage(error));
    throw error;
  }
}
