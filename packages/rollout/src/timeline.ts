/**
 * The rollout timeline: what one run saw, in order: the bake (baked or
 * skipped, and how long), the publish (the parameter's version), the app
 * stack's events (instances launched and terminated, with times), the smoke
 * test (samples, the revision seen) and the revert, if any. Built from what
 * the run recorded, never from a second look at AWS; rendered as Markdown
 * for a GitHub job summary and as plain text for the CLI. Pure functions.
 */
import { formatDuration } from '@img-mgr/kernel';
import { shortRevision } from './revision-file.js';

/** A CloudFormation stack event as DescribeStackEvents returns it (only the fields read here). */
export interface StackEventLike {
  Timestamp?: Date | string;
  LogicalResourceId?: string;
  PhysicalResourceId?: string;
  ResourceType?: string;
  ResourceStatus?: string;
  ResourceStatusReason?: string;
}

export interface BakeObservation {
  outcome: 'baked' | 'skipped';
  /** When the bake ended (ISO 8601). */
  at?: string;
  amiId?: string;
  durationMs?: number;
  /** Why a bake was skipped (e.g. an AMI with the same fingerprint exists). */
  reason?: string;
}

export interface PublishObservation {
  at?: string;
  parameter: string;
  amiId?: string;
  version?: number;
  /** The parameter already held the AMI: nothing was written. */
  unchanged?: boolean;
}

export interface SmokeObservation {
  at?: string;
  url: string;
  /** Off on purpose: the reason (and nothing else is read). */
  off?: string;
  passed?: boolean;
  samples?: number;
  revisionsSeen?: Record<string, number>;
  expectedRevision?: string;
  amiIds?: string[];
  elapsedMs?: number;
  /** The failure's one line. */
  error?: string;
}

export interface RevertObservation {
  at?: string;
  /** The AMI that was tagged img-mgr:rejected. */
  rejectedAmi?: string;
  /** The AMI the parameter is back on, and its new version. */
  restoredAmi?: string;
  version?: number;
  /** The stack was redeployed on the restored AMI. */
  redeployed?: boolean;
  /** The reverted site's smoke test. */
  smoke?: SmokeObservation;
  /** What stopped the revert (one line), if it did not finish. */
  error?: string;
}

/** What a run saw, as the timeline's input. Any part may be missing (a run that stopped early). */
export interface RolloutObservations {
  bake?: BakeObservation;
  publish?: PublishObservation;
  /** The app stack's name and the events of this run's deploy, in any order (CloudFormation lists newest first). */
  stack?: { name: string; events: StackEventLike[] };
  smoke?: SmokeObservation;
  revert?: RevertObservation;
  /** What stopped the run before it finished (a failed bake, publish or deploy), as one line. */
  failure?: { at?: string; step?: string; message: string };
}

export type TimelineStep = 'bake' | 'publish' | 'stack' | 'instance' | 'smoke' | 'revert' | 'failed';

/** One line of the timeline. */
export interface TimelineEntry {
  /** ISO 8601, when known. */
  at?: string;
  step: TimelineStep;
  /** What happened, one line, without Markdown. */
  text: string;
  /** A failure or a loud warning: the renderers mark it. */
  failed?: boolean;
}

export interface Timeline {
  entries: TimelineEntry[];
  /** The one-line verdict: passed, failed, reverted, revert failed. */
  outcome: string;
}

const INSTANCE_ID = /\bi-[0-9a-f]{8,17}\b/g;

/**
 * The timeline of `observed`: bake, publish, the stack's events in time
 * order (stack status changes, instances launched and terminated, failures
 * with their reasons), the smoke test, the revert.
 */
