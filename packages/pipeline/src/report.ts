/**
 * What a command did, collected as it goes (so a failed run still reports
 * what it finished), and its two renderings: the summary table for people
 * and the JSON document for machines (--json).
 */
import type { Timeline } from '@img-mgr/rollout/timeline';
import { formatElapsed } from './progress.js';

export interface AmiReport {
  id: string;
  region: string;
  /** Region → AMI (one entry unless the template copies the AMI). */
  amis: Record<string, string>;
  /** True when an AMI baked from the same inputs was found and Packer did not run. */
  skipped: boolean;
  fingerprint: string;
  appRevision?: string;
  durationMs: number;
}

export interface ParameterReport {
  name: string;
  region: string;
  amiId: string;
  version?: number;
  changed: boolean;
  previousAmiId?: string;
  previousVersion?: number;
  /** For a rollback: the version whose value was republished. */
  rolledBackTo?: number;
}

export interface StackReport {
  name: string;
  status: string;
  /** No changes were needed. */
  noChanges?: boolean;
  /** The AMI the stack resolved from the SSM parameter (app stack). */
  imageId?: string;
  outputs: Record<string, string>;
  /**
   * Output keys shown as *** (NoEcho by meaning, deploy-stack's rule; see stack-secrets.ts), on screen and in
   * --json.
   */
  secretOutputs?: string[];
  durationMs?: number;
}

export interface PointerVersionReport {
  version: number;
  value: string;
  labels: string[];
  modified?: string;
}

export interface StatusReport {
  parameter: {
    name: string;
    region: string;
    exists: boolean;
    current?: PointerVersionReport;
    history: PointerVersionReport[];
  };
  stacks: (StackReport & { exists: boolean; launchTemplateAmi?: string })[];
}

/** The local preview of the app (local runs). */
export interface PreviewReport {
  running: boolean;
  url?: string;
  /** Why the preview is off (the run still succeeded). */
  off?: string;
  repo?: string;
  ref?: string;
  commit?: string;
  bucket?: string;
  pid?: number;
  /** The smoke test passed: the upload page answered, an upload reached the bucket, the revision answered. */
  checked?: boolean;
  /** What the smoke test saw. */
  smoke?: { samples: number; revisionsSeen: Record<string, number>; elapsedMs: number; uploadStatus: number };
  /** Still running after the command (it stays with a kept local AWS until `down`). */
  kept?: boolean;
}

/** A local run's revert after its preview failed the smoke test (revert-step.ts). */
export interface RevertReport {
  /** The smoke test's failure that started it. */
  reason: string;
  /** Tagged img-mgr:rejected. */
  rejectedAmi?: string;
  /** The AMI the parameter holds again, and the version that republished it. */
  restoredAmi?: string;
  version?: number;
  /** The app stack was redeployed on it. */
  redeployed: boolean;
  stack?: string;
  /** The previous revision in the preview and its own smoke test. */
  preview?: {
    commit?: string;
    url?: string;
    passed?: boolean;
    off?: string;
    error?: string;
    samples?: number;
    elapsedMs?: number;
  };
  /** What stopped the revert (it is never retried). */
  error?: string;
}

/** One region of a rollout in waves (--targets, --regions): what it got and what it runs now. */
export interface RegionReport {
  region: string;
  wave: number;
  /** The home region: where the bake ran. */
  home: boolean;
  /** The AMI this run rolls out there: the baked one (home) or its copy. */
  amiId: string;
  /** The copy was made by this run (false: found by its fingerprint). */
  copied?: boolean;
  /**
   * deployed: parameter and stack on `amiId`, check passed; failed: what failed (nothing published, or the revert
   * was not needed); reverted / revert failed: the wave failed and this region was put back; not reached: a later
   * wave after a failed one, untouched.
   */
  outcome: 'deployed' | 'failed' | 'reverted' | 'revert failed' | 'not reached';
  /** The parameter's version after this run. */
  parameterVersion?: number;
  /** The AMI the region's app stack runs after this run (read back from the stack), when known. */
  runs?: string;
  /** The region's check between waves: the front door, or what stood in for it, in one line. */
  check?: string;
  /** What failed, one line. */
  error?: string;
  /** The revert, one line. */
  revert?: string;
}

export interface RunReport {
  command: string;
  ok: boolean;
  exitCode: number;
  error?: { message: string; hint?: string };
  target: { kind: string; region: string; endpoint?: string; kept?: boolean };
  ami?: AmiReport;
  parameter?: ParameterReport;
  stacks: StackReport[];
  /** The stack's Url output: on an emulator, a made-up load balancer name that does not answer. */
  appUrl?: string;
  preview?: PreviewReport;
  /** The revert of a run whose preview failed its smoke test. */
  revert?: RevertReport;
  /** A rollout in waves: every target region, in wave order. */
  regions?: RegionReport[];
  /** The rollout timeline of a `run` (bake, publish, the app stack's events, smoke test, revert). */
  timeline?: Timeline;
  status?: StatusReport;
  durationMs: number;
}

