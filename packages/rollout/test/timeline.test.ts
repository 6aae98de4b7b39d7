/** The rollout timeline: built from what a run saw, rendered for a job summary and for the CLI. Pure, table-tested. */
import { describe, expect, it } from 'vitest';
import {
  autoScalingLine,
  buildTimeline,
  escapeMarkdown,
  renderTimelineMarkdown,
  renderTimelineText,
  type RolloutObservations,
  type StackEventLike,
} from '../src/index.js';

const NEW = 'b1e2c3d4e5f60718293a4b5c6d7e8f9012345678';
const OLD = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';

const event = (
  time: string,
  type: string,
  logical: string,
  status: string,
  reason = '',
  physical = '',
): StackEventLike => ({
  Timestamp: new Date(`2026-12-07T${time}Z`),
  ResourceType: type,
  LogicalResourceId: logical,
  PhysicalResourceId: physical,
  ResourceStatus: status,
  ResourceStatusReason: reason,
});
const ASG = 'AWS::AutoScaling::AutoScalingGroup';

/** A rolling update of one instance, as DescribeStackEvents lists it: newest first. */
const ROLLING_UPDATE: StackEventLike[] = [
  event('10:06:00', 'AWS::CloudFormation::Stack', 'img-mgr-dev', 'UPDATE_COMPLETE'),
  event('10:05:50', ASG, 'AppGroup', 'UPDATE_COMPLETE'),
  event(
    '10:05:40',
    ASG,
    'AppGroup',
    'UPDATE_IN_PROGRESS',
    'Successfully terminated instance(s) [i-0aaa1111bbbb2222c] (Progress 100%).',
  ),
  event('10:05:00', ASG, 'AppGroup', 'UPDATE_IN_PROGRESS', 'Received SUCCESS signal with UniqueId i-0ddd3333eeee4444f'),
  event(
    '10:02:00',
    ASG,
    'AppGroup',
    'UPDATE_IN_PROGRESS',
    'Terminating instance(s) [i-0aaa1111bbbb2222c]; replacing with 1 new instance(s).',
  ),
  event(
    '10:01:30',
    ASG,
    'AppGroup',
    'UPDATE_IN_PROGRESS',
    'Rolling update initiated. Terminating 1 obsolete instance(s) in batches of 1.',
  ),
  event('10:01:00', 'AWS::EC2::LaunchTemplate', 'AppLaunchTemplate', 'UPDATE_COMPLETE'),
  event('10:00:30', 'AWS::CloudFormation::Stack', 'img-mgr-dev', 'UPDATE_IN_PROGRESS', 'User Initiated'),
];

const GOOD_RUN: RolloutObservations = {
  bake: { outcome: 'baked', at: '2026-12-07T09:58:00Z', amiId: 'ami-0123456789abcdef0', durationMs: 312_000 },
  publish: {
    at: '2026-12-07T09:59:00Z',
    parameter: '/common/img-mgr/golden-ami',
    amiId: 'ami-0123456789abcdef0',
    version: 7,
  },
  stack: { name: 'img-mgr-dev', events: ROLLING_UPDATE },
  smoke: {
    at: '2026-12-07T10:06:20Z',
    url: 'http://img-mgr.elb.amazonaws.com/',
    passed: true,
    samples: 5,
    revisionsSeen: { [NEW]: 5, [OLD]: 1 },
    amiIds: ['ami-0123456789abcdef0'],
    elapsedMs: 8_000,
  },
};

