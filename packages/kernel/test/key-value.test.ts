import { describe, expect, it } from 'vitest';
import { keyValueMap, KeyValueSyntaxError, parseKeyValues } from '../src/index.js';

const pairs = (text: string, options = {}): [string, string][] => [...keyValueMap(text, options)];

describe('the KEY=VALUE grammar', () => {
  it('takes items on lines and, on one line, separated by commas', () => {
    expect(pairs('A=1\nB=2, C=3\n\n# comment\n  D = 4 ')).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
      ['D', '4'],
    ]);
  });

  it('keeps commas inside quotes and brackets, and commas not followed by another pair', () => {
    expect(pairs('Cidrs="10.0.0.0/16,10.1.0.0/16", Name=x')).toEqual([
      ['Cidrs', '10.0.0.0/16,10.1.0.0/16'],
      ['Name', 'x'],
    ]);
    expect(pairs('subnets=["a","b"]', { stripQuotes: false })).toEqual([['subnets', '["a","b"]']]);
    expect(pairs('tags={"a"="b", "c"="d"}', { stripQuotes: false })).toEqual([['tags', '{"a"="b", "c"="d"}']]);
    expect(pairs('Subnets=a,b,c')).toEqual([['Subnets', 'a,b,c']]);
  });

  it('keeps = inside values and strips quotes only around a wholly quoted value', () => {
    expect(pairs('Url=https://x/?a=b\nName=\'a b\'\nList="a","b"')).toEqual([
      ['Url', 'https://x/?a=b'],
      ['Name', 'a b'],
      ['List', '"a","b"'],
    ]);
    expect(pairs('name="quoted"', { stripQuotes: false })).toEqual([['name', '"quoted"']]);
  });

  it('names a bad item by its place, never by its text', () => {
    const problem = (text: string, options = {}): string => {
      try {
        parseKeyValues(text, options);
      } catch (error: unknown) {
        if (error instanceof KeyValueSyntaxError) return error.problem;
      }
      return 'no error';
    };
    expect(problem('A=1\nsecret-without-equals')).toBe('has line 2 that is not KEY=VALUE');
    expect(problem('A=1, B="x')).toBe('has an unclosed " quote on line 1');
    expect(problem('A=1\nA=2')).toBe("sets 'A' more than once");
    expect(problem('bad key=1', { keyPattern: /^\w+$/, keyHint: 'a variable name' })).toBe(
      'has line 1 whose key is not a variable name',
    );
    expect(problem('A=1, B=2\nC="x')).toBe('has an unclosed " quote on line 2');
  });

  it('gives each item its place', () => {
    expect(parseKeyValues('A=1\nB=2, C=3').map((item) => item.place)).toEqual([
      'line 1',
      'line 2, item 1',
      'line 2, item 2',
    ]);
  });
});
