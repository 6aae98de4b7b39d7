/**
 * Running a command: pick the AWS target, run the steps with a progress
 * display, always release what was started, then print the summary (or
 * --json) and return the exit code.
 */
import { CancelledError, environmentSecrets, errorMessage, formatDuration, TimeoutError } from '@img-mgr/kernel';
import { renderTimelineText } from '@img-mgr/rollout/timeline';
import { appSourceFor, BAKING_COMMANDS } from './app-source.js';
import type { Options } from './args.js';
import { runCommand } from './commands.js';
import { commandContext } from './context.js';
import { PipelineError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { repoRoot } from '@img-mgr/local-host';
import { defaultStateDir } from './paths.js';
import { newRedactor, redactingIo } from './redactor.js';
import { plainProgress, ttyProgress, wantsColor, type Progress } from './progress.js';
import { newReport, renderJson, renderSummary, type RunReport } from './report.js';
import { asStepError } from './step-errors.js';
import { killRecordedPreview, stopRecordedPreview } from './preview.js';
import { lockStateDir, type StateLock } from './state-lock.js';
import { listenForStopSignals } from './stop-signals.js';
import { openTarget, stopKeptLocalAws, type AwsTarget } from './target.js';

/** `down`: stops the local preview and a kept local AWS (under the state folder's lock). */
export async function down(options: Options, io: Io): Promise<number> {
  const stateDir = options.stateDir ?? defaultStateDir(io.env);
  let lines: string[];
  let lock: StateLock | undefined;
  try {
    lock = lockStateDir(stateDir, 'down');
    const preview = await stopRecordedPreview(stateDir);
    lines = [...(preview ? [preview] : []), await stopKeptLocalAws(options, {}, io.env)];
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.environment, 'down');
    const hint = failure instanceof PipelineError && failure.hint ? `. ${failure.hint}` : '';
    if (options.json)
      io.stdout(
        `${JSON.stringify(
          { command: 'down', ok: false, exitCode: failure.exitCode, error: { message: failure.message } },
          null,
          2,
        )}\n`,
      );
    io.stderr(`img-mgr-pipeline: error: ${failure.message}${hint}\n`);
    return failure.exitCode;
  } finally {
    lock?.release();
  }
  const message = lines.join('\n');
  if (options.json) io.stdout(`${JSON.stringify({ command: 'down', ok: true, exitCode: 0, message }, null, 2)}\n`);
  else io.stdout(`${message}\n`);
  return ExitCode.ok;
}

/** Commands against the local AWS that only read it, and so need no lock. */
const READ_ONLY: ReadonlySet<string> = new Set(['status']);