/** A new report for `command`. */
export function newReport(command: string): RunReport {
  return { command, ok: false, exitCode: 1, target: { kind: 'local', region: '' }, stacks: [], durationMs: 0 };
}

/**
 * The JSON document printed by --json (stable keys; one document on stdout).
 * Outputs that carry a NoEcho value are `***` here too: stdout ends up in CI
 * logs and files, where no runner masks them.
 */
export function renderJson(report: RunReport): string {
  const masked = { ...report, stacks: report.stacks.map(withSecretsMasked) };
  if (report.status) masked.status = { ...report.status, stacks: report.status.stacks.map(withSecretsMasked) };
  return `${JSON.stringify(masked, null, 2)}\n`;
}

/** The stack with its secret outputs' values replaced by `***`. */
function withSecretsMasked<T extends StackReport>(stack: T): T {
  const hidden = stack.secretOutputs ?? [];
  if (hidden.length === 0) return stack;
  return {
    ...stack,
    outputs: Object.fromEntries(
      Object.entries(stack.outputs).map(([key, value]) => [key, hidden.includes(key) ? '***' : value]),
    ),
  };
}

/** One line: what was reverted and whether the reverted preview passed. */
export function revertSummary(report: RevertReport): string {
  const parts = [
    report.rejectedAmi ? `${report.rejectedAmi} rejected` : '',
    report.restoredAmi
      ? `parameter back on ${report.restoredAmi}${report.version !== undefined ? ` (version ${report.version})` : ''}`
      : '',
    report.redeployed ? `${report.stack ?? 'the app stack'} redeployed` : '',
    report.preview?.passed
      ? `the preview serves ${report.preview.commit?.slice(0, 12) ?? 'the previous revision'} again and passed ` +
        'its smoke test'
      : report.preview?.off
        ? `the preview was not restored (${report.preview.off})`
        : '',
  ].filter(Boolean);
  const text = `reverted: ${parts.join('; ')}`;
  return report.error ? `${text}; REVERT FAILED (not retried): ${report.error}` : text;
}

/** Two aligned columns, with a rule under the title. */
export function table(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length), 4);
  const lines = rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  return [
    title,
    `  ${'─'.repeat(Math.min(72, Math.max(title.length, ...lines.map((line) => line.length - 2))))}`,
    ...lines,
  ].join('\n');
}

/** The final summary: AMI, parameter version, stacks and their status, app URL, where it ran. */
export function renderSummary(report: RunReport): string {
  if (report.status) return renderStatus(report);
  const rows: [string, string][] = [];
  if (report.ami) {
    const how = report.ami.skipped
      ? 'already baked, Packer skipped'
      : `baked by Packer in ${formatElapsed(report.ami.durationMs)}`;
    rows.push(['AMI', `${report.ami.id} (${report.ami.region}; ${how})`]);
    rows.push(['Fingerprint', report.ami.fingerprint.slice(0, 16)]);
  }
  if (report.parameter) {
    const p = report.parameter;
    const change =
      p.rolledBackTo !== undefined
        ? `rolled back to the value of version ${p.rolledBackTo}`
        : p.changed
          ? p.previousAmiId
            ? `was ${p.previousAmiId} (version ${p.previousVersion ?? '?'})`
            : 'new parameter'
          : 'unchanged';
    rows.push(['Parameter', `${p.name} = ${p.amiId}`]);
    rows.push(['Version', `${p.version ?? '?'} (${change})`]);
  }
  for (const stack of report.stacks) {
    const extra = [stack.noChanges ? 'no changes' : '', stack.imageId ? `AMI ${stack.imageId}` : '']
      .filter(Boolean)
      .join(', ');
    rows.push([`Stack ${stack.name}`, `${stack.status}${extra ? ` (${extra})` : ''}`]);
  }
  for (const region of report.regions ?? []) rows.push(regionRow(region));
  rows.push(...appRows(report));
  if (report.revert) rows.push(['Revert', revertSummary(report.revert)]);
  rows.push(['AWS', targetText(report)]);
  rows.push(['Result', resultText(report)]);
  return `${table(`img-mgr-pipeline ${report.command}`, rows)}\n`;
}

