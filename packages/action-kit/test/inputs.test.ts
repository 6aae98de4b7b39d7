import { describe, expect, it } from 'vitest';
import { ActionError, InputError } from '@img-mgr/kernel';
import { EnvInputs, inputVariable, quoteWhole } from '../src/inputs.js';

/** The readers over an environment holding `inputs` as the runner names them. */
const inputsOf = (inputs: Record<string, string>): EnvInputs =>
  new EnvInputs(Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), value])));

describe('string', () => {
  it('names the input when a required one is missing, and trims whitespace', () => {
    expect(() => inputsOf({}).string('stack-name', { required: true })).toThrow(
      "Input 'stack-name' is required but was not set",
    );
    expect(inputsOf({}).string('stack-name')).toBeUndefined();
    expect(inputsOf({ mode: '  execute \n' }).string('mode')).toBe('execute');
  });

  it('rejects a value that does not match, quoting it and the rule', () => {
    const read = inputsOf({ 'ami-id': 'ami-XYZ' });
    expect(() => read.string('ami-id', { pattern: /^ami-[0-9a-f]{8}$/, patternHint: 'ami- and 8 hex digits' })).toThrow(
      "Input 'ami-id' has an invalid value 'ami-XYZ': ami- and 8 hex digits",
    );
  });
});

describe('defaulted inputs: action.yml is the only source of defaults', () => {
  it('an unset one is the caller’s error; an empty one names the input', () => {
    expect(() => inputsOf({}).defaulted('mode')).toThrow(ActionError);
    expect(() => inputsOf({}).defaulted('mode')).toThrow(
      "Input 'mode' was not set, though action.yml gives it a default",
    );
    expect(() => inputsOf({ mode: ' ' }).defaulted('mode')).toThrow(
      new InputError('mode', 'is empty; give a value, or leave it out of with: to get its default from action.yml'),
    );
    expect(inputsOf({ capabilities: '' }).list('capabilities', { defaulted: true })).toEqual([]);
  });

  it('reads booleans strictly', () => {
    expect(inputsOf({ force: 'TRUE' }).boolean('force')).toBe(true);
    expect(() => inputsOf({ force: 'maybe' }).boolean('force')).toThrow(InputError);
    expect(inputsOf({}).optionalBoolean('force')).toBeUndefined();
  });

  it('bounds integers and rejects negatives and garbage', () => {
    expect(inputsOf({ 'keep-amis': '3' }).integer('keep-amis', { min: 1 })).toBe(3);
    expect(() => inputsOf({ 'keep-amis': '-1' }).integer('keep-amis', { min: 1 })).toThrow(
      "Input 'keep-amis' must be at least 1, got -1",
    );
    expect(() => inputsOf({ 'keep-amis': '2x' }).integer('keep-amis')).toThrow('must be a whole number');
    expect(inputsOf({}).integer('keep-amis')).toBeUndefined();
    expect(() => inputsOf({}).integer('label-window', { defaulted: true })).toThrow(ActionError);
  });

  it('accepts only the listed choices', () => {
    expect(() => inputsOf({ mode: 'deploy' }).choice('mode', ['plan', 'execute'])).toThrow(
      "Input 'mode' must be one of plan, execute; got 'deploy'",
    );
  });

  it('parses durations with units and rejects negative, zero or too long ones', () => {
    expect(inputsOf({ 'wait-timeout': '15m' }).duration('wait-timeout')).toBe(900_000);
    expect(inputsOf({ 'wait-timeout': '90' }).duration('wait-timeout')).toBe(90_000);
    // The kernel's grammar: what its formatDuration prints (1m30s) reads back, and 1.5h as before.
    expect(inputsOf({ 'wait-timeout': '1m30s' }).duration('wait-timeout')).toBe(90_000);
    expect(inputsOf({ 'wait-timeout': '1.5h' }).duration('wait-timeout')).toBe(5_400_000);
    expect(() => inputsOf({ 'wait-timeout': '-5' }).duration('wait-timeout')).toThrow(
      "Input 'wait-timeout' must be a positive duration",
    );
    expect(() => inputsOf({ 'wait-timeout': '0' }).duration('wait-timeout')).toThrow('greater than zero');
    expect(() => inputsOf({ 'wait-timeout': '2h' }).duration('wait-timeout', { maxMs: 3_600_000 })).toThrow(
      'must be at most 3600s',
    );
  });
});

describe('lists and KEY=VALUE', () => {
  it('splits lists on newlines and commas and drops comments', () => {
    expect(inputsOf({ labels: 'a, b\n# note\n\nc' }).list('labels')).toEqual(['a', 'b', 'c']);
  });

  it('parses KEY=VALUE by the kernel grammar and names a bad item by its place, never its text', () => {
    expect([...inputsOf({ tags: 'team=platform\nenv=dev' }).keyValues('tags')]).toEqual([
      ['team', 'platform'],
      ['env', 'dev'],
    ]);
    expect(() => inputsOf({ tags: 'team' }).keyValues('tags')).toThrow("Input 'tags' has line 1 that is not KEY=VALUE");
    // A comma not followed by another pair stays in the value: a password is never cut in pieces.
    expect([...inputsOf({ tags: 'token=pa55,w0rd-TAIL' }).keyValues('tags')]).toEqual([['token', 'pa55,w0rd-TAIL']]);
    expect(() => inputsOf({ tags: 'a=1,a=2' }).keyValues('tags')).toThrow("sets 'a' more than once");
  });
});

describe('URLs with credentials', () => {
  it('are refused in string, list and KEY=VALUE inputs without repeating them', () => {
    const url = 'from https://x-access-token:ghp_abc123def456@github.com/me/app.git';
    expect(() => inputsOf({ description: url }).string('description')).toThrow(
      new RegExp(
        /^Input 'description' holds a URL with credentials \(user:token@\), /.source +
          /which would reach logs and tags; use a URL without them$/.source,
      ),
    );
    const tags = inputsOf({ tags: 'repo=https://ghp_abc123def456@github.com/me/app.git' });
    expect(() => tags.keyValues('tags')).toThrow(/^Input 'tags' holds a URL with credentials/);
    expect(() => tags.list('tags')).toThrow(/^Input 'tags' holds a URL with credentials/);
    expect(inputsOf({ description: 'see https://github.com/me/app@v1' }).string('description')).toBe(
      'see https://github.com/me/app@v1',
    );
  });
});

describe('quoteWhole', () => {
  it('shows a value whole or not at all', () => {
    expect(quoteWhole('maybe')).toBe("'maybe'");
    expect(quoteWhole('x'.repeat(81))).toBe('(81 characters, not shown)');
    expect(quoteWhole('two\nlines')).toBe('(9 characters, not shown)');
    expect(quoteWhole('https://u:ghp_abc@github.com/x')).toBe('(a URL with credentials, not shown)');
  });
});