export function buildTimeline(observed: RolloutObservations): Timeline {
  const entries: TimelineEntry[] = [];
  const bake = observed.bake;
  if (bake) {
    const took = bake.durationMs !== undefined ? ` in ${formatDuration(bake.durationMs)}` : '';
    entries.push({
      ...at(bake.at),
      step: 'bake',
      text:
        bake.outcome === 'baked'
          ? `baked ${bake.amiId ?? 'an AMI'}${took}`
          : `skipped${bake.amiId ? `: ${bake.amiId}` : ''}${bake.reason ? ` (${bake.reason})` : ''}${took}`,
    });
  }
  const publish = observed.publish;
  if (publish) {
    const version = publish.version !== undefined ? ` version ${publish.version}` : '';
    entries.push({
      ...at(publish.at),
      step: 'publish',
      text: publish.unchanged
        ? `${publish.parameter}${version} already held ${publish.amiId ?? 'the AMI'}`
        : `${publish.parameter}${version} → ${publish.amiId ?? 'the AMI'}`,
    });
  }
  if (observed.stack) entries.push(...stackEntries(observed.stack.name, observed.stack.events));
  if (observed.smoke) entries.push(smokeEntry(observed.smoke, 'smoke'));
  const revert = observed.revert;
  if (revert) {
    const parts = [
      revert.rejectedAmi ? `tagged ${revert.rejectedAmi} img-mgr:rejected` : undefined,
      revert.restoredAmi
        ? `parameter back on ${revert.restoredAmi}${revert.version !== undefined ? ` (version ${revert.version})` : ''}`
        : undefined,
      revert.redeployed === true
        ? 'stack redeployed'
        : revert.redeployed === false
          ? 'stack not redeployed'
          : undefined,
    ].filter((part): part is string => part !== undefined);
    entries.push({
      ...at(revert.at),
      step: 'revert',
      text: `${parts.join('; ') || 'started'}${revert.error ? `; stopped: ${revert.error}` : ''}`,
      ...(revert.error ? { failed: true } : {}),
    });
    if (revert.smoke) entries.push(smokeEntry(revert.smoke, 'revert'));
  }
  const failure = observed.failure;
  if (failure) {
    const message = oneLine(failure.message);
    const named = !failure.step || message.startsWith(`${failure.step}:`);
    entries.push({
      ...at(failure.at),
      step: 'failed',
      text: named ? message : `${failure.step}: ${message}`,
      failed: true,
    });
  }
  return { entries, outcome: outcomeOf(observed) };
}

/** What a failed smoke test of a revert adds: nothing retries it, someone has to look. */
const NOT_RETRIED = 'the revert is not retried: look at the site now';

function at(value: string | undefined): { at?: string } {
  return value ? { at: value } : {};
}

function smokeEntry(smoke: SmokeObservation, step: 'smoke' | 'revert'): TimelineEntry {
  const prefix = step === 'revert' ? `smoke test of the reverted site ${smoke.url}` : `smoke test of ${smoke.url}`;
  if (smoke.off) return { ...at(smoke.at), step, text: `${prefix}: off (${smoke.off})` };
  const seen = Object.entries(smoke.revisionsSeen ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([revision, count]) => `${shortRevision(revision)} ×${count}`)
    .join(', ');
  const details = [
    smoke.samples !== undefined ? `${smoke.samples} samples` : undefined,
    seen ? `revisions seen: ${seen}` : undefined,
    smoke.amiIds && smoke.amiIds.length > 0 ? `AMI ${smoke.amiIds.join(', ')}` : undefined,
    smoke.elapsedMs !== undefined ? `in ${formatDuration(smoke.elapsedMs)}` : undefined,
  ].filter((part): part is string => part !== undefined);
  if (smoke.passed)
    return { ...at(smoke.at), step, text: `${prefix}: passed${details.length > 0 ? ` (${details.join('; ')})` : ''}` };
  // A failed smoke test of a revert is the loud case: the site may be down with nothing left to go back to.
  const failedText = smoke.error ? oneLine(smoke.error).replace(/^smoke test of \S+: /, '') : 'failed';
  return {
    ...at(smoke.at),
    step,
    text: `${prefix}: FAILED: ${failedText}${step === 'revert' ? `; ${NOT_RETRIED}` : ''}`,
    failed: true,
  };
}

/** The events worth a line: stack status changes, instance launches and terminations, failures. */
export function stackEntries(stack: string, events: StackEventLike[]): TimelineEntry[] {
  const ordered = events
    .map((event, index) => ({ event, index, time: timeOf(event.Timestamp) }))
    // CloudFormation lists newest first: oldest first here, ties kept in reverse listing order.
    .sort((a, b) => a.time - b.time || b.index - a.index);
  const entries: TimelineEntry[] = [];
  for (const { event, time } of ordered) {
    const when = Number.isFinite(time) ? { at: new Date(time).toISOString() } : {};
    const status = event.ResourceStatus ?? '';
    const reason = oneLine(event.ResourceStatusReason ?? '');
    const type = event.ResourceType ?? '';
    const logical = event.LogicalResourceId ?? '';
    if (type === 'AWS::CloudFormation::Stack' && logical === stack) {
      entries.push({
        ...when,
        step: 'stack',
        text: `${stack} ${status}${status.endsWith('FAILED') || status.includes('ROLLBACK') ? reasonText(reason) : ''}`,
        ...(isFailure(status) ? { failed: true } : {}),
      });
      continue;
    }
    if (type === 'AWS::EC2::Instance') {
      const id = event.PhysicalResourceId ? ` ${event.PhysicalResourceId}` : '';
      if (status === 'CREATE_COMPLETE') entries.push({ ...when, step: 'instance', text: `launched${id} (${logical})` });
      else if (status === 'DELETE_COMPLETE')
        entries.push({ ...when, step: 'instance', text: `terminated${id} (${logical})` });
      else if (status.endsWith('FAILED'))
        entries.push({ ...when, step: 'instance', text: `${logical} ${status}${reasonText(reason)}`, failed: true });
      continue;
    }
    if (type === 'AWS::AutoScaling::AutoScalingGroup') {
      const line = autoScalingLine(reason);
      if (line) entries.push({ ...when, step: 'instance', text: line.text, ...(line.failed ? { failed: true } : {}) });
      else if (status.endsWith('FAILED'))
        entries.push({ ...when, step: 'stack', text: `${logical} ${status}${reasonText(reason)}`, failed: true });
      continue;
    }
    if (status.endsWith('FAILED') && reason && !/^Resource update cancelled/i.test(reason))
      entries.push({ ...when, step: 'stack', text: `${logical} ${status}${reasonText(reason)}`, failed: true });
  }
  return entries;
}

