/**
 * The CLI's front: parse and help load no AWS code, so bad input is
 * reported at once; the command itself runs in runner.ts.
 */
import { parseArgs, type Options } from './args.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { commandHelp, generalHelp } from './help.js';
import { errorMessage } from '@img-mgr/kernel';

/** Where the CLI writes, and what it knows about its terminal. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr (where progress goes) is an interactive terminal. */
  interactive: boolean;
  columns: () => number;
  env: NodeJS.ProcessEnv;
}

/** The real process's streams. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    columns: () => process.stderr.columns || 100,
    env: process.env,
  };
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error: unknown) {
    io.stderr(`img-mgr-pipeline: error: ${errorMessage(error)}\n`);
    return error instanceof UsageError ? ExitCode.usage : ExitCode.internal;
  }
  if (options.help) {
    io.stdout(options.helpGeneral ? generalHelp() : commandHelp(options.command));
    return ExitCode.ok;
  }
  const runner = await import('./runner.js');
  return options.command === 'down' ? runner.down(options, io) : runner.runWithTarget(options, io);
}

