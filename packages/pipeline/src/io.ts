/** The CLI's streams, terminal and environment, apart from main.ts so that runner.ts can take them without a cycle. */
import type { Env } from '@img-mgr/kernel';

/** Where the CLI writes, what it knows about its terminal, and the environment it was started with. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr (where progress goes) is an interactive terminal. */
  interactive: boolean;
  columns: () => number;
  /**
   * The environment the CLI was started with: read here, at the edge, once; every module below gets it
   * (aimed at the chosen AWS by target.ts) and none reads or writes process.env.
   */
  env: Env;
}

/** The real process's streams and environment. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    columns: () => process.stderr.columns || 100,
    env: { ...process.env },
  };
}
