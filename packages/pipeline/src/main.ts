/**
 * The CLI's front: parse and help load no AWS code, so bad input is
 * reported at once; the command itself runs in runner.ts.
 */
import { parseArgs, type Options } from './args.js';
import { PipelineError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { commandHelp, generalHelp } from './help.js';
import { errorMessage, PACKER_VARIABLE_CREDENTIALS_PROBLEM, packerVariableWithUrlCredentials } from '@img-mgr/kernel';
import { processIo, type Io } from './io.js';
import { defaultStateDir } from './paths.js';
import { prepareStateDir } from './state-dir.js';

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv, io.env);
    // Packer reads PKR_VAR_* itself: held to --flask-repo's rule (no URL credentials), refused by name only.
    const withCredentials = packerVariableWithUrlCredentials(io.env);
    if (withCredentials !== undefined && !options.help)
      throw new UsageError(withCredentials, PACKER_VARIABLE_CREDENTIALS_PROBLEM);
  } catch (error: unknown) {
    io.stderr(`img-mgr-pipeline: error: ${errorMessage(error)}\n`);
    return error instanceof UsageError ? ExitCode.usage : ExitCode.internal;
  }
  if (options.help) {
    io.stdout(options.helpGeneral ? generalHelp() : commandHelp(options.command));
    return ExitCode.ok;
  }
  // Before anything else (and before the command's code loads): a state folder that cannot be made, written or
  // locked is one line and exit 3, at once.
  try {
    prepareStateDir(options.stateDir ?? defaultStateDir(io.env));
  } catch (error: unknown) {
    if (!(error instanceof PipelineError)) throw error;
    const message = `${error.message}${error.hint ? `. ${error.hint}` : ''}`;
    if (options.json) {
      const report = {
        command: options.command,
        ok: false,
        exitCode: error.exitCode,
        error: { message: error.message },
      };
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    }
    io.stderr(`img-mgr-pipeline: error: ${message}\n`);
    return error.exitCode;
  }
  const runner = await import('./runner.js');
  return options.command === 'down' ? runner.down(options, io) : runner.runWithTarget(options, io);
}