describe('buildTimeline', () => {
  it('a good rollout: bake, publish, the stack events oldest first (instances with times), the smoke test', () => {
    const timeline = buildTimeline(GOOD_RUN);
    expect(timeline.entries.map((entry) => [entry.at?.slice(11, 19), entry.step, entry.text])).toEqual([
      ['09:58:00', 'bake', 'baked ami-0123456789abcdef0 in 5m12s'],
      ['09:59:00', 'publish', '/common/img-mgr/golden-ami version 7 → ami-0123456789abcdef0'],
      ['10:00:30', 'stack', 'img-mgr-dev UPDATE_IN_PROGRESS'],
      ['10:01:30', 'instance', 'rolling update started'],
      ['10:02:00', 'instance', 'terminating i-0aaa1111bbbb2222c; replacing it'],
      ['10:05:00', 'instance', 'launched i-0ddd3333eeee4444f (healthy: it signalled SUCCESS)'],
      ['10:05:40', 'instance', 'terminated i-0aaa1111bbbb2222c'],
      ['10:06:00', 'stack', 'img-mgr-dev UPDATE_COMPLETE'],
      [
        '10:06:20',
        'smoke',
        'smoke test of http://img-mgr.elb.amazonaws.com/: passed (5 samples; revisions seen: b1e2c3d4e5f6… ×5, ' +
          'a0a0a0a0a0a0… ×1; AMI ami-0123456789abcdef0; in 8s)',
      ],
    ]);
    expect(timeline.outcome).toBe('deployed; smoke test passed');
    expect(timeline.entries.some((entry) => entry.failed)).toBe(false);
  });

  it.each<[string, RolloutObservations, string, string]>([
    [
      'a skipped bake',
      { bake: { outcome: 'skipped', amiId: 'ami-0123456789abcdef0', reason: 'same fingerprint', durationMs: 900 } },
      'skipped: ami-0123456789abcdef0 (same fingerprint) in 900ms',
      'deployed',
    ],
    [
      'a smoke test that is off',
      { smoke: { url: 'http://x/', off: 'smoke-test: false' } },
      'smoke test of http://x/: off (smoke-test: false)',
      'deployed (smoke test off)',
    ],
    [
      'a failed smoke test',
      { smoke: { url: 'http://x/', passed: false, error: 'smoke test of http://x/: POST /upload answered 500' } },
      'smoke test of http://x/: FAILED: POST /upload answered 500',
      'smoke test failed',
    ],
  ])('%s', (_name, observed, text, outcome) => {
    const timeline = buildTimeline(observed);
    expect(timeline.entries.map((entry) => entry.text)).toEqual([text]);
    expect(timeline.outcome).toBe(outcome);
  });

  it('a run that stopped: the failure is its last entry and its outcome', () => {
    const timeline = buildTimeline({
      bake: { outcome: 'skipped', amiId: 'ami-0123456789abcdef0' },
      failure: { step: 'publish', message: 'publish: ami-0123456789abcdef0 is rejected\nin us-east-1' },
    });
    expect(timeline.entries.at(-1)).toEqual({
      step: 'failed',
      text: 'publish: ami-0123456789abcdef0 is rejected in us-east-1',
      failed: true,
    });
    expect(timeline.outcome).toBe('failed at publish');
  });

  it('a revert whose own smoke test passed', () => {
    const timeline = buildTimeline({
      smoke: { url: 'http://x/', passed: false, error: 'smoke test of http://x/: GET / answered 500' },
      revert: {
        rejectedAmi: 'ami-0bbbbbbbbbbbbbbbb',
        restoredAmi: 'ami-0aaaaaaaaaaaaaaaa',
        version: 9,
        redeployed: true,
        smoke: { url: 'http://x/', passed: true, samples: 5, revisionsSeen: { [OLD]: 5 } },
      },
    });
    expect(timeline.entries.slice(1).map((entry) => [entry.step, entry.text, entry.failed ?? false])).toEqual([
      [
        'revert',
        'tagged ami-0bbbbbbbbbbbbbbbb img-mgr:rejected; parameter back on ami-0aaaaaaaaaaaaaaaa (version 9); ' +
          'stack redeployed',
        false,
      ],
      [
        'revert',
        'smoke test of the reverted site http://x/: passed (5 samples; revisions seen: a0a0a0a0a0a0… ×5)',
        false,
      ],
    ]);
    expect(timeline.outcome).toBe('reverted; the reverted site passed its smoke test');
  });

  it('a revert whose own smoke test failed is loud and says it is not retried', () => {
    const timeline = buildTimeline({
      revert: {
        rejectedAmi: 'ami-0bbbbbbbbbbbbbbbb',
        restoredAmi: 'ami-0aaaaaaaaaaaaaaaa',
        redeployed: true,
        smoke: {
          url: 'http://x/',
          passed: false,
          error: 'smoke test of http://x/: no answer within 60 s (last: ECONNREFUSED)',
        },
      },
    });
    expect(timeline.entries.at(-1)).toEqual({
      step: 'revert',
      text:
        'smoke test of the reverted site http://x/: FAILED: no answer within 60 s (last: ECONNREFUSED); ' +
        'the revert is not retried: look at the site now',
      failed: true,
    });
    expect(timeline.outcome).toBe('reverted, but the reverted site FAILED its smoke test');
    expect(renderTimelineText(timeline)).toContain('!! smoke test of the reverted site');
  });

  it('a failed stack update keeps the failure reasons and marks them', () => {
    const timeline = buildTimeline({
      stack: {
        name: 'img-mgr-dev',
        events: [
          event('10:20:00', 'AWS::CloudFormation::Stack', 'img-mgr-dev', 'UPDATE_ROLLBACK_COMPLETE'),
          event(
            '10:19:00',
            ASG,
            'AppGroup',
            'UPDATE_FAILED',
            'Received FAILURE signal with UniqueId i-0ddd3333eeee4444f',
          ),
          event('10:18:00', 'AWS::S3::Bucket', 'Uploads', 'UPDATE_FAILED', 'Resource update cancelled'),
          event('10:17:00', 'AWS::EC2::Instance', 'Bastion', 'CREATE_COMPLETE', '', 'i-0123456789abcdef0'),
        ],
      },
    });
    expect(timeline.entries.map((entry) => [entry.text, entry.failed ?? false])).toEqual([
      ['launched i-0123456789abcdef0 (Bastion)', false],
      ['i-0ddd3333eeee4444f signalled FAILURE', true],
      ['img-mgr-dev UPDATE_ROLLBACK_COMPLETE', true],
    ]);
  });
});

