/** The subcommands: each chains the steps it needs. */
import type { CommandContext } from './context.js';
import { deployStep, planStacks } from './deploy-step.js';
import { bakeStep, readLastBake } from './bake-step.js';
import { buildTimeline, type RolloutObservations } from '@img-mgr/rollout/timeline';
import { errorMessage } from '@img-mgr/kernel';
import { PipelineError, UsageError } from './errors.js';
import { publishStep, rollbackPointerStep } from './publish-step.js';
import { runChain } from './run-chain.js';
import { allRegions } from '@img-mgr/targets';
import { statusStep } from './status-step.js';

/** Runs `ctx.options.command` (all but `down`, which needs no AWS target). */
export async function runCommand(ctx: CommandContext): Promise<void> {
  switch (ctx.options.command) {
    case 'run': {
      const observed: RolloutObservations = {};
      try {
        // Several regions: bake once, copy, wave by wave (waves-chain.ts). One region stays exactly runChain.
        const targets = ctx.options.targets;
        if (targets && allRegions(targets).length > 1) {
          const { runWaves } = await import('./waves-chain.js');
          await runWaves(ctx, targets, observed);
        } else await runChain(ctx, observed);
      } catch (error: unknown) {
        // A failed smoke test ends in its revert, which the timeline already shows.
        if (!observed.revert)
          observed.failure = {
            at: new Date().toISOString(),
            ...(error instanceof PipelineError && error.step ? { step: error.step } : {}),
            message: errorMessage(error),
          };
        throw error;
      } finally {
        // Whatever happened, the timeline shows how far the run got.
        ctx.report.timeline = buildTimeline(observed);
      }
      return;
    }
    case 'bake':
      await bakeStep(ctx);
      return;
    case 'publish':
      await publishStep(ctx, ctx.options.amiId ?? bakedAmiId(ctx));
      return;
    case 'deploy':
      for (const plan of await planStacks(ctx)) await deployStep(ctx, plan);
      return;
    case 'rollback': {
      await rollbackPointerStep(ctx);
      // Only the app stack reads the pointer; redeploying it re-resolves ImageId.
      const app = (await planStacks(ctx)).find((plan) => plan.role === 'app');
      if (app) await deployStep(ctx, app);
      return;
    }
    case 'status':
      await statusStep(ctx);
      return;
    case 'down':
      return;
  }
}

/** publish without --ami-id: the AMI of the last `bake` against this same AWS. */
function bakedAmiId(ctx: CommandContext): string {
  const last = readLastBake(ctx.stateDir);
  const sameTarget = last && last.region === ctx.target.region && (last.endpoint ?? '') === (ctx.target.endpoint ?? '');
  if (!last || !sameTarget) {
    throw new UsageError(
      '--ami-id',
      `is required: no AMI was baked by 'img-mgr-pipeline bake' against ${ctx.target.describe}`,
    );
  }
  ctx.progress.note(`publishing ${last.amiId}, baked ${last.bakedAt} (use --ami-id to choose another)`);
  return last.amiId;
}
