import { describe, expect, it } from 'vitest';
import { fullJitterDelay, retry } from '../src/index.js';

describe('fullJitterDelay', () => {
  it('is uniform between 0 and the capped exponential ceiling', () => {
    expect(fullJitterDelay(1, { baseMs: 100, random: () => 0.999 })).toBe(99);
    expect(fullJitterDelay(4, { baseMs: 100, random: () => 0.5 })).toBe(400);
    expect(fullJitterDelay(30, { baseMs: 100, capMs: 5_000, random: () => 0.5 })).toBe(2_500);
    expect(fullJitterDelay(3, { random: () => 0 })).toBe(0);
  });
});

describe('retry', () => {
  it('retries up to the bound with a labelled line per retry and injected sleeps', async () => {
    const lines: string[] = [];
    const slept: number[] = [];
    let calls = 0;
    const result = await retry(
      'SSM.GetParameter',
      () => {
        calls += 1;
        if (calls < 3) return Promise.reject(new Error('Rate exceeded'));
        return Promise.resolve('ok');
      },
      { attempts: 5, baseMs: 100, random: () => 0.5, log: (line) => lines.push(line), sleep: (ms) => Promise.resolve(void slept.push(ms)) },
    );
    expect(result).toBe('ok');
    expect(slept).toEqual([50, 100]);
    expect(lines).toEqual([
      'Retrying SSM.GetParameter (attempt 2 of 5) in 50 ms after: Rate exceeded',
      'Retrying SSM.GetParameter (attempt 3 of 5) in 100 ms after: Rate exceeded',
    ]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const failing = retry('x', () => Promise.reject(new Error(`fail ${++calls}`)), { attempts: 3, sleep: () => Promise.resolve() });
    await expect(failing).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    const failing = retry('x', () => Promise.reject(new Error(`fail ${++calls}`)), {
      attempts: 3,
      isRetryable: () => false,
      sleep: () => Promise.resolve(),
    });
    await expect(failing).rejects.toThrow('fail 1');
  });
});
