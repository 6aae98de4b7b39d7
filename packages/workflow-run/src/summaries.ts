/**
 * The run summary's markdown: what a rollout left in the parameter and the
 * stack, and, after a failed deploy, what the revert did. Plain functions of
 * the jobs' outputs, so the text is tested without a runner.
 */

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
}

const code = (text: string): string => `\`${text}\``;
const toEnvironment = (environment: string): string => (environment ? ` to ${environment}` : '');

/** The rollout summary: the AMI before and after, the parameter version and the stack's status. */
export function rolloutSummary(facts: RolloutFacts): string {
  return [
    `### img-mgr rollout${toEnvironment(facts.environment)}`,
    '',
    '| | |',
    '| --- | --- |',
    ...(facts.rollbackTo ? [`| Rollback to | ${code(facts.rollbackTo)} |`] : []),
    ...(facts.promoteFrom ? [`| Promoted from | ${code(facts.promoteFrom)} |`] : []),
    `| AMI | ${code(facts.amiId)} (before: ${code(facts.previousAmiId || 'none')}) |`,
    `| Parameter | ${code(facts.parameterName)} version ${facts.parameterVersion} |`,
    `| Stack | ${code(facts.stackName)} ${facts.stackStatus} |`,
    '',
  ].join('\n');
}

/** The summary of a failed rollout: the AMI rejected and the parameter back on the version live before. */
export function revertSummary(facts: RevertFacts): string {
  const { amiId, parameterName } = facts;
  let rows: string[];
  if (facts.revertOutcome !== 'success') {
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
    ];
  }
  return [
    `### img-mgr rollout${toEnvironment(facts.environment)} FAILED: ` +
      (facts.revertOutcome === 'success' ? 'reverted' : 'not reverted'),
    '',
    `The deploy of ${code(facts.stackName)} failed, so the stack stays on the AMI it ran before.`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
