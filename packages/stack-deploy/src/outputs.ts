/** Stack outputs. */

/** Outputs as a plain map. */
export function outputMap(
  outputs: readonly { OutputKey?: string | undefined; OutputValue?: string | undefined }[] | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const output of outputs ?? []) {
    if (output.OutputKey) result[output.OutputKey] = output.OutputValue ?? '';
  }
  return result;
}
