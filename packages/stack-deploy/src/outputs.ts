/** Stack outputs. */

/**
 * Output keys that look secret by their name. The action no longer masks by
 * name (secrets.ts decides by meaning: NoEcho); this is kept for the CLI's
 * status table, which reads stacks without their templates.
 */
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|private|credential|api_?key|access_?key/i;

/** True when an output key looks like it holds a secret (by its name only). */
export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Outputs as a plain map. */
export function outputMap(outputs: readonly { OutputKey?: string | undefined; OutputValue?: string | undefined }[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const output of outputs ?? []) {
    if (output.OutputKey) result[output.OutputKey] = output.OutputValue ?? '';
  }
  return result;
}
