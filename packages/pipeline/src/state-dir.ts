/**
 * The state folder, checked before anything else runs: it exists (made one
 * level at a time) and takes a file. Node's recursive mkdir never returns
 * where mkdir answers ENOENT for a parent that exists (/proc/sys), spinning
 * in one synchronous call that no signal can interrupt; a folder under a
 * regular file, a read-only one or a path too long ends in a raw errno. Each
 * of these is one line naming --state-dir, exit 3, at once.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { quoteWhole } from '@img-mgr/kernel';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';

const HINT = 'pass --state-dir with a folder you can write (or set IMG_MGR_PIPELINE_STATE_DIR)';

/** What an errno means here, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'the file system there does not hold new files',
  ENOSPC: 'the disk is full',
  ELOOP: 'the path has a loop of symbolic links',
  EISDIR: 'its lock is a folder, not a file (remove it if no img-mgr-pipeline runs)',
};

function failure(stateDir: string, action: string, error: unknown): PipelineError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const reason = REASONS[code] ?? 'it failed';
  return new PipelineError(
    ExitCode.environment,
    `--state-dir ${quoteWhole(stateDir)} cannot be ${action}: ${reason}${code ? ` (${code})` : ''}`,
    HINT,
  );
}

/** Makes `stateDir` if needed and checks that a file can be written in it; throws a PipelineError (exit 3). */
export function prepareStateDir(stateDir: string): void {
  const full = resolve(stateDir);
  const missing: string[] = [];
  for (let current = full; ;) {
    let directory: boolean;
    try {
      directory = statSync(current).isDirectory();
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw failure(stateDir, 'used', error);
      missing.unshift(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
      continue;
    }
    if (!directory) {
      const code = current === full ? 'EEXIST' : 'ENOTDIR';
      throw failure(stateDir, 'used', Object.assign(new Error(code), { code }));
    }
    break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error: unknown) {
      // Another command may have made it in the meantime.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(dir)) continue;
      throw failure(stateDir, 'created', error);
    }
  }
  // The lock is a file that link() creates: anything else there (a folder) could never be taken or removed.
  const lock = join(full, 'lock');
  if (isDirectory(lock)) throw failure(stateDir, 'locked', Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  const probe = join(full, `.write-check.${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error: unknown) {
    throw failure(stateDir, 'written', error);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
