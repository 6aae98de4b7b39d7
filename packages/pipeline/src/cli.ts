#!/usr/bin/env node
/** `img-mgr-pipeline`: see `img-mgr-pipeline --help`. */
import { main } from './main.js';
import { errorMessage } from '@img-mgr/kernel';

// The AWS SDK warns on every run under Node 20 that future releases need Node 22; the CLI's output is for
// its own messages, and the repository pins the SDK version, so that one warning is dropped.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: never[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.startsWith('NodeVersionSupportWarning:')) return;
  emitWarning(warning, ...rest);
};

// After a hangup (a closed terminal) or a closed pipe, writing fails with EIO/EPIPE. That must not crash the
// CLI before it has stopped what it started (Packer's instance, moto, the preview); the output is lost anyway.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error: unknown) {
  // main() reports every failure it expects; anything else is a bug, still said in one line.
  process.stderr.write(`img-mgr-pipeline: unexpected error: ${errorMessage(error)}\n`);
  code = 1;
}
// Writes to a pipe or file are synchronous on Linux, so nothing is lost; idle SDK sockets must not hold the exit.
process.exit(code);
