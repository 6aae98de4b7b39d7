/**
 * The local preview is the front door of a local run: the app revision that
 * was baked really serves on 127.0.0.1, configured as the bake configures it
 * (which writes its revision file) and with the environment the instances get
 * from the stack, against the local AWS. The run passes only when the one
 * smoke test of @img-mgr/rollout passes against it: the upload page, an upload
 * that lands in the stack's bucket, and the baked revision answering.
 *
 * What the machine lacks (the repository cannot be reached, the tools
 * Python has no Flask) turns the preview off with one line; the run still
 * succeeds. An app that does not start fails the step (exit 8) with the end
 * of its log, and the AWS side is left as it is. A smoke test that fails is
 * the revision's fault: PreviewSmokeError, on which `run` reverts
 * (revert-step.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { errorMessage, lineLogger, type Env } from '@img-mgr/kernel';
import { runSmokeTest, SmokeTestError, UPLOAD_PAGE_HEADING, type SmokeTestResult } from '@img-mgr/rollout';
import { checkoutApp, configureApp } from './app-checkout.js';
import type { CommandContext } from './context.js';
import { planStacks } from './deploy-step.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { instanceConfig, localInstanceEnv } from './instance-env.js';
import { freePort, localAwsEnv, runFile, toolsPython, waitFor } from '@img-mgr/local-host';
import { logTail, recordPreview, spawnApp, stopPreview, stopRecordedPreview, type PreviewState } from './preview.js';
import type { Step } from './progress.js';
import type { PreviewReport } from './report.js';
import { describeStackInfo } from './stack-info.js';
import { asStepError } from './step-errors.js';

/** The upload page's heading, as the one smoke test checks it. */
export { UPLOAD_PAGE_HEADING };

/** Answers in a row the preview must give from its revision (one server: they are quick). */
const PREVIEW_SAMPLES = 5;

/** How long the app may take to answer after it is started. */
const START_TIMEOUT_MS = 20_000;

/** An app revision the preview serves: the one just baked, or (after a revert) the one running before. */
export interface PreviewRevision {
  repo: string;
  ref: string;
  commit: string;
  /** The bake's fingerprint, for the revision file; absent when unknown. */
  fingerprint?: string;
}

/** What every preview of this run shares: the stack's environment for the app, the Python that runs it. */
export interface PreviewSetup {
  python: string;
  /**
   * Why that Python cannot run the app, or undefined: checked while the app is
   * checked out (importing Flask and boto3 takes a second); never rejects.
   */
  pythonChecked: Promise<string | undefined>;
  endpoint: string;
  appEnv: Record<string, string>;
  bucket: string;
}

/**
 * A preview that started but failed the smoke test: the revision's fault,
 * not the machine's, so a run reverts on it (exit 8 as before).
 */
export class PreviewSmokeError extends PipelineError {
  constructor(
    message: string,
    hint: string,
    readonly smoke: SmokeTestError,
  ) {
    super(ExitCode.preview, message, hint);
  }
}

/** Starts and checks the preview; records it in the report. */
export async function previewStep(ctx: CommandContext): Promise<PreviewReport> {
  const step = ctx.progress.step('preview', 'the baked app revision, served locally against the local AWS');
  const off = (reason: string): PreviewReport => {
    const report: PreviewReport = { running: false, off: reason };
    ctx.report.preview = report;
    step.skip(`off: ${reason}`);
    return report;
  };
  try {
    const previous = await stopRecordedPreview(ctx.stateDir);
    if (previous) step.detail(previous);
    const app = ctx.app;
    if (!ctx.target.endpoint) return off('there is no local AWS for the app to use');
    if (!app?.commit)
      return off(
        `could not reach ${app?.repo ?? ctx.options.flaskRepo} to check out the app ` +
          `(${app?.unreachable ?? 'no revision resolved'})`,
      );
    const setup = await previewSetup(ctx, step);
    if (typeof setup === 'string') return off(setup);
    const fingerprint = ctx.report.ami?.appRevision === app.commit ? ctx.report.ami.fingerprint : undefined;
    const revision = { repo: app.repo, ref: app.ref, commit: app.commit, ...(fingerprint ? { fingerprint } : {}) };
    const report = await servePreview(ctx, step, setup, revision);
    if (typeof report === 'string') return off(report);
    ctx.report.preview = report;
    step.done(
      `${report.url} serves the upload page; an upload landed in s3://${setup.bucket}; ` +
        `${report.smoke?.samples ?? 0} answers from ${app.commit.slice(0, 12)}`,
    );
    return report;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.preview, 'preview');
    step.fail(failure.message);
    throw failure;
  }
}

