/**
 * The run summary's markdown: what a rollout left in the parameter and the
 * stack, the smoke test through the front door, and, after a failed deploy
 * or smoke test, what the revert did; then the rollout timeline of what the
 * run saw (@img-mgr/rollout's renderer, which the CLI shares). Plain
 * functions of the jobs' outputs, so the text is tested without a runner.
 */
// The light entry points only: the smoke test (and the S3 client it loads) is not a summary's concern.
import { shortRevision } from '@img-mgr/rollout/revision-file';
import {
  buildTimeline,
  renderTimelineMarkdown,
  type RolloutObservations,
  type SmokeObservation,
} from '@img-mgr/rollout/timeline';
import { formatDuration } from '@img-mgr/kernel';

/** The deploy job's view of the rollout. */
export interface RolloutFacts {
  amiId: string;
  previousAmiId: string;
  parameterName: string;
  parameterVersion: string;
  stackName: string;
  stackStatus: string;
  rollbackTo: string;
  promoteFrom: string;
  environment: string;
  /** The deploy step's outcome (success, failure, ...); '' reads as success. */
  deployOutcome?: string;
  /** The smoke step's observation, when it ran. */
  smoke?: SmokeObservation;
  /** What the run saw, for the timeline (bake, publish, the stack's events, the smoke test). */
  observations?: RolloutObservations;
}

/** The revert job's view: the failed rollout and what the revert step did. */
export interface RevertFacts {
  amiId: string;
  previousAmiId: string;
  /** The version live before the run ('' when the parameter had none). */
  previousVersion: string;
  /** The version the revert wrote. */
  revertedVersion: string;
  /** The revert step's outcome: success, failure, cancelled or skipped. */
  revertOutcome: string;
  parameterName: string;
  stackName: string;
  environment: string;
  runId: string;
  /** What failed: the deploy itself, or the smoke test of a completed deploy ('' reads as the deploy). */
  failed?: 'deploy' | 'smoke' | '';
  /** Why the stack was (not) redeployed, one line, when the revert decided. */
  redeployReason?: string;
  /** The redeploy step's outcome (success, failure, skipped; '' when it was not decided). */
  redeployOutcome?: string;
  /** The reverted site's smoke test, when it ran. */
  smoke?: SmokeObservation;
  /** What the run saw, for the timeline; its `revert` is filled in from the facts above. */
  observations?: RolloutObservations;
}

const code = (text: string): string => `\`${text}\``;
const toEnvironment = (environment: string): string => (environment ? ` to ${environment}` : '');
/** Text from a run's observations, inert in a table cell. */
const cellText = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

const answers = (samples: number | undefined): string =>
  samples === undefined ? 'answers' : `${samples} answer${samples === 1 ? '' : 's'}`;

/** One table row for a smoke test's observation. */
function smokeRow(label: string, smoke: SmokeObservation | undefined): string[] {
  if (!smoke) return [];
  if (smoke.off) return [`| ${label} | off (${cellText(smoke.off)}) |`];
  if (smoke.passed) {
    const revision = smoke.expectedRevision ? ` from ${code(shortRevision(smoke.expectedRevision))}` : '';
    const took = smoke.elapsedMs !== undefined ? ` in ${formatDuration(smoke.elapsedMs)}` : '';
    return [`| ${label} | passed: ${cellText(smoke.url)}, ${answers(smoke.samples)} in a row${revision}${took} |`];
  }
  return [`| ${label} | **FAILED**: ${cellText(smoke.error ?? 'no reason recorded')} |`];
}

/** The timeline's markdown, after the table. */
function timeline(observations: RolloutObservations | undefined, title: string): string[] {
  return observations ? ['', renderTimelineMarkdown(buildTimeline(observations), title)] : [];
}

