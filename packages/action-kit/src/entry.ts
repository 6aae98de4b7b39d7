/**
 * The start of every action bundle (`src/index.ts`), free of `@actions/core`
 * and of AWS SDK code: it reads the inputs and fails a bad one with a single
 * `::error::` line, and only then loads the action's main chunk. A post step
 * runs the same bundle: the main step marks the state, the post step finds it.
 */
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { environmentSecrets, errorMessage, KernelError, type Env } from '@img-mgr/kernel';

/** What an action's entry needs: its input reader and its lazily loaded steps. */
export interface ActionEntry<Inputs> {
  /** Reads and checks every input; throws an InputError naming the first bad one. */
  readInputs(env: Env): Inputs;
  /** The main step, given valid inputs (imports its chunk only when called). */
  main(inputs: Inputs): Promise<void>;
  /** The post step (`runs.post` in action.yml names the same file). */
  post?(): Promise<void>;
}

/** The state key that tells the post step from the main step. */
export const POST_STATE = 'isPost';

/** Escapes a workflow command's message as `@actions/core` does. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Writes a workflow command line such as `::error::message`. */
function command(name: string, message: string): void {
  process.stdout.write(`::${name}::${escapeData(message)}${EOL}`);
}

/**
 * Fails the step with one `::error::` line, as `core.setFailed` does; the
 * stack of an unexpected error goes to the debug log only.
 */
export function failStep(thrown: unknown): void {
  if (thrown instanceof Error && thrown.stack && !(thrown instanceof KernelError)) command('debug', thrown.stack);
  command('error', errorMessage(thrown));
  process.exitCode = 1;
}

/**
 * Registers the secrets that reach the step through its environment rather than an input (an AWS secret
 * key or session token, a GitHub token, a Packer variable named like a secret, credentials inside a URL in
 * `PKR_VAR_*`), before any line is written: the runner masks only the secrets it passed itself.
 */
export function maskEnvironmentSecrets(env: Env = process.env): void {
  for (const secret of environmentSecrets(env)) command('add-mask', secret);
}

/** Saves `name=value` for the post step as `core.saveState` does (a file command, or the old stdout command). */
export function saveStateLine(name: string, value: string, env: Env = process.env): void {
  const file = env['GITHUB_STATE'];
  if (file) appendFileSync(file, `${name}=${value}${EOL}`);
  else process.stdout.write(`::save-state name=${name}::${escapeData(value)}${EOL}`);
}

/** True in the post step of an action whose main step ran `startAction` with a `post`. */
export function isPostStep(env: Env = process.env): boolean {
  return env[`STATE_${POST_STATE}`] === 'true';
}

/**
 * Runs an action's bundle: in its post step the post code; otherwise marks the
 * state for the post step (first, so that even a bad input leaves the mark),
 * reads the inputs, and runs the main step only when they are valid.
 */
export async function startAction<Inputs>(entry: ActionEntry<Inputs>, env: Env = process.env): Promise<void> {
  maskEnvironmentSecrets(env);
  if (entry.post) {
    if (isPostStep(env)) {
      await entry.post().catch(failStep);
      return;
    }
    saveStateLine(POST_STATE, 'true', env);
  }
  let inputs: Inputs;
  try {
    inputs = entry.readInputs(env);
  } catch (thrown: unknown) {
    failStep(thrown);
    return;
  }
  // main and post report their own failures; this turns a chunk that cannot even load into one line.
  await entry.main(inputs).catch(failStep);
}
