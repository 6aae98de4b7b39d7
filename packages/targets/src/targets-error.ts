/** A targets file (or --regions value) that cannot be used: one line naming where and what. */
export class TargetsError extends Error {
  override readonly name = 'TargetsError';
  constructor(
    /** The file's path, or the flag. */
    readonly source: string,
    /** 1-based line of the problem in the file; undefined for a flag's value. */
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${source}${line !== undefined ? `:${line}` : ''}: ${problem}`);
  }
}
