/**
 * Runs a program to completion and returns what it printed, its exit code and, when it failed, why. The one
 * promise over `execFile` for the CLI and the tests (node:util's promisify underneath); it never rejects, so
 * each caller says in one place what a failure means to it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface RunFileOptions {
  cwd?: string;
  /** Its whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGTERM) after this long; default: never. */
  timeoutMs?: number;
  /** Aborting it kills the program. */
  signal?: AbortSignal;
  /** Most bytes of stdout or stderr kept before the program is killed (default 16 MiB). */
  maxBuffer?: number;
}

export interface FileRun {
  /** 0 when it succeeded, else its exit code; null when it did not exit by itself (not started, killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** When it failed: the first line of Node's error ("Command failed: git …", "spawn git ENOENT"). */
  failure?: string;
  /** When it could not run or was stopped: the system's error code ('ENOENT', 'ABORT_ERR'). */
  errno?: string;
  /** Killed by this process because its timeout ran out (an abort shows as errno 'ABORT_ERR'). */
  killed: boolean;
}

/** What execFile's promise rejects with. */
interface ExecFileFailure {
  message?: string;
  code?: number | string | null;
  killed?: boolean;
  stdout?: string;
  stderr?: string;
}

/** Runs `command` with `args` (no shell) until it exits. */
export async function runFile(
  command: string,
  args: readonly string[],
  options: RunFileOptions = {},
): Promise<FileRun> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      encoding: 'utf8',
      maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    return { code: 0, stdout, stderr, killed: false };
  } catch (error: unknown) {
    const failed: ExecFileFailure = typeof error === 'object' && error !== null ? error : { message: String(error) };
    return {
      code: typeof failed.code === 'number' ? failed.code : null,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      failure: (failed.message ?? String(error)).split('\n')[0] ?? '',
      ...(typeof failed.code === 'string' ? { errno: failed.code } : {}),
      killed: failed.killed === true,
    };
  }
}
