/** The one place where an action's outcome becomes the step's result. */
import * as core from '@actions/core';
import { errorMessage, isCancellation, KernelError, listenForCancellation, type Cancellation } from '@img-mgr/kernel';

export interface ActionContext {
  /** Aborted when the job is cancelled. */
  readonly signal: AbortSignal;
  readonly cancellation: Cancellation;
}

/**
 * Runs an action body. Any thrown value (not only Error) fails the step with
 * one line; the stack trace goes to the debug log only. A cancellation is
 * reported as such and also fails the step.
 */
export async function runAction(name: string, body: (context: ActionContext) => Promise<void>): Promise<void> {
  const cancellation = listenForCancellation((signal, count) => {
    core.warning(
      count === 1
        ? `${name}: received ${signal}; cancelling and cleaning up`
        : `${name}: received ${signal} again; still cleaning up`,
    );
  });
  try {
    await body({ signal: cancellation.signal, cancellation });
  } catch (thrown: unknown) {
    if (thrown instanceof Error && thrown.stack && !(thrown instanceof KernelError)) core.debug(thrown.stack);
    const received = cancellation.received();
    const message = errorMessage(thrown);
    core.setFailed(received && !isCancellation(thrown) ? `${message} (job cancelled by ${received})` : message);
  } finally {
    cancellation.dispose();
  }
}
