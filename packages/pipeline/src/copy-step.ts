/** The copy step of a rollout in waves: the baked AMI copied to every other target region (packer-bake). */
import type { RegionCopy } from '@img-mgr/packer-bake';
import { stepContext, type CommandContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import type { AmiReport } from './report.js';
import { asStepError } from './step-errors.js';

/** How long copies may take: real copies of an 8 GiB AMI take minutes; the run's --timeout still bounds it. */
const COPY_TIMEOUT_MS = 45 * 60_000;

/** Copies `ami` (baked in the home region) to each of `regions` that lacks it; region → its AMI. */
export async function copyStep(
  ctx: CommandContext,
  ami: AmiReport,
  regions: string[],
): Promise<Record<string, RegionCopy>> {
  const others = regions.filter((region) => region !== ami.region);
  const step = ctx.progress.step('copy', `${ami.id} from ${ami.region} to ${others.join(', ')}`);
  try {
    const { copyBakedAmi } = await import('@img-mgr/packer-bake');
    const copies = await copyBakedAmi(
      {
        source: { amiId: ami.id, region: ami.region },
        fingerprint: ami.fingerprint,
        regions: others,
        timeoutMs: Math.min(ctx.remainingMs(), COPY_TIMEOUT_MS),
      },
      stepContext(ctx, step),
      ctx.target.emulated ? { minIntervalMs: 100, maxIntervalMs: 1_000 } : {},
    );
    const made = Object.values(copies).filter((copy) => copy.copied);
    const text = others.map((region) => `${region}:${copies[region]?.amiId ?? '?'}`).join(', ');
    if (made.length === 0) step.skip(`every region has its copy (${text})`);
    else step.done(`${made.length} copied, ${others.length - made.length} already there (${text})`);
    return copies;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.bake, 'copy');
    step.fail(failure.message);
    throw failure;
  }
}
