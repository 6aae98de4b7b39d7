/**
 * The local preview: after a local run, the app revision that was baked
 * really serves on 127.0.0.1, configured as the bake configures it and with
 * the environment the instances get from the stack, against the local AWS.
 * The run checks the upload page and an upload before it reports OK.
 *
 * What the machine lacks (the repository cannot be reached, the tools
 * Python has no Flask) turns the preview off with one line; the run still
 * succeeds. An app that does not start or fails the check fails the step
 * (exit 8) with the end of its log; the AWS side is left as it is.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Env } from '@img-mgr/kernel';
import { checkoutApp, configureApp } from './app-checkout.js';
import type { CommandContext } from './context.js';
import { planStacks } from './deploy-step.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { instanceConfig, localInstanceEnv } from './instance-env.js';
import { freePort, localAwsEnv, runFile, toolsPython, waitFor } from '@img-mgr/local-host';
import { logTail, recordPreview, spawnApp, stopPreview, stopRecordedPreview, type PreviewState } from './preview.js';
import type { PreviewReport } from './report.js';
import { describeStackInfo } from './stack-info.js';
import { asStepError } from './step-errors.js';

/** The heading of the app's upload page (templates/index.html). */
export const UPLOAD_PAGE_HEADING = 'Upload your files to the AWS S3 Bucket';

/** How long the app may take to answer after it is started. */
const START_TIMEOUT_MS = 20_000;

/** Starts and checks the preview; records it in the report. */
export async function previewStep(ctx: CommandContext): Promise<PreviewReport> {
  const step = ctx.progress.step('preview', 'the baked app revision, served locally against the local AWS');
  const off = (reason: string): PreviewReport => {
    const report: PreviewReport = { running: false, off: reason };
    ctx.report.preview = report;
    step.skip(`off: ${reason}`);
    return report;
  };
  const cancelled = (): void => {
    if (ctx.signal.aborted) throw ctx.signal.reason;
  };
  try {
    const previous = await stopRecordedPreview(ctx.stateDir);
    if (previous) step.detail(previous);
    const endpoint = ctx.target.endpoint;
    const app = ctx.app;
    if (!endpoint) return off('there is no local AWS for the app to use');
    if (!app?.commit)
      return off(
        `could not reach ${app?.repo ?? ctx.options.flaskRepo} to check out the app ` +
          `(${app?.unreachable ?? 'no revision resolved'})`,
      );

    // Importing Flask and boto3 takes a second: checked while the stack is read and the app checked out.
    const python = toolsPython(ctx.env);
    const pythonChecked = pythonProblem(python, ctx.signal);

    const appStack = (await planStacks(ctx)).find((plan) => plan.role === 'app');
    const stack = appStack ? await describeStackInfo(appStack.name, ctx.target.region, ctx) : undefined;
    if (!stack?.exists) return off(`the app stack ${appStack?.name ?? ''} does not exist`);
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
    if (!bucket) return off(`the app stack ${stack.name} gives the app no IMG_MGR_BUCKET`);
    step.detail(
      `the instances' environment from ${stack.name}: ${Object.keys(appEnv).join(', ')} (IMG_MGR_BUCKET=${bucket})`,
    );

    const appDir = join(ctx.stateDir, 'preview', 'app');
    try {
      await checkoutApp(app.repo, app.commit, appDir, { signal: ctx.signal });
      step.detail(`checked out ${app.commit.slice(0, 12)} (${app.ref}) of ${app.repo} into ${appDir}`);
      for (const line of await configureApp(ctx.root, appDir, { signal: ctx.signal })) step.detail(line);
    } catch (error: unknown) {
      cancelled();
      return off(
        `could not check out and configure ${app.ref} of ${app.repo}: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }

    const problem = await pythonChecked;
    cancelled();
    if (problem) return off(problem);

    const port = ctx.options.previewPort ?? (await freePort());
    const url = `http://127.0.0.1:${port}/`;
    const logFile = join(ctx.stateDir, 'preview.log');
    const env = appEnvironment(ctx.env, endpoint, ctx.target.region, appEnv);
    const child = spawnApp({ python, appDir, port, logFile, env });
    const state: PreviewState = {
      url,
      port,
      pid: child.pid,
      startedAt: new Date().toISOString(),
      logFile,
      appDir,
      repo: app.repo,
      ref: app.ref,
      commit: app.commit,
      bucket,
      endpoint,
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
    try {
      await waitForApp(url, logFile, child.exited, ctx.signal, failure);
      const checkFile = await checkApp(url, bucket, ctx, failure, (line) => step.detail(line));
      rmSync(join(appDir, 'uploads', checkFile), { force: true });
    } catch (error: unknown) {
      const survived = await stopPreview(ctx.stateDir, state);
      if (survived) step.detail(survived);
      throw error;
    }
    const report: PreviewReport = {
      running: true,
      url,
      repo: app.repo,
      ref: app.ref,
      commit: app.commit,
      bucket,
      pid: child.pid,
      checked: true,
    };
    ctx.report.preview = report;
    step.done(`${url} serves the upload page; an upload landed in s3://${bucket}`);
    return report;
  } catch (error: unknown) {
    const failure = asStepError(error, ExitCode.preview, 'preview');
    step.fail(failure.message);
    throw failure;
  }
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

/** GET / is the upload page; a file POSTed to /upload lands in the stack's bucket (read back with S3, then removed). */
async function checkApp(
  url: string,
  bucket: string,
  ctx: CommandContext,
  failure: (what: string) => PipelineError,
  detail: (line: string) => void,
): Promise<string> {
  const home = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]) });
  const page = await home.text();
  if (home.status !== 200) throw failure(`GET / answered ${home.status}, not 200`);
  if (!page.includes(UPLOAD_PAGE_HEADING))
    throw failure(`GET / answered 200 without the upload page ("${UPLOAD_PAGE_HEADING}")`);
  detail(`GET / → 200, the upload page`);

  const name = `img-mgr-preview-check-${Date.now()}.txt`;
  const form = new FormData();
  form.append(
    'file',
    new Blob([`uploaded by img-mgr-pipeline's preview check at ${new Date().toISOString()}\n`], { type: 'text/plain' }),
    name,
  );
  const upload = await fetch(new URL('upload', url), {
    method: 'POST',
    body: form,
    redirect: 'manual',
    signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(20_000)]),
  });
  await upload.body?.cancel();
  if (upload.status >= 400) throw failure(`POST /upload answered ${upload.status}`);

  const key = `uploads/${name}`;
  // The factory's S3 client addresses buckets by path, as the local AWS needs.
  const s3 = ctx.clients.get(S3Client, ctx.target.region);
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
  } catch (error: unknown) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw failure(
      `POST /upload answered ${upload.status} but s3://${bucket}/${key} is not there ` +
        `(${error instanceof Error ? error.name : String(error)})`,
    );
  }
  detail(`POST /upload → ${upload.status}; s3://${bucket}/${key} is there (removed again)`);
  await s3
    .send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal })
    .catch(() => undefined);
  return name;
}
