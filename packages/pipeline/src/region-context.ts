/**
 * A command's context for one more region of a rollout in waves: the same
 * options, clients, mask, signal and deadline, aimed at `region`, with its
 * own report (the steps record the region's parameter and stacks there, as
 * they record the home region's in the command's report) and its steps
 * labelled with the region.
 */
import type { CommandContext } from './context.js';
import type { Progress } from './progress.js';
import { newReport, type RunReport } from './report.js';

export interface RegionContext extends CommandContext {
  /** The region's own report (parameter, stacks, URL). */
  report: RunReport;
}

export function regionContext(ctx: CommandContext, region: string): RegionContext {
  const aimed = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  const report = newReport(ctx.options.command);
  report.target = { ...ctx.report.target, region };
  return {
    ...ctx,
    target: {
      ...ctx.target,
      region,
      env: { ...ctx.target.env, ...aimed },
      describe: ctx.target.describe.replace(/\([a-z0-9-]+\)$/, `(${region})`),
    },
    env: { ...ctx.env, ...aimed },
    report,
    progress: labelled(ctx.progress, region),
  };
}

/** `progress` with every step's label ending in the region, so the regions of a wave can be told apart. */
export function labelled(progress: Progress, region: string): Progress {
  return {
    step: (label, title) => progress.step(`${label} ${region}`, title),
    note: (line) => progress.note(`${region}: ${line}`),
    detail: (line) => progress.detail(line),
    warn: (line) => progress.warn(`${region}: ${line}`),
    close: () => undefined,
  };
}
