/**
 * One command at a time per state folder: two `run --keep` at once would
 * start two moto servers and record one, and a `down` during a run would
 * stop the AWS under it. The lock is a file that only one process can create; a lock
 * whose process is gone is taken over. A second command refuses with one
 * line naming the holder.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@img-mgr/local-host';
import { quoteWhole } from '@img-mgr/kernel';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';

interface LockRecord {
  pid: number;
  command: string;
  startedAt: string;
}

export interface StateLock {
  file: string;
  /** Removes the lock (idempotent). */
  release(): void;
}

const LOCK_FILE = 'lock';

/** Takes the lock of `stateDir` for `command`, or throws a PipelineError naming the command that holds it. */
export function lockStateDir(stateDir: string, command: string): StateLock {
  try {
    return takeLock(stateDir, command);
  } catch (error: unknown) {
    if (error instanceof PipelineError) throw error;
    // A lock that is a folder, a state folder that stopped taking files: one line, exit 3, never a raw errno.
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new PipelineError(
      ExitCode.environment,
      `--state-dir ${quoteWhole(stateDir)} cannot be locked (${code} on ${LOCK_FILE})`,
      `remove ${join(stateDir, LOCK_FILE)} if no img-mgr-pipeline runs, or use another --state-dir`,
    );
  }
}

function takeLock(stateDir: string, command: string): StateLock {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, LOCK_FILE);
  const record: LockRecord = { pid: process.pid, command, startedAt: new Date().toISOString() };
  // The record is written to a file of its own, then hard-linked as the lock: link() fails when the lock
  // exists, and a lock that exists is always complete, so no one ever reads half a record.
  const pending = `${file}.${process.pid}`;
  writeFileSync(pending, `${JSON.stringify(record)}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(pending, file);
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(file);
        if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
          throw new PipelineError(
            ExitCode.environment,
            `the state folder ${stateDir} is in use by 'img-mgr-pipeline ${holder.command}' ` +
              `(pid ${holder.pid}, since ${holder.startedAt})`,
            'wait for it to finish, or use another --state-dir',
          );
        }
        // The holder is gone (killed, or an unreadable lock): take it over.
        rmSync(file, { force: true });
        continue;
      }
      const release = (): void => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
      // A hard exit (a second Ctrl-C) skips finally blocks, not 'exit' listeners.
      process.once('exit', release);
      return {
        file,
        release() {
          process.off('exit', release);
          release();
        },
      };
    }
  } finally {
    rmSync(pending, { force: true });
  }
  throw new PipelineError(
    ExitCode.environment,
    `could not lock the state folder ${stateDir}`,
    `remove ${file} if no img-mgr-pipeline runs`,
  );
}

function readHolder(file: string): LockRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockRecord>;
    if (typeof value.pid === 'number' && typeof value.command === 'string' && typeof value.startedAt === 'string')
      return value as LockRecord;
  } catch {
    // unreadable or half-written: treated as no holder
  }
  return undefined;
}