/** Runs every command but `down`; resolves with the exit code. */
export async function runWithTarget(options: Options, callerIo: Io): Promise<number> {
  const started = performance.now();
  const redactor = newRedactor();
  // Secrets that came through the environment (AWS keys, GitHub tokens, credentials in PKR_VAR_* URLs).
  for (const secret of environmentSecrets(callerIo.env)) redactor.add(secret);
  const io = redactingIo(callerIo, redactor);
  const report = newReport(options.command);
  const progress = chooseProgress(options, io);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError(`--timeout of ${formatDuration(options.timeoutMs)} ran out`));
  }, options.timeoutMs);
  timer.unref();
  let target: AwsTarget | undefined;
  const stateDir = options.stateDir ?? defaultStateDir(io.env);
  const cancellation = listenForStopSignals((signal, count) => {
    if (count === 1) {
      progress.warn(
        `${signal}: stopping (Packer cleans up, a stack update is cancelled); press Ctrl-C again to quit at once`,
      );
      return;
    }
    // Second signal: do not leave a server (or the preview using it) that this command started running.
    if (target?.local && !target.local.reused && !options.keep) {
      killRecordedPreview(stateDir);
      try {
        process.kill(target.local.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(ExitCode.cancelled);
  });
  cancellation.signal.addEventListener('abort', () => controller.abort(cancellation.signal.reason), { once: true });

  let lock: StateLock | undefined;
  try {
    if (options.target.kind === 'local' && !READ_ONLY.has(options.command))
      lock = lockStateDir(stateDir, options.command);
    // Before any AWS is opened: a --flask-ref that names nothing is bad input, and nothing starts.
    const app = BAKING_COMMANDS.has(options.command)
      ? await appSourceFor({ options, signal: controller.signal })
      : undefined;
    target = await openTarget(options, io.env, (line) => progress.note(line));
    report.target = {
      kind: target.kind,
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    };
    progress.note(`AWS: ${target.describe}`);
    const ctx = commandContext({
      options,
      target,
      progress,
      report,
      signal: controller.signal,
      root: repoRoot(),
      stateDir,
      redactor,
      ...(app ? { app } : {}),
    });
    await runCommand(ctx);
    report.ok = true;
    report.exitCode = ExitCode.ok;
  } catch (error: unknown) {
    const failure = classify(error, { timedOut, cancelled: cancellation.received() !== undefined, options });
    report.ok = false;
    report.exitCode = failure.exitCode;
    report.error = {
      message: failure.message,
      ...(failure instanceof PipelineError && failure.hint ? { hint: failure.hint } : {}),
    };
  } finally {
    clearTimeout(timer);
    if (target) {
      // The preview lives as long as the local AWS it uses.
      const awsStops = target.kind === 'local' && !options.keep && target.local?.reused !== true;
      if (awsStops) {
        const note = await stopRecordedPreview(stateDir).catch(
          (error: unknown) => `could not stop the local preview: ${errorMessage(error)}`,
        );
        if (note) progress.note(note);
      } else if (report.preview?.running) {
        report.preview.kept = true;
      }
      try {
        const note = await target.release();
        if (note) progress.note(note);
      } catch (error: unknown) {
        progress.warn(`could not stop the local AWS: ${errorMessage(error)}`);
      }
      report.target.kept = target.kind === 'local' && (options.keep || target.local?.reused === true);
    }
    progress.close();
    cancellation.dispose();
    lock?.release();
  }
  report.durationMs = performance.now() - started;
  print(report, options, io);
  return report.exitCode;
}

/**
 * A thrown value as the error that sets the exit code. Timeout and
 * cancellation win over what they caused (an interrupted Packer, an aborted
 * call), and the message names the step that was running.
 */
function classify(
  error: unknown,
  state: { timedOut: boolean; cancelled: boolean; options: Options },
): PipelineError | UsageError {
  const failure = asStepError(error, ExitCode.internal, state.options.command);
  const step = (failure instanceof PipelineError ? failure.step : undefined) ?? state.options.command;
  if (state.timedOut)
    return new PipelineError(
      ExitCode.timeout,
      `${step}: --timeout of ${formatDuration(state.options.timeoutMs)} ran out`,
    );
  if (state.cancelled || error instanceof CancelledError)
    return new PipelineError(ExitCode.cancelled, `${step}: cancelled`);
  return failure;
}

function print(report: RunReport, options: Options, io: Io): void {
  if (options.json) {
    io.stdout(renderJson(report));
    return;
  }
  const didSomething = report.ami || report.parameter || report.stacks.length > 0 || report.status;
  if (didSomething) io.stdout(renderSummary(report));
  // The rollout as it happened, the way the workflow's job summary shows it.
  if (report.timeline && report.timeline.entries.length > 0) io.stdout(`\n${renderTimelineText(report.timeline)}`);
  if (!report.ok && report.error) {
    io.stderr(`img-mgr-pipeline: error: ${report.error.message}${report.error.hint ? `. ${report.error.hint}` : ''}\n`);
  }
}

function chooseProgress(options: Options, io: Io): Progress {
  const interactive = io.interactive && !options.plain && !io.env.CI && io.env.TERM !== 'dumb';
  return interactive
    ? ttyProgress({ write: io.stderr, columns: io.columns, color: wantsColor(io.env) })
    : plainProgress({ write: io.stderr });
}
