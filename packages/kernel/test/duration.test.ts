import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/index.js';

describe('parseDuration: the one grammar of --timeout and the actions duration inputs', () => {
  it.each([
    // bare seconds (the actions' documented `600`, the CLI's `90`)
    ['600', 600_000],
    ['90', 90_000],
    ['1.5', 1_500],
    ['0', 0],
    // one unit
    ['950ms', 950],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['0.5m', 30_000],
    // several units, largest first (the CLI's `1h30m`, what formatDuration prints)
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1h5m', 3_900_000],
    ['2h0m5s', 7_205_000],
    ['1s500ms', 1_500],
    // case and blanks as the action reader took them
    ['15M', 900_000],
    ['15 m', 900_000],
    ['  90s  ', 90_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', ' ', 'soon', '-5', '-5m', '1d', '30m1h', '1h1h', '1h 30m', 'h', '1.m', '.5h', '5 5s', '1e3', '0x10'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration and parseDuration: what is printed reads back', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [950, '950ms'],
    [1_000, '1s'],
    [42_000, '42s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_900_000, '1h5m'],
    [5_400_000, '1h30m'],
    [7_205_000, '2h5s'],
    [86_400_000, '24h'],
    [90_061_000, '25h1m1s'],
  ])('%i ms prints as %s and parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('from one second on it prints whole seconds, and reads back to the rounded value', () => {
    for (const ms of [1_499, 1_500, 59_999, 3_599_600]) {
      expect(parseDuration(formatDuration(ms))).toBe(Math.round(ms / 1000) * 1000);
    }
  });
});