/** A region of a rollout in waves: what it runs now, and how it got there. */
function regionRow(region: RegionReport): [string, string] {
  const runs = region.runs ? `runs ${region.runs}` : 'what it runs was not read';
  const details = [
    region.home
      ? 'home region, baked here'
      : region.copied === undefined
        ? ''
        : region.copied
          ? 'copied'
          : 'copy found',
    region.parameterVersion !== undefined ? `parameter version ${region.parameterVersion}` : '',
    region.check ?? '',
    region.error ? `failed: ${region.error}` : '',
    region.revert ?? '',
  ].filter(Boolean);
  const state = region.outcome === 'not reached' ? 'not reached (untouched)' : `${region.outcome}, ${runs}`;
  return [
    `Region ${region.region} (wave ${region.wave})`,
    `${state}${details.length ? `; ${details.join('; ')}` : ''}`,
  ];
}

function renderStatus(report: RunReport): string {
  const status = report.status;
  if (!status) return '';
  const p = status.parameter;
  const rows: [string, string][] = [];
  rows.push([
    'Parameter',
    p.exists && p.current
      ? `${p.name} = ${p.current.value} (version ${p.current.version})`
      : `${p.name} does not exist`,
  ]);
  const parts = [table(`img-mgr-pipeline status`, rows)];
  if (p.history.length > 0) {
    const history = [...p.history]
      .reverse()
      .slice(0, 10)
      .map((entry): [string, string] => [
        `v${entry.version}${entry.version === p.current?.version ? ' *' : ''}`,
        [entry.value, entry.modified ?? '', entry.labels.length > 0 ? `[${entry.labels.join(', ')}]` : '']
          .filter(Boolean)
          .join('  '),
      ]);
    parts.push(
      table(
        `History of ${p.name} (newest first${p.history.length > 10 ? `, 10 of ${p.history.length}` : ''})`,
        history,
      ),
    );
  }
  for (const stack of status.stacks) {
    const stackRows: [string, string][] = [['Status', stack.exists ? stack.status : 'does not exist']];
    if (stack.imageId) stackRows.push(['Resolved AMI', stack.imageId]);
    if (stack.launchTemplateAmi) stackRows.push(['Launch template AMI', stack.launchTemplateAmi]);
    // Outputs that carry or derive from a NoEcho value are hidden on screen, as deploy-stack hides them in logs.
    for (const [key, value] of Object.entries(stack.outputs))
      stackRows.push([`Output ${key}`, stack.secretOutputs?.includes(key) ? '***' : value]);
    parts.push(table(`Stack ${stack.name}`, stackRows));
  }
  parts.push(table('Where', [...appRows(report), ['AWS', targetText(report)], ['Result', resultText(report)]]));
  return `${parts.join('\n\n')}\n`;
}

/**
 * The app's addresses. On an emulator the stack's Url is a load balancer
 * name the emulator made up, so it is labelled as such, and the address that
 * answers is the local preview's.
 */
function appRows(report: RunReport): [string, string][] {
  const rows: [string, string][] = [];
  const emulated = report.target.kind !== 'aws';
  const preview = report.preview;
  if (preview?.running && preview.url) {
    const what = [
      preview.checked ? 'upload page and an upload checked' : '',
      preview.commit ? `${preview.ref ?? ''} @ ${preview.commit.slice(0, 12)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const life = preview.kept
      ? 'runs until img-mgr-pipeline down'
      : 'stopped with the local AWS; use --keep to keep it';
    rows.push(['App (local preview)', `${preview.url} (${[what, life].filter(Boolean).join('; ')})`]);
  } else if (preview?.off) {
    rows.push(['App (local preview)', `off: ${preview.off}`]);
  }
  if (report.appUrl) {
    if (emulated) rows.push(['Load balancer', `${report.appUrl} (the emulator's made-up name; it does not answer)`]);
    else rows.push(['App URL', report.appUrl]);
  }
  return rows;
}

function targetText(report: RunReport): string {
  const t = report.target;
  if (t.kind === 'aws') return `your AWS account, ${t.region}`;
  const where = `${t.kind === 'local' ? 'local AWS (moto)' : 'AWS emulator'} at ${t.endpoint ?? '?'}, ${t.region}`;
  if (t.kind !== 'local') return where;
  return `${where}${t.kept ? ' (kept running; stop it with img-mgr-pipeline down)' : ' (stopped)'}`;
}

function resultText(report: RunReport): string {
  const took = formatElapsed(report.durationMs);
  if (report.ok) return `OK in ${took}`;
  const hint = report.error?.hint ? `. ${report.error.hint}` : '';
  return `FAILED (exit ${report.exitCode}) after ${took}: ${report.error?.message ?? 'unknown error'}${hint}`;
}
