#!/usr/bin/env node
/** `img-mgr-pipeline`: see `img-mgr-pipeline --help`. */
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Writes to a pipe or file are synchronous on Linux, so nothing is lost; idle SDK sockets must not hold the exit.
process.exit(code);
