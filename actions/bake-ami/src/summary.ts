/** The job summary: what was baked (or found), where, how long, from what. */
import { cell, errorMessage, jobSummary } from '@img-mgr/action-kit';
import type { BakeResult } from '@img-mgr/packer-bake';

/** Writes the summary of a finished bake (or skip). */
export async function writeSummary(result: BakeResult): Promise<void> {
  const summary = jobSummary().heading('bake-ami', 2);
  if (result.skipped) {
    const found = result.found;
    summary.text(
      `skipped: already baked as <code>${cell(result.amiId)}</code> in ${cell(result.region)}` +
        (found ? ` (${cell(found.name)}, created ${cell(found.creationDate)})` : ''),
    );
    // The copies the skipped bake returns, as the bake it reuses did.
    if (Object.keys(result.amis).length > 1) {
      summary.table(
        ['Region', 'AMI'],
        Object.entries(result.amis).map(([region, ami]) => [cell(region), `<code>${cell(ami)}</code>`]),
      );
    }
  } else {
    const rows = result.builds.flatMap((build) =>
      Object.entries(build.amis).map(([region, ami]) => [cell(build.name), cell(region), `<code>${cell(ami)}</code>`]),
    );
    summary.table(['Build', 'Region', 'AMI'], rows);
  }
  summary.list([
    `Duration: ${(result.durationMs / 1000).toFixed(1)} s`,
    `Fingerprint: <code>${cell(result.fingerprint)}</code>`,
    `Run id: <code>${cell(result.runId)}</code>`,
    ...(result.packer ? [`Packer ${cell(result.packer.version)} (${cell(result.packer.source)})`] : []),
  ]);
  await summary.write();
}

/** Writes the summary of a failed bake: the one-line reason and Packer's last error lines. */
export async function writeFailureSummary(error: unknown, durationMs: number): Promise<void> {
  const summary = jobSummary()
    .heading('bake-ami', 2)
    .text(`failed after ${(durationMs / 1000).toFixed(1)} s: ${cell(errorMessage(error))}`);
  const lines = (error as { errorLines?: unknown }).errorLines;
  if (Array.isArray(lines) && lines.length > 0) summary.code(lines.map(String).join('\n'));
  await summary.write();
}
