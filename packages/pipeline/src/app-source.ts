/**
 * Which app revision a bake takes, decided before anything starts: a
 * --flask-ref that names nothing is bad input (exit 2, nothing baked, no
 * local AWS started); a repository that cannot be reached is a note locally
 * (the fingerprint then uses the ref name) and an error on real AWS.
 */
import type { Options } from './args.js';
import { resolveAppSource, type AppSource } from './app-revision.js';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/** Commands that bake, and so need the app revision. */
export const BAKING_COMMANDS: ReadonlySet<string> = new Set(['run', 'bake']);

/** Resolves the app source for `options`; throws UsageError (no such ref) or PipelineError (unreachable on --aws). */
export async function appSourceFor(ctx: { options: Options; signal?: AbortSignal }): Promise<AppSource> {
  const { options } = ctx;
  const app = await resolveAppSource(options.flaskRepo, options.flaskRef, ctx.signal ? { signal: ctx.signal } : {});
  if (app.unreachable && options.target.kind === 'aws') {
    throw new PipelineError(
      ExitCode.bake,
      `cannot resolve ${options.flaskRef === undefined ? 'the default branch' : `--flask-ref ${options.flaskRef}`} ` +
        `of ${options.flaskRepo} with git ls-remote (${app.unreachable})`,
      'check --flask-repo and your network, or pass the commit SHA as --flask-ref',
    );
  }
  return app;
}

/** One line on what is baked, for the progress display. */
export function describeApp(app: AppSource, detail: (line: string) => void): void {
  const which = app.defaultBranch ? `${app.ref} (the default branch)` : app.ref;
  if (app.commit) detail(`app revision ${app.commit} (${which} of ${app.repo})`);
  else
    detail(
      `could not reach ${app.repo} (${app.unreachable ?? 'offline?'}); ` +
        `baking ${which} by name, the fingerprint uses the ref name`,
    );
}