/**
 * The app stack's environment for the app (as its user data gives it to an
 * instance) and a Python that can run it; a string says why there is no
 * preview.
 */
export async function previewSetup(ctx: CommandContext, step: Step): Promise<PreviewSetup | string> {
  const endpoint = ctx.target.endpoint;
  if (!endpoint) return 'there is no local AWS for the app to use';
  // Importing Flask and boto3 takes a second: checked while the stack is read and the app checked out.
  const python = toolsPython(ctx.env);
  const pythonChecked = pythonProblem(python, ctx.signal).catch((error: unknown) => errorMessage(error));
  // Awaited on every way out but success, so that no check runs on after the step.
  const problem = async (): Promise<void> => {
    await pythonChecked;
    if (ctx.signal.aborted) throw ctx.signal.reason;
  };
  const appStack = (await planStacks(ctx)).find((plan) => plan.role === 'app');
  const stack = appStack ? await describeStackInfo(appStack.name, ctx.target.region, ctx) : undefined;
  if (!stack?.exists) {
    await problem();
    return `the app stack ${appStack?.name ?? ''} does not exist`;
  }
  const launchTemplate = stack.outputs.LaunchTemplateId;
  const instance = launchTemplate ? await instanceConfig(launchTemplate, ctx.target.region, ctx) : undefined;
  // The files the user data writes (app.env, aws-config) go into the state folder, and the env points there.
  const appEnv = instance
    ? localInstanceEnv(instance, join(ctx.stateDir, 'preview', 'etc'))
    : stack.outputs.BucketName
      ? { IMG_MGR_BUCKET: stack.outputs.BucketName }
      : {};
  if (!instance) step.detail(`the launch template writes no app.env: using the stack's BucketName output`);
  const bucket = appEnv.IMG_MGR_BUCKET;
  if (!bucket) {
    await problem();
    return `the app stack ${stack.name} gives the app no IMG_MGR_BUCKET`;
  }
  step.detail(
    `the instances' environment from ${stack.name}: ${Object.keys(appEnv).join(', ')} (IMG_MGR_BUCKET=${bucket})`,
  );
  return { python, pythonChecked, endpoint, appEnv, bucket };
}

/**
 * Checks out and configures `revision` (the bake's configuration step, which
 * writes the revision file), starts it, and runs the one smoke test against
 * it. A string says why it could not be checked out; a smoke test that fails
 * throws PreviewSmokeError, anything else that fails PipelineError (exit 8).
 * Whatever fails, the app is stopped again.
 */