/** An Auto Scaling group's status reason that says an instance came or went, as one line. */
export function autoScalingLine(reason: string): { text: string; failed?: boolean } | undefined {
  const ids = (text: string): string => (text.match(INSTANCE_ID) ?? []).join(', ');
  let match = /Received SUCCESS signal with UniqueId (i-[0-9a-f]+)/.exec(reason);
  if (match) return { text: `launched ${match[1]} (healthy: it signalled SUCCESS)` };
  match = /Received FAILURE signal with UniqueId (i-[0-9a-f]+)/.exec(reason);
  if (match) return { text: `${match[1]} signalled FAILURE`, failed: true };
  if (/Successfully terminated instance\(s\)/i.test(reason)) return { text: `terminated ${ids(reason)}` };
  if (/Terminating instance\(s\)/i.test(reason)) return { text: `terminating ${ids(reason)}; replacing it` };
  match = /New instance\(s\) added to autoscaling group/i.exec(reason);
  if (match) return { text: 'new instance(s) launching' };
  if (/Rolling update initiated/i.test(reason)) return { text: 'rolling update started' };
  if (/Failed to receive \d+ resource signal/i.test(reason)) return { text: oneLine(reason), failed: true };
  return undefined;
}

function outcomeOf(observed: RolloutObservations): string {
  const revert = observed.revert;
  if (revert) {
    if (revert.error) return `revert failed: ${oneLine(revert.error)}`;
    if (revert.smoke?.off) return 'reverted (the reverted site was not smoke-tested)';
    if (revert.smoke && !revert.smoke.passed) return 'reverted, but the reverted site FAILED its smoke test';
    return revert.smoke ? 'reverted; the reverted site passed its smoke test' : 'reverted';
  }
  if (observed.failure) return `failed${observed.failure.step ? ` at ${observed.failure.step}` : ''}`;
  if (observed.smoke?.off) return 'deployed (smoke test off)';
  if (observed.smoke && !observed.smoke.passed) return 'smoke test failed';
  if (observed.smoke?.passed) return 'deployed; smoke test passed';
  return 'deployed';
}

function isFailure(status: string): boolean {
  return (
    status.endsWith('FAILED') || (status.includes('ROLLBACK') && !status.startsWith('UPDATE_ROLLBACK_COMPLETE_CLEANUP'))
  );
}

function reasonText(reason: string): string {
  return reason ? `: ${reason}` : '';
}

function timeOf(value: Date | string | undefined): number {
  if (value === undefined) return Number.NaN;
  return (value instanceof Date ? value : new Date(value)).getTime();
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `HH:MM:SS` (UTC) of an ISO time, or blank. */
function clock(value: string | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(11, 19);
}

/** The timeline as Markdown for a GitHub job summary: a heading, the outcome, a table. */
export function renderTimelineMarkdown(timeline: Timeline, title = 'Rollout timeline'): string {
  const rows = timeline.entries.map(
    (entry) =>
      `| ${clock(entry.at) || '–'} | ${entry.step} | ${entry.failed ? '❌ ' : ''}${escapeMarkdown(entry.text)} |`,
  );
  return [
    `### ${escapeMarkdown(title)}`,
    '',
    `**${escapeMarkdown(timeline.outcome)}**`,
    '',
    ...(rows.length > 0 ? ['| Time (UTC) | Step | What happened |', '| --- | --- | --- |', ...rows] : ['Nothing ran.']),
    '',
  ].join('\n');
}

/** The timeline as plain text for the CLI: one aligned line per entry, the outcome last. */
export function renderTimelineText(timeline: Timeline, title = 'Rollout timeline'): string {
  const width = Math.max(0, ...timeline.entries.map((entry) => entry.step.length));
  const lines = timeline.entries.map(
    (entry) =>
      `  ${(clock(entry.at) || '--:--:--').padEnd(8)}  ${entry.step.padEnd(width)}  ` +
      `${entry.failed ? '!! ' : ''}${entry.text}`,
  );
  return [`${title} (UTC):`, ...(lines.length > 0 ? lines : ['  nothing ran']), `  => ${timeline.outcome}`, ''].join(
    '\n',
  );
}

/** Text made inert in a Markdown table cell: no markup, no HTML, no line breaks, no cell breaks. */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`);
}
