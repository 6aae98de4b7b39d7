/** The CLI's streams and terminal, apart from main.ts so that runner.ts can take them without an import cycle. */

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
