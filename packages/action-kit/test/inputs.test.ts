import { afterEach, describe, expect, it } from 'vitest';
import {
  booleanInput,
  choiceInput,
  durationInput,
  integerInput,
  InputError,
  keyValueInput,
  listInput,
  stringInput,
} from '../src/index.js';

const set = (name: string, value: string): void => {
  process.env[`INPUT_${name.toUpperCase()}`] = value;
};

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('stringInput', () => {
  it('names the input when a required one is missing', () => {
    expect(() => stringInput('stack-name', { required: true })).toThrow("Input 'stack-name' is required but was not set");
  });

  it('returns the default for an empty input and trims whitespace', () => {
    expect(stringInput('mode', { default: 'plan' })).toBe('plan');
    set('mode', '  execute \n');
    expect(stringInput('mode', { default: 'plan' })).toBe('execute');
  });

  it('rejects a value that does not match, quoting it and the rule', () => {
    set('ami-id', 'ami-XYZ');
    expect(() => stringInput('ami-id', { pattern: /^ami-[0-9a-f]{8}$/, patternHint: 'ami- and 8 hex digits' })).toThrow(
      "Input 'ami-id' has an invalid value 'ami-XYZ': ami- and 8 hex digits",
    );
  });
});

describe('typed inputs', () => {
  it('reads booleans strictly', () => {
    set('force', 'TRUE');
    expect(booleanInput('force', false)).toBe(true);
    set('force', 'maybe');
    expect(() => booleanInput('force', false)).toThrow(InputError);
  });

  it('bounds integers and rejects negatives and garbage', () => {
    set('keep-amis', '3');
    expect(integerInput('keep-amis', { min: 1 })).toBe(3);
    set('keep-amis', '-1');
    expect(() => integerInput('keep-amis', { min: 1 })).toThrow("Input 'keep-amis' must be at least 1, got -1");
    set('keep-amis', '2x');
    expect(() => integerInput('keep-amis', { min: 1 })).toThrow('must be a whole number');
  });

  it('accepts only the listed choices', () => {
    set('mode', 'deploy');
    expect(() => choiceInput('mode', ['plan', 'execute'], 'plan')).toThrow("Input 'mode' must be one of plan, execute; got 'deploy'");
  });

  it('parses durations with units and rejects negative or zero ones', () => {
    set('wait-timeout', '15m');
    expect(durationInput('wait-timeout', 1)).toBe(900_000);
    set('wait-timeout', '90');
    expect(durationInput('wait-timeout', 1)).toBe(90_000);
    set('wait-timeout', '-5');
    expect(() => durationInput('wait-timeout', 1)).toThrow("Input 'wait-timeout' must be a positive duration");
    set('wait-timeout', '0');
    expect(() => durationInput('wait-timeout', 1)).toThrow('greater than zero');
  });

  it('splits lists on newlines and commas and drops comments', () => {
    set('labels', 'a, b\n# note\n\nc');
    expect(listInput('labels')).toEqual(['a', 'b', 'c']);
  });

  it('parses KEY=VALUE and rejects items without a key or repeated keys', () => {
    set('tags', 'team=platform\nenv=dev');
    expect([...keyValueInput('tags')]).toEqual([
      ['team', 'platform'],
      ['env', 'dev'],
    ]);
    set('tags', 'team');
    expect(() => keyValueInput('tags')).toThrow("Input 'tags' has item 1 that is not KEY=VALUE");
    // After an unquoted comma an item may be a piece of a secret value: it is named by number, never shown.
    set('tags', 'token=pa55,w0rd-TAIL');
    expect(() => keyValueInput('tags')).toThrow(/^Input 'tags' has item 2 that is not KEY=VALUE$/);
    set('tags', 'a=1,a=2');
    expect(() => keyValueInput('tags')).toThrow("sets 'a' more than once");
  });
});
