/** The run summary's markdown after a rollout and after a revert, as the job summary shows it. */
import { describe, expect, it } from 'vitest';
import type { RolloutObservations, SmokeObservation } from '@img-mgr/rollout';
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

describe('the smoke test and the timeline in the summaries', () => {
  const rollout = {
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
  const passed: SmokeObservation = {
    at: '2026-12-07T02:20:00.000Z',
    url: 'http://img-mgr-dev-alb.example/',
    passed: true,
    samples: 5,
    expectedRevision: 'c0ffee0123456789abcdef0123456789abcdef01',
    revisionsSeen: { c0ffee0123456789abcdef0123456789abcdef01: 5, a0a0a0a0a0a0a0a0a0a0: 2 },
    amiIds: [NEW],
    elapsedMs: 12_000,
  };
  const observations: RolloutObservations = {
    bake: { outcome: 'baked', amiId: NEW, at: '2026-12-07T02:10:00.000Z' },
    publish: { parameter: '/common/img-mgr/golden-ami', amiId: NEW, version: 4 },
    stack: {
      name: 'img-mgr-dev',
      events: [
        {
          Timestamp: '2026-12-07T02:19:00.000Z',
          LogicalResourceId: 'img-mgr-dev',
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: 'UPDATE_COMPLETE',
        },
        {
          Timestamp: '2026-12-07T02:15:00.000Z',
          LogicalResourceId: 'AutoScalingGroup',
          ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
          ResourceStatus: 'UPDATE_IN_PROGRESS',
          ResourceStatusReason: 'Received SUCCESS signal with UniqueId i-0123456789abcdef0',
        },
        {
          Timestamp: '2026-12-07T02:12:00.000Z',
          LogicalResourceId: 'img-mgr-dev',
          ResourceType: 'AWS::CloudFormation::Stack',
          ResourceStatus: 'UPDATE_IN_PROGRESS',
          ResourceStatusReason: 'User Initiated',
        },
      ],
    },
  };

  it('a good rollout: the smoke row, then the timeline in time order, bake to smoke test', () => {
    const text = rolloutSummary({ ...rollout, deployOutcome: 'success', smoke: passed, observations });
    expect(text.split('\n')[0]).toBe('### img-mgr rollout to dev');
    expect(text).toContain(
      '| Smoke test | passed: http://img-mgr-dev-alb.example/, 5 answers in a row from `c0ffee012345…` in 12s |',
    );
    expect(text).toContain('### Rollout timeline');
    expect(text).toContain('**deployed; smoke test passed**');
    const rows = text.split('\n').filter((line) => /^\| \d\d:\d\d:\d\d /.test(line));
    expect(rows.map((row) => row.split('|')[2]?.trim())).toEqual(['bake', 'stack', 'instance', 'stack', 'smoke']);
    expect(text).toContain('launched i-0123456789abcdef0 (healthy: it signalled SUCCESS)');
  });

  it('smoke off: the summary says so; a failed smoke test heads the summary', () => {
    const off = rolloutSummary({ ...rollout, smoke: { url: 'http://x.example/', off: 'smoke-test: false' } });
    expect(off).toContain('| Smoke test | off (smoke-test: false) |');
    const failed = rolloutSummary({
      ...rollout,
      smoke: {
        url: 'http://x.example/',
        passed: false,
        error: 'smoke test of http://x.example/: POST /upload answered 500',
      },
    });
    expect(failed.split('\n')[0]).toBe('### img-mgr rollout to dev FAILED: the smoke test');
    expect(failed).toContain('| Smoke test | **FAILED**: smoke test of http://x.example/: POST /upload answered 500 |');
    const deployFailed = rolloutSummary({ ...rollout, deployOutcome: 'failure', observations });
    expect(deployFailed.split('\n')[0]).toBe('### img-mgr rollout to dev FAILED: the deploy');
    expect(deployFailed).toContain('| Stack | `img-mgr-dev` deploy failure |');
    expect(deployFailed).toContain('**failed at deploy**');
    expect(deployFailed).toContain('❌ deploy: deploy-stack ended in failure |');
  });

  const reverted: RevertFacts = {
    amiId: NEW,
    previousAmiId: OLD,
    previousVersion: '3',
    revertedVersion: '5',
    revertOutcome: 'success',
    parameterName: '/common/img-mgr/golden-ami',
    stackName: 'img-mgr-dev',
    environment: 'dev',
    runId: '42',
    failed: 'smoke',
    redeployReason: `stack img-mgr-dev (UPDATE_COMPLETE) runs the rejected ${NEW}: redeploying it on ${OLD}`,
    redeployOutcome: 'success',
  };

  it('a smoke failure reverted by a redeploy that passed: what was reverted, and that the reverted site passed', () => {
    const text = revertSummary({
      ...reverted,
      smoke: { ...passed, expectedRevision: 'a0a0a0a0a0a0a0a0a0a0' },
      observations,
    });
    expect(text.split('\n')[0]).toBe('### img-mgr rollout to dev FAILED: reverted');
    expect(text).toContain('The deploy of `img-mgr-dev` completed, but its smoke test failed, so the AMI is rejected.');
    expect(text).toContain(
      `| Stack | stack img-mgr-dev (UPDATE_COMPLETE) runs the rejected ${NEW}: redeploying it on ${OLD} ` +
        '(redeploy: success) |',
    );
    expect(text).toContain(
      '| Reverted site | passed: http://img-mgr-dev-alb.example/, 5 answers in a row from `a0a0a0a0a0a0…` in 12s |',
    );
    expect(text).toContain('**reverted; the reverted site passed its smoke test**');
    expect(text).toContain(`tagged ${NEW} img-mgr:rejected; parameter back on ${OLD} (version 5); stack redeployed`);
  });

  it('a reverted site that fails its own smoke test is loud, in the heading and the timeline', () => {
    const text = revertSummary({
      ...reverted,
      smoke: { url: 'http://x.example/', passed: false, error: 'smoke test of http://x.example/: GET / answered 500' },
      observations,
    });
    expect(text.split('\n')[0]).toBe(
      '### img-mgr rollout to dev FAILED: reverted, but the reverted site FAILED its smoke test',
    );
    expect(text).toContain('| Reverted site | **FAILED**: smoke test of http://x.example/: GET / answered 500 |');
    expect(text).toContain('the revert is not retried');
  });
});
