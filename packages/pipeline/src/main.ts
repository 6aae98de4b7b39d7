/**
 * The CLI's front: parse and help load no AWS code, so bad input is
 * reported at once; the command itself runs in runner.ts.
 */
import { parseArgs, type Options } from './args.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { commandHelp, generalHelp } from './help.js';
import { errorMessage } from '@img-mgr/kernel';
import { processIo, type Io } from './io.js';

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv, io.env);
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