export async function servePreview(
  ctx: CommandContext,
  step: Step,
  setup: PreviewSetup,
  revision: PreviewRevision,
): Promise<PreviewReport | string> {
  const appDir = join(ctx.stateDir, 'preview', 'app');
  try {
    await checkoutApp(revision.repo, revision.commit, appDir, { signal: ctx.signal });
    step.detail(`checked out ${revision.commit.slice(0, 12)} (${revision.ref}) of ${revision.repo} into ${appDir}`);
    const lines = await configureApp(ctx.root, appDir, {
      signal: ctx.signal,
      revision: revision.commit,
      ...(revision.fingerprint ? { fingerprint: revision.fingerprint } : {}),
    });
    for (const line of lines) step.detail(line);
  } catch (error: unknown) {
    await setup.pythonChecked;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return (
      `could not check out and configure ${revision.ref} of ${revision.repo}: ` +
      `${error instanceof Error ? error.message : String(error)}`
    );
  }

  const problem = await setup.pythonChecked;
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (problem) return problem;

  const port = ctx.options.previewPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}/`;
  const logFile = join(ctx.stateDir, 'preview.log');
  const env = appEnvironment(ctx.env, setup.endpoint, ctx.target.region, setup.appEnv);
  const child = spawnApp({ python: setup.python, appDir, port, logFile, env });
  const state: PreviewState = {
    url,
    port,
    pid: child.pid,
    startedAt: new Date().toISOString(),
    logFile,
    appDir,
    repo: revision.repo,
    ref: revision.ref,
    commit: revision.commit,
    bucket: setup.bucket,
    endpoint: setup.endpoint,
  };
  // Recorded before it answers, so that every way out (failure, Ctrl-C, the end of the run) stops it.
  recordPreview(ctx.stateDir, state);
  step.detail(`started the app on ${url} (pid ${child.pid}; log ${logFile})`);

  const failure = (what: string): PipelineError => {
    const tail = logTail(logFile);
    return new PipelineError(
      ExitCode.preview,
      `preview: ${what}${tail.length > 0 ? `; its log ends: ${tail.join(' | ')}` : ''}`,
      `see ${logFile}; the AWS side is left as it is`,
    );
  };
  let smoke: SmokeTestResult;
  try {
    await waitForApp(url, logFile, child.exited, ctx.signal, failure);
    smoke = await smokeTest(ctx, step, url, setup.bucket, revision.commit);
    rmSync(join(appDir, 'uploads', smoke.upload.key.replace(/^uploads\//, '')), { force: true });
  } catch (error: unknown) {
    const survived = await stopPreview(ctx.stateDir, state);
    if (survived) step.detail(survived);
    if (error instanceof SmokeTestError) {
      const tail = logTail(logFile);
      throw new PreviewSmokeError(
        `preview: ${error.message}${tail.length > 0 ? `; the app's log ends: ${tail.join(' | ')}` : ''}`,
        `see ${logFile}`,
        error,
      );
    }
    throw error;
  }
  return {
    running: true,
    url,
    repo: revision.repo,
    ref: revision.ref,
    commit: revision.commit,
    bucket: setup.bucket,
    pid: child.pid,
    checked: true,
    smoke: {
      samples: smoke.samples,
      revisionsSeen: smoke.revisionsSeen,
      elapsedMs: smoke.elapsedMs,
      uploadStatus: smoke.upload.status,
    },
  };
}

/** The one smoke test (@img-mgr/rollout) against the preview: one server, so a wrong answer fails at once. */
async function smokeTest(
  ctx: CommandContext,
  step: Step,
  url: string,
  bucket: string,
  expectedRevision: string,
): Promise<SmokeTestResult> {
  // The factory's S3 client addresses buckets by path, as the local AWS needs.
  const s3 = ctx.clients.get(S3Client, ctx.target.region);
  return runSmokeTest(
    {
      baseUrl: url,
      bucket,
      expectedRevision,
      samples: PREVIEW_SAMPLES,
      intervalMs: 0,
      timeoutMs: 30_000,
      singleServer: true,
    },
    {
      logger: lineLogger(
        (line) => step.detail(line),
        (value) => ctx.redactor.add(value),
      ),
      signal: ctx.signal,
      s3,
    },
  );
}

/** Why the tools Python cannot run the app (missing, or no flask/boto3), or undefined when it can. */
export async function pythonProblem(python: string, signal?: AbortSignal): Promise<string | undefined> {
  const run = await runFile(python, ['-c', 'import flask, boto3, werkzeug'], {
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  if (run.code === 0) return undefined;
  if (run.errno === 'ENOENT') return `the tools Python ${python} is missing; install it with 'npm run tools -- python'`;
  const last = run.stderr.trim().split('\n').filter(Boolean).at(-1) ?? run.failure;
  return `the tools Python cannot run the app (${last}); install flask and boto3 with 'npm run tools -- python'`;
}

/**
 * The app's environment: the command's `base` without any AWS or Flask
 * setting, what the instances get from the stack, and AWS calls sent to the
 * local AWS with its dummy credentials.
 */
export function appEnvironment(
  base: Env,
  endpoint: string,
  region: string,
  appEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (name.startsWith('AWS_') || name.startsWith('FLASK_')) continue;
    env[name] = value;
  }
  return {
    ...env,
    ...appEnv,
    ...localAwsEnv(endpoint, region),
    AWS_DEFAULT_REGION: appEnv.AWS_DEFAULT_REGION ?? region,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/**
 * Waits until the app has bound its port (werkzeug logs "Running on") and
 * answers; fails when it exits first (a port already taken, an import
 * error) or takes too long. An answer alone is not enough: another program
 * on a taken port answers too, before the app even tries to bind.
 */
async function waitForApp(
  url: string,
  logFile: string,
  exited: () => number | undefined,
  signal: AbortSignal,
  failure: (what: string) => PipelineError,
): Promise<void> {
  const answers = async (): Promise<boolean> => {
    const code = exited();
    if (code !== undefined) throw failure(`the app exited at start (exit ${code})`);
    if (!readLog(logFile).includes('Running on http')) return false;
    return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (response) => {
        await response.body?.cancel();
        return true;
      },
      () => false,
    );
  };
  if (!(await waitFor(answers, { timeoutMs: START_TIMEOUT_MS, intervalMs: 100, signal })))
    throw failure(`the app did not answer on ${url} within ${START_TIMEOUT_MS / 1000}s`);
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
}
