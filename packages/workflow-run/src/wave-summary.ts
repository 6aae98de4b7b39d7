/** A later wave's job summary: a row per region, with what it got and what it runs now. */
import type { RegionRollout, WaveRequest } from './wave-rollout.js';

/** Text from a run, inert in a table cell. */
const cellText = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** The wave's summary, also after a failed wave (its reverted regions say what they run now). */
export function waveSummary(
  request: Pick<WaveRequest, 'wave' | 'parameterName' | 'stack'>,
  regions: RegionRollout[],
): string {
  const failed = regions.some((region) => region.outcome !== 'deployed');
  return [
    `### img-mgr rollout, wave ${request.wave}${failed ? ' FAILED' : ''}`,
    '',
    `Parameter \`${request.parameterName}\` and stack \`${request.stack.stackName}\` in each region.`,
    '',
    '| Region | AMI | Outcome | Parameter version | Smoke test | Detail |',
    '| --- | --- | --- | --- | --- | --- |',
    ...regions.map((region) => {
      const outcome = region.outcome === 'deployed' ? 'deployed' : `**${region.outcome}**`;
      const smoke = region.smoke ? `${region.smoke}${region.url ? ` (${cellText(region.url)})` : ''}` : '-';
      const detail = [region.error, region.revert].filter(Boolean).join('; ') || '-';
      return (
        `| ${region.region} | \`${region.amiId || '-'}\` | ${outcome} | ${region.parameterVersion ?? '-'} | ` +
        `${smoke} | ${cellText(detail)} |`
      );
    }),
    '',
  ].join('\n');
}
