/** The subcommands: each chains the steps it needs. */
import type { CommandContext } from './context.js';
import { deployStep, planStacks } from './deploy-step.js';
import { bakeStep, readLastBake } from './bake-step.js';
import { UsageError } from './errors.js';
import { previewStep } from './preview-step.js';
import { publishStep, rollbackPointerStep } from './publish-step.js';
import { statusStep } from './status-step.js';

/** Runs `ctx.options.command` (all but `down`, which needs no AWS target). */
export async function runCommand(ctx: CommandContext): Promise<void> {
  switch (ctx.options.command) {
    case 'run': {
      // The network first: the bake runs in its public subnet, so an account without a default VPC bakes too.
      const plans = await planStacks(ctx);
      for (const plan of plans.filter((plan) => plan.role === 'vpc')) await deployStep(ctx, plan);
      const ami = await bakeStep(ctx);
      await publishStep(ctx, ami.id);
      for (const plan of plans.filter((plan) => plan.role !== 'vpc')) await deployStep(ctx, plan);
      // The app itself, served locally: only the embedded AWS lives as long as the preview needs it.
      if (ctx.target.kind === 'local' && ctx.options.preview) await previewStep(ctx);
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
