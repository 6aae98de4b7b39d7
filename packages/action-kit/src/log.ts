/** Log helpers: folded groups and masking. */
import * as core from '@actions/core';

/**
 * Runs `body` inside a folded log group. The group is closed even when
 * `body` throws, so a failure never leaves the rest of the log folded.
 */
export async function group<T>(title: string, body: () => Promise<T>): Promise<T> {
  core.startGroup(title);
  try {
    return await body();
  } finally {
    core.endGroup();
  }
}

/** Masks a value in all later log output; empty values are ignored. */
export function mask(value: string | undefined): void {
  if (value) core.setSecret(value);
}

export const info = (message: string): void => core.info(message);
export const warning = (message: string): void => core.warning(message);
export const debug = (message: string): void => core.debug(message);
/** An error annotation that does not fail the step by itself. */
export const annotateError = (message: string, title?: string): void =>
  core.error(message, title === undefined ? undefined : { title });
