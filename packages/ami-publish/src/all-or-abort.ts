/** Running one piece of work per region so that the first failure stops the others. */

/**
 * Runs `work` for every item; the first failure aborts the others (through
 * the signal each one gets) and is rethrown, so no wait outlives the step.
 */
export async function allOrAbort<T, R>(
  items: readonly T[],
  work: (item: T, signal: AbortSignal) => Promise<R>,
  outer: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  outer.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await Promise.all(
      items.map(async (item) => {
        try {
          return await work(item, controller.signal);
        } catch (error: unknown) {
          controller.abort(error);
          throw error;
        }
      }),
    );
  } finally {
    outer.removeEventListener('abort', onOuterAbort);
  }
}
