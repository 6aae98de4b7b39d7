#!/usr/bin/env node
/** `img-mgr-pipeline`: see `img-mgr-pipeline --help`. */
import { main } from './main.js';

// The AWS SDK warns on every run under Node 20 that future releases need Node 22; the CLI's output is for
// its own messages, and the repository pins the SDK version, so that one warning is dropped.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  const name = warning instanceof Error ? warning.name : type;
  if (name === 'NodeVersionSupportWarning') return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

const code = await main(process.argv.slice(2));
// Writes to a pipe or file are synchronous on Linux, so nothing is lost; idle SDK sockets must not hold the exit.
process.exit(code);
