import { describe, expect, it } from 'vitest';
import { poll, TimeoutError } from '../src/index.js';

/** A fake clock: sleeping advances it, so the tests take no real time. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let time = 0;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: (ms) => {
      slept.push(ms);
      time += ms;
      return Promise.resolve();
    },
    slept,
  };
}

describe('poll', () => {
  it('grows the pause by the factor up to the maximum, jittered down by at most 20 %', async () => {
    const time = fakeTime();
    const value = await poll(
      (attempt) => Promise.resolve(attempt === 6 ? { done: true, value: 'ok' } : { done: false }),
      {
        timeoutMs: 60_000,
        timeoutMessage: () => 'never',
        minIntervalMs: 1_000,
        maxIntervalMs: 3_000,
        random: () => 1,
        ...time,
      },
    );
    expect(value).toBe('ok');
    expect(time.slept).toEqual([800, 1200, 1800, 2400, 2400]);
  });

  it('drops back to the shortest pause after activity', async () => {
    const time = fakeTime();
    await poll(
      (attempt) => Promise.resolve(attempt === 4 ? { done: true, value: 1 } : { done: false, activity: attempt === 3 }),
      {
        timeoutMs: 60_000,
        timeoutMessage: () => 'never',
        minIntervalMs: 1_000,
        maxIntervalMs: 5_000,
        random: () => 0,
        ...time,
      },
    );
    expect(time.slept).toEqual([1000, 1500, 1000]);
  });

  it('never sleeps past the deadline, checks once more, then fails with a TimeoutError that is a failure', async () => {
    const time = fakeTime();
    let checks = 0;
    const waiting = poll(
      () => {
        checks += 1;
        return Promise.resolve({ done: false });
      },
      {
        timeoutMs: 2_500,
        timeoutMessage: () => 'still pending after 2.5s',
        minIntervalMs: 1_000,
        random: () => 0,
        ...time,
      },
    );
    await expect(waiting).rejects.toThrow(new TimeoutError('still pending after 2.5s'));
    expect(time.slept).toEqual([1000, 1500]);
    expect(checks).toBe(3);
  });

  it('ends with the signal reason when aborted', async () => {
    const controller = new AbortController();
    const waiting = poll(() => Promise.resolve({ done: false }), {
      timeoutMs: 60_000,
      timeoutMessage: () => 'never',
      minIntervalMs: 10_000,
      signal: controller.signal,
    });
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