describe('autoScalingLine', () => {
  it.each([
    [
      'New instance(s) added to autoscaling group - Waiting on 1 resource signal(s) with a timeout of PT15M.',
      'new instance(s) launching',
    ],
    ['Temporarily setting autoscaling group MinSize and DesiredCapacity to 2.', undefined],
    [
      'Failed to receive 1 resource signal(s) within the specified duration',
      'Failed to receive 1 resource signal(s) within the specified duration',
    ],
  ])('%s', (reason, text) => {
    expect(autoScalingLine(reason)?.text).toBe(text);
  });
});

describe('renderers', () => {
  it('Markdown: a heading, the outcome, one table row per entry', () => {
    const markdown = renderTimelineMarkdown(buildTimeline(GOOD_RUN));
    const lines = markdown.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '### Rollout timeline',
      '',
      '**deployed; smoke test passed**',
      '',
      '| Time (UTC) | Step | What happened |',
    ]);
    expect(lines).toContain('| 10:05:00 | instance | launched i-0ddd3333eeee4444f (healthy: it signalled SUCCESS) |');
    expect(lines.filter((line) => line.startsWith('| ')).length).toBe(2 + 9);
  });

  it('Markdown: a cell cannot break the table or inject markup', () => {
    expect(escapeMarkdown('a | b\n<img src=x> [l](u) `c` *d*')).toBe(
      'a \\| b &lt;img src=x&gt; \\[l\\](u) \\`c\\` \\*d\\*',
    );
    const markdown = renderTimelineMarkdown({
      entries: [{ step: 'stack', text: 'x | y', failed: true }],
      outcome: 'o',
    });
    expect(markdown).toContain('| – | stack | ❌ x \\| y |');
  });

  it('plain text: aligned columns, times, the outcome last', () => {
    const text = renderTimelineText(buildTimeline({ ...GOOD_RUN, stack: undefined }));
    expect(text.split('\n')).toEqual([
      'Rollout timeline (UTC):',
      '  09:58:00  bake     baked ami-0123456789abcdef0 in 5m12s',
      '  09:59:00  publish  /common/img-mgr/golden-ami version 7 → ami-0123456789abcdef0',
      '  10:06:20  smoke    smoke test of http://img-mgr.elb.amazonaws.com/: passed (5 samples; revisions seen: ' +
        'b1e2c3d4e5f6… ×5, a0a0a0a0a0a0… ×1; AMI ami-0123456789abcdef0; in 8s)',
      '  => deployed; smoke test passed',
      '',
    ]);
    expect(renderTimelineText({ entries: [], outcome: 'nothing' })).toBe(
      'Rollout timeline (UTC):\n  nothing ran\n  => nothing\n',
    );
  });
});
