/**
 * What every domain operation is given by its caller (an action or the CLI).
 * Domain packages read nothing global: not `process.env`, not `@actions/*`.
 */

/** Where an operation's lines go. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  /**
   * Receives every value that must never be printed (a NoEcho parameter, a
   * token) before any line could carry it: an action registers it with the
   * runner's mask, the CLI with its redactor.
   */
  secret(value: string): void;
  /** Folds the lines of `body` (an action's log group, a CLI's section). */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/** Environment variables as the caller chose to pass them (never read globally). */
export type Env = Readonly<Record<string, string | undefined>>;

/** An AWS SDK v3 client class. */
export type ClientClass<C> = new (config: never) => C;

/** Makes (and caches) configured AWS clients, one per class and region. */
export interface ClientFactory {
  get<C>(Client: ClientClass<C>, region: string): C;
}

export interface Context {
  log: Logger;
  /** Aborted when the job is cancelled: every wait and call stops with its reason. */
  signal: AbortSignal;
  env: Env;
  clients: ClientFactory;
}

/** A logger that drops everything (for tests and quiet callers). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  secret: () => undefined,
  group: (_title, body) => body(),
};

/** A logger writing `info` and `warn` through one function (a CLI's stderr, a test's array). */
export function lineLogger(write: (line: string) => void, secret: (value: string) => void = () => undefined): Logger {
  return {
    info: write,
    warn: (line) => write(`warning: ${line}`),
    secret,
    group: async (title, body) => {
      write(title);
      return body();
    },
  };
}
