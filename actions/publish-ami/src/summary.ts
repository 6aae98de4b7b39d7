/** The job summary: what each region's pointer held before and after, and what pruning did. */
import { cell, jobSummary } from '@img-mgr/action-kit';
import {
  RevertSupersededError,
  type PublishAmiRequest,
  type PublishAmiResult,
  type PublishReport,
} from '@img-mgr/ami-publish';
import { REJECTED_TAG_KEY } from '@img-mgr/ami-publish/rejected-tag';

/** Writes the summary of what was done, also when the step failed. */
export async function writeSummary(request: PublishAmiRequest, result: PublishAmiResult): Promise<void> {
  const { report, prunes } = result;
  const summary = jobSummary().heading(`publish-ami: ${headingOf(request)}`);
  if (request.reject && result.rejected) {
    summary.text(
      `${request.reject.amiId} is tagged ${REJECTED_TAG_KEY}=${request.reject.by}: ` +
        'rollback-to previous, promotion and pruning treat it as a failed rollout.',
    );
  }
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
        `Labels removed from versions older than the newest ${request.labelWindow ?? '?'} (label-window): ` +
          cell(unlabelled.join('; ')),
      );
    }
  } else if (result.error instanceof RevertSupersededError) {
    summary.text(`Not reverted: ${result.error.message}.`);
  } else if (request.mode !== 'prune' && request.mode !== 'reject') {
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

function headingOf(request: PublishAmiRequest): string {
  switch (request.mode) {
    case 'rollback':
      return `rollback of ${request.parameterName}`;
    case 'promote':
      return `promotion of ${request.from ?? '?'} to ${request.parameterName}`;
    case 'reject':
      return `rejection of ${request.reject?.amiId ?? '?'}`;
    case 'publish':
    case 'prune':
      return request.parameterName;
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
