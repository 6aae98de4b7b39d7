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

describe('URLs with credentials', () => {
  it('are refused in string and list inputs without repeating them', async () => {
    const { listInput, stringInput, keyValueInput } = await import('../src/inputs.js');
    process.env['INPUT_DESCRIPTION'] = 'from https://x-access-token:ghp_abc123def456@github.com/me/app.git';
    expect(() => stringInput('description')).toThrow(/^Input 'description' holds a URL with credentials \(user:token@\), which would reach logs and tags; use a URL without them$/);
    process.env['INPUT_TAGS'] = 'repo=https://ghp_abc123def456@github.com/me/app.git';
    expect(() => keyValueInput('tags')).toThrow(/^Input 'tags' holds a URL with credentials/);
    expect(() => listInput('tags')).not.toThrow(/ghp_/);
    process.env['INPUT_DESCRIPTION'] = 'see https://github.com/me/app@v1';
    expect(stringInput('description')).toBe('see https://github.com/me/app@v1');
    delete process.env['INPUT_DESCRIPTION'];
    delete process.env['INPUT_TAGS'];
  });
});

describe('quoteWhole', () => {
  it('shows a value whole or not at all', async () => {
    const { quoteWhole } = await import('../src/inputs.js');
    expect(quoteWhole('maybe')).toBe("'maybe'");
    expect(quoteWhole('x'.repeat(81))).toBe('(81 characters, not shown)');
    expect(quoteWhole('two\nlines')).toBe('(9 characters, not shown)');
    expect(quoteWhole('https://u:ghp_abc@github.com/x')).toBe('(a URL with credentials, not shown)');
  });
});