/** The rollout summary: the AMI before and after, the parameter version, the stack, the smoke test, the timeline. */
export function rolloutSummary(facts: RolloutFacts): string {
  const deployFailed = facts.deployOutcome !== undefined && !['', 'success'].includes(facts.deployOutcome);
  const smokeFailed = facts.smoke !== undefined && !facts.smoke.off && !facts.smoke.passed;
  const verdict = deployFailed ? ' FAILED: the deploy' : smokeFailed ? ' FAILED: the smoke test' : '';
  const observations: RolloutObservations | undefined = facts.observations
    ? {
        ...facts.observations,
        ...(facts.smoke ? { smoke: facts.smoke } : {}),
        // The deploy step's own error line says why; the timeline says that the run stopped there.
        ...(deployFailed
          ? { failure: { step: 'deploy', message: `deploy-stack ended in ${facts.deployOutcome ?? 'failure'}` } }
          : {}),
      }
    : undefined;
  return [
    `### img-mgr rollout${toEnvironment(facts.environment)}${verdict}`,
    '',
    '| | |',
    '| --- | --- |',
    ...(facts.rollbackTo ? [`| Rollback to | ${code(facts.rollbackTo)} |`] : []),
    ...(facts.promoteFrom ? [`| Promoted from | ${code(facts.promoteFrom)} |`] : []),
    `| AMI | ${code(facts.amiId)} (before: ${code(facts.previousAmiId || 'none')}) |`,
    `| Parameter | ${code(facts.parameterName)} version ${facts.parameterVersion} |`,
    `| Stack | ${code(facts.stackName)} ${deployFailed ? `deploy ${facts.deployOutcome}` : facts.stackStatus} |`,
    ...smokeRow('Smoke test', facts.smoke),
    ...timeline(observations, 'Rollout timeline'),
    '',
  ].join('\n');
}

/** A failed rollout's summary: the AMI rejected, the parameter back, the stack redeployed or not, its smoke test. */
export function revertSummary(facts: RevertFacts): string {
  const { amiId, parameterName } = facts;
  let rows: string[];
  const reverted = facts.revertOutcome === 'success';
  if (!reverted) {
    // The revert is conditional: it refuses when another writer published a newer version, and then
    // "roll back to previous" would overwrite that newer work. So the summary only repeats the outcome.
    rows = [
      `| Revert | The revert step ended in ${facts.revertOutcome || 'no outcome'}: ${code(parameterName)} ` +
        `was not put back by this run; its error line (and publish-ami's summary) says which version is live |`,
    ];
  } else {
    rows = [
      `| Failed AMI | ${code(amiId)} tagged ${code(`img-mgr:rejected=${facts.runId}`)} ` +
        '(rollback-to previous and promote skip it) |',
      facts.previousVersion
        ? `| Parameter | ${code(parameterName)} back to ${code(facts.previousAmiId)} ` +
          `(the value of version ${facts.previousVersion}), as version ${facts.revertedVersion} |`
        : `| Parameter | ${code(parameterName)} had no version before this run; ` +
          `it still names ${code(amiId)}, now rejected |`,
      ...(facts.redeployReason ? [stackRow(facts)] : []),
      ...smokeRow('Reverted site', facts.smoke),
    ];
  }
  const revertSmokeFailed = facts.smoke !== undefined && !facts.smoke.off && !facts.smoke.passed;
  const redeployFailed = facts.redeployOutcome === 'failure' || facts.redeployOutcome === 'cancelled';
  const heading = !reverted
    ? 'not reverted'
    : redeployFailed
      ? 'reverted, but the redeploy FAILED'
      : revertSmokeFailed
        ? 'reverted, but the reverted site FAILED its smoke test'
        : 'reverted';
  const cause =
    facts.failed === 'smoke'
      ? `The deploy of ${code(facts.stackName)} completed, but its smoke test failed, so the AMI is rejected.`
      : `The deploy of ${code(facts.stackName)} failed, so the stack stays on the AMI it ran before.`;
  const observations: RolloutObservations | undefined = facts.observations
    ? {
        ...facts.observations,
        revert: {
          ...(reverted ? { rejectedAmi: amiId } : {}),
          ...(reverted && facts.previousVersion
            ? { restoredAmi: facts.previousAmiId, version: Number(facts.revertedVersion) }
            : {}),
          ...(facts.redeployReason ? { redeployed: facts.redeployOutcome === 'success' } : {}),
          ...(facts.smoke ? { smoke: facts.smoke } : {}),
          ...(!reverted
            ? { error: `the revert step ended in ${facts.revertOutcome || 'no outcome'}` }
            : redeployFailed
              ? { error: `the redeploy ended in ${facts.redeployOutcome ?? 'failure'}` }
              : {}),
        },
      }
    : undefined;
  return [
    `### img-mgr rollout${toEnvironment(facts.environment)} FAILED: ${heading}`,
    '',
    cause,
    '',
    '| | |',
    '| --- | --- |',
    ...rows,
    ...timeline(observations, 'Rollout and revert timeline'),
    '',
  ].join('\n');
}

function stackRow(facts: RevertFacts): string {
  const outcome =
    facts.redeployOutcome && !['skipped', ''].includes(facts.redeployOutcome)
      ? ` (redeploy: ${facts.redeployOutcome})`
      : '';
  return `| Stack | ${cellText(facts.redeployReason ?? '')}${outcome} |`;
}
