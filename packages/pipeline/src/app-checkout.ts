/**
 * The app revision that was baked, checked out for the local preview and
 * configured by the same step the bake runs (packer/configure_app.sh: the
 * bucket from IMG_MGR_BUCKET, the uploads/ folder).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runFile } from '@img-mgr/local-host';
import { gitReason } from './app-revision.js';

/** Why a command failed: its last line of stderr. */
export class CheckoutError extends Error {
  override readonly name = 'CheckoutError';
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Makes `dir` a checkout of `repo` at `commit`: a checkout already at that
 * commit is reset to it (undoing the last configuration), anything else is
 * cloned afresh. Throws CheckoutError with git's last line.
 */
export async function checkoutApp(
  repo: string,
  commit: string,
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const git = (args: string[], timeoutMs = 30_000): Promise<string> => run('git', args, { timeoutMs, ...options });
  if (existsSync(join(dir, '.git'))) {
    const head = await git(['-C', dir, 'rev-parse', 'HEAD']).catch(() => '');
    const origin = await git(['-C', dir, 'config', '--get', 'remote.origin.url']).catch(() => '');
    if (head.trim() === commit && origin.trim() === repo) {
      await git(['-C', dir, 'checkout', '--quiet', '--force', '--detach', commit]);
      return;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  await git(['clone', '--quiet', '--no-checkout', '--', repo, dir], 120_000);
  await git(['-C', dir, 'checkout', '--quiet', '--detach', commit]);
}

/**
 * Runs packer/configure_app.sh on `dir`, which also writes the revision file
 * (static/img-mgr.json) with `revision` and `fingerprint`; resolves with its log lines.
 */
export async function configureApp(
  root: string,
  dir: string,
  options: { signal?: AbortSignal; revision?: string; fingerprint?: string } = {},
): Promise<string[]> {
  const output = await run('bash', [join(root, 'packer', 'configure_app.sh'), dir], {
    timeoutMs: 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
    stderrToo: true,
    // Always set, so that nothing of the CLI's own environment lands in the revision file.
    env: { IMG_MGR_APP_REVISION: options.revision ?? '', IMG_MGR_FINGERPRINT: options.fingerprint ?? '' },
  });
  return output.split('\n').filter((line) => line.trim() !== '');
}

async function run(command: string, args: string[], options: RunOptions & { stderrToo?: boolean }): Promise<string> {
  const result = await runFile(command, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    timeoutMs: options.timeoutMs ?? 30_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.failure !== undefined) {
    const last = gitReason(result.stderr) ?? (result.killed ? 'timed out' : result.failure);
    throw new CheckoutError(`${command} ${args[0] === '-C' ? args[2] : args[0]}: ${last}`);
  }
  return options.stderrToo ? `${result.stdout}${result.stderr}` : result.stdout;
}
