/** The job summary: what each region's pointer held before and after, and what pruning did. */
import { cell, jobSummary } from '@img-mgr/action-kit';
import type { PruneReport, PublishReport } from '@img-mgr/ami-publish';
import { REJECTED_TAG_KEY } from '@img-mgr/ami-publish/rejected-tag';
import type { PublishInputs } from './main.js';

/** Writes the summary; called in a finally block, so it also reports failures. */
export async function writeSummary(
  inputs: PublishInputs,
  report: PublishReport | undefined,
  prunes: PruneReport[],
  rejected = false,
): Promise<void> {
  const summary = jobSummary().heading(`publish-ami: ${headingOf(inputs)}`);
  if (inputs.rejectAmi && rejected)
    summary.text(
      `${inputs.rejectAmi} is tagged ${REJECTED_TAG_KEY}=${inputs.rejectedBy}: rollback-to previous, promotion and pruning treat it as a failed rollout.`,
    );
  if (report) {
    summary.table(
      ['Region', 'Parameter', 'Old AMI → New AMI', 'Version', 'Labels', 'Result'],
      report.results.map((result) => [
        cell(result.region),
        cell(result.parameterName),
        cell(`${result.previousAmiId ?? '(none)'} → ${result.amiId}`),
        cell(result.version ?? '—'),
        cell(result.labels.join(', ')),
        cell(resultText(result)),
      ]),
    );
    const unlabelled = report.results.flatMap((result) =>
      result.unlabelled.map((entry) => `${result.region} version ${entry.version} (${entry.labels.join(', ')})`),
    );
    if (unlabelled.length > 0) {
      summary.text(
        `Labels removed from versions older than the newest ${inputs.labelWindow} (label-window): ${cell(unlabelled.join('; '))}`,
      );
    }
  } else if (inputs.mode !== 'prune' && inputs.mode !== 'reject') {
    summary.text('Nothing was written: the step failed before publishing (see the error annotation).');
  }
  for (const prune of prunes) {
    summary.heading(`AMI pruning in ${prune.region}${prune.dryRun ? ' (dry run)' : ''}`, 3).table(
      ['AMI', 'Name', 'Created', 'Action', 'Why'],
      prune.plan.map((entry) => [
        cell(entry.amiId),
        cell(entry.name),
        cell(entry.created),
        cell(
          entry.action === 'remove'
            ? prune.dryRun
              ? 'would remove'
              : prune.removed.includes(entry.amiId)
                ? 'removed'
                : 'not removed'
            : 'kept',
        ),
        cell(entry.reason),
      ]),
    );
  }
  await summary.write();
}

function headingOf(inputs: PublishInputs): string {
  switch (inputs.mode) {
    case 'rollback':
      return `rollback of ${inputs.parameterName}`;
    case 'promote':
      return `promotion of ${inputs.promoteFrom ?? '?'} to ${inputs.parameterName}`;
    case 'reject':
      return `rejection of ${inputs.rejectAmi ?? '?'}`;
    case 'publish':
    case 'prune':
      return inputs.parameterName;
  }
}

function resultText(result: PublishReport['results'][number]): string {
  switch (result.status) {
    case 'published':
      return result.rolledBackTo !== undefined
        ? `rolled back to the value of version ${result.rolledBackTo}`
        : 'published';
    case 'unchanged':
      return 'unchanged (already held)';
    case 'failed':
      return `FAILED: ${result.error ?? ''}`;
  }
}
