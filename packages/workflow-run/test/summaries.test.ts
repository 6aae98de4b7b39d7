/** The run summary's markdown after a rollout and after a revert, as the job summary shows it. */
import { describe, expect, it } from 'vitest';
import { revertSummary, rolloutSummary, type RevertFacts } from '../src/index.js';

const OLD = 'ami-0123456789abcdef0';
const NEW = 'ami-0fedcba9876543210';

describe('the rollout summary', () => {
  const facts = {
    amiId: NEW,
    previousAmiId: OLD,
    parameterName: '/common/img-mgr/golden-ami',
    parameterVersion: '4',
    stackName: 'img-mgr-dev',
    stackStatus: 'UPDATE_COMPLETE',
    rollbackTo: '',
    promoteFrom: '',
    environment: 'dev',
  };

  it('a bake: the AMI before and after, the parameter version, the stack status', () => {
    expect(rolloutSummary(facts)).toBe(
      [
        '### img-mgr rollout to dev',
        '',
        '| | |',
        '| --- | --- |',
        `| AMI | \`${NEW}\` (before: \`${OLD}\`) |`,
        '| Parameter | `/common/img-mgr/golden-ami` version 4 |',
        '| Stack | `img-mgr-dev` UPDATE_COMPLETE |',
        '',
      ].join('\n'),
    );
  });

  it('a rollback or a promote says so; no environment and no earlier AMI read as such', () => {
    const text = rolloutSummary({ ...facts, environment: '', previousAmiId: '', rollbackTo: 'previous' });
    expect(text.split('\n')[0]).toBe('### img-mgr rollout');
    expect(text).toContain('| Rollback to | `previous` |\n');
    expect(text).toContain('(before: `none`)');
    expect(rolloutSummary({ ...facts, promoteFrom: '/common/img-mgr/golden-ami' })).toContain(
      '| Promoted from | `/common/img-mgr/golden-ami` |',
    );
  });
});

describe('the summary of a failed rollout', () => {
  const facts: RevertFacts = {
    amiId: NEW,
    previousAmiId: OLD,
    previousVersion: '1',
    revertedVersion: '3',
    revertOutcome: 'success',
    parameterName: '/common/img-mgr/golden-ami',
    stackName: 'img-mgr-dev',
    environment: 'dev',
    runId: '42',
  };

  it('reverted: the AMI tagged rejected, the parameter back on the version live before', () => {
    expect(revertSummary(facts)).toBe(
      [
        '### img-mgr rollout to dev FAILED: reverted',
        '',
        'The deploy of `img-mgr-dev` failed, so the stack stays on the AMI it ran before.',
        '',
        '| | |',
        '| --- | --- |',
        `| Failed AMI | \`${NEW}\` tagged \`img-mgr:rejected=42\` (rollback-to previous and promote skip it) |`,
        `| Parameter | \`/common/img-mgr/golden-ami\` back to \`${OLD}\` (the value of version 1), as version 3 |`,
        '',
      ].join('\n'),
    );
  });

  it('no version before this run: the parameter still names the rejected AMI', () => {
    expect(revertSummary({ ...facts, previousVersion: '' })).toContain(
      `| Parameter | \`/common/img-mgr/golden-ami\` had no version before this run; it still names \`${NEW}\`, ` +
        'now rejected |',
    );
  });

  it.each(['failure', 'cancelled'])(
    'a revert that ended in %s repeats that outcome and never advises rollback-to previous',
    (outcome) => {
      // The revert refuses when another writer published a newer version; a rollback to previous would
      // overwrite that newer work, so the summary points to the step's line that names the live version.
      const text = revertSummary({ ...facts, revertOutcome: outcome });
      expect(text.split('\n')[0]).toBe('### img-mgr rollout to dev FAILED: not reverted');
      expect(text).toContain(
        `| Revert | The revert step ended in ${outcome}: \`/common/img-mgr/golden-ami\` was not put back by ` +
          "this run; its error line (and publish-ami's summary) says which version is live |",
      );
      expect(text).not.toContain('rollback-to previous');
      expect(text).not.toContain('Failed AMI');
    },
  );
});
