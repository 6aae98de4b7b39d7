/**
 * Errors that end an action. Every failure is reported as one line; these
 * classes carry what that line needs (which input, what to do next).
 */

/** A problem with one input. The message always names the input. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input '${input}' ${problem}`);
  }
}

/** A failure the user can act on; `hint` says what to do. */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}. ${hint}` : message);
  }
}

/** The job was cancelled (SIGINT/SIGTERM) and the action stopped on purpose. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(readonly signal?: NodeJS.Signals) {
    super(signal ? `Cancelled by ${signal}` : 'Cancelled');
  }
}

/** A bounded wait ran out. A timeout is always a failure. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Turns any thrown value into one readable line: AWS SDK errors keep their
 * error code, strings pass through, anything else is stringified.
 */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof InputError || thrown instanceof ActionError) return thrown.message;
  if (thrown instanceof Error) {
    const code = awsErrorCode(thrown);
    const text = thrown.message.trim() || thrown.name;
    return oneLine(code && !text.startsWith(code) ? `${code}: ${text}` : text);
  }
  if (typeof thrown === 'string') return oneLine(thrown);
  try {
    return oneLine(JSON.stringify(thrown) ?? String(thrown));
  } catch {
    return String(thrown);
  }
}

function awsErrorCode(error: Error): string | undefined {
  const withMetadata = error as Error & { $metadata?: unknown; name: string };
  if (withMetadata.$metadata === undefined) return undefined;
  return withMetadata.name && withMetadata.name !== 'Error' ? withMetadata.name : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
