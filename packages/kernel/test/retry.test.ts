import type { RetryErrorInfo, RetryErrorType, RetryToken } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { fullJitterDelay, retryLine, retryPause, retryStrategy, type RetryEvent } from '../src/retry.js';

describe('fullJitterDelay', () => {
  it.each([
    { retry: 1, baseMs: 100, random: 0.999, delay: 99 },
    { retry: 2, baseMs: 100, random: 0.5, delay: 100 },
    { retry: 4, baseMs: 100, random: 0.5, delay: 400 },
    { retry: 30, baseMs: 100, capMs: 5_000, random: 0.5, delay: 2_500 },
    { retry: 3, random: 0, delay: 0 },
    { retry: 1, random: 0.999, delay: 249 },
    { retry: 20, random: 0.999, delay: 19_980 },
    { retry: 0, baseMs: 100, random: 0.5, delay: 50 },
  ])('retry $retry with random $random waits $delay ms', ({ retry, random, delay, ...bounds }) => {
    expect(fullJitterDelay(retry, { ...bounds, random: () => random })).toBe(delay);
  });
});

describe('retryPause', () => {
  const now = 1_000_000;
  it.each([
    { case: 'no hint', jittered: 300, hintInMs: undefined, pause: 300 },
    { case: 'a hint sooner than the jitter', jittered: 300, hintInMs: 100, pause: 300 },
    { case: 'a hint later than the jitter', jittered: 300, hintInMs: 2_000, pause: 2_000 },
    { case: 'a hint more than 5 s later', jittered: 300, hintInMs: 60_000, pause: 5_300 },
  ])('$case: $pause ms', ({ jittered, hintInMs, pause }) => {
    const hint = hintInMs === undefined ? undefined : new Date(now + hintInMs);
    expect(retryPause(jittered, hint, now)).toBe(pause);
  });
});

describe('retryLine', () => {
  const base: RetryEvent = { attempt: 2, maxAttempts: 6, pauseMs: 120 };
  it.each([
    {
      event: { ...base, operation: 'SSM.GetParameter', errorName: 'ThrottlingException', httpStatus: 400 },
      line: 'Retrying SSM.GetParameter (attempt 2 of 6) after ThrottlingException 400; backed off 120 ms',
    },
    {
      event: { ...base, operation: 'EC2.DescribeImages', errorName: 'TimeoutError' },
      line: 'Retrying EC2.DescribeImages (attempt 2 of 6) after TimeoutError; backed off 120 ms',
    },
    {
      event: { ...base, httpStatus: 503 },
      line: 'Retrying AWS call (attempt 2 of 6) after 503; backed off 120 ms',
    },
    {
      event: { ...base, attempt: 6 },
      line: 'Retrying AWS call (attempt 6 of 6) after a transient error; backed off 120 ms',
    },
  ])('$line', ({ event, line }) => {
    expect(retryLine(event)).toBe(line);
  });
});

/** An SDK error as the client factory leaves it: named, with its status and the failing operation. */
function failure(errorType: RetryErrorType, name: string, retryAfterHint?: Date): RetryErrorInfo {
  const error = Object.assign(new Error(name), { name, $operation: 'SSM.GetParameter', $metadata: {} });
  return { error, errorType, ...(retryAfterHint ? { retryAfterHint } : {}) } as RetryErrorInfo;
}

/** Drives a strategy as the SDK's retry middleware does, failing every attempt with `info`. */
async function failEveryAttempt(
  strategy: ReturnType<typeof retryStrategy>,
  info: RetryErrorInfo,
): Promise<{ retries: number; refused: boolean }> {
  let token: RetryToken = await strategy.acquireInitialRetryToken('ssm');
  let retries = 0;
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, info);
      retries += 1;
    } catch {
      return { retries, refused: true };
    }
  }
}

describe('retryStrategy', () => {
  it.each([
    { errorType: 'THROTTLING' as const, name: 'ThrottlingException', maxAttempts: 3, retries: 2 },
    { errorType: 'TRANSIENT' as const, name: 'TimeoutError', maxAttempts: 6, retries: 5 },
    { errorType: 'SERVER_ERROR' as const, name: 'InternalError', maxAttempts: 6, retries: 0 },
    { errorType: 'CLIENT_ERROR' as const, name: 'ValidationException', maxAttempts: 6, retries: 0 },
  ])('$name ($errorType) with $maxAttempts attempts: $retries retries', async (row) => {
    const lines: string[] = [];
    const slept: number[] = [];
    const strategy = retryStrategy({
      maxAttempts: row.maxAttempts,
      log: (line) => lines.push(line),
      random: () => 0.5,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    const outcome = await failEveryAttempt(strategy, failure(row.errorType, row.name));
    expect(outcome).toEqual({ retries: row.retries, refused: true });
    // Full jitter at random 0.5 is half the ceiling: 125, 250, 500, … ms.
    expect(slept).toEqual(Array.from({ length: row.retries }, (_, i) => 125 * 2 ** i));
    expect(lines).toEqual(
      slept.map(
        (ms, i) =>
          `Retrying SSM.GetParameter (attempt ${i + 2} of ${row.maxAttempts}) after ${row.name}; backed off ${ms} ms`,
      ),
    );
  });

  it('waits for a Retry-After hint once, through the injected sleep, and reports it to the SDK', async () => {
    const slept: number[] = [];
    const strategy = retryStrategy({
      random: () => 0,
      now: () => 0,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    const started = Date.now();
    const first = await strategy.acquireInitialRetryToken('ssm');
    const next = await strategy.refreshRetryTokenForRetry(first, failure('THROTTLING', 'Throttling', new Date(3_000)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(slept).toEqual([3_000]);
    expect(next.getRetryDelay()).toBe(0);
    expect((next as RetryToken & { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay).toBe(
      3_000,
    );
  });
});
