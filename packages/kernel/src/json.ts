/**
 * JSON that a caller wrote (an action input, a tags map): parsed as
 * JSON.parse does, except that an object naming a key twice is refused.
 * JSON.parse keeps the last value silently, so `{"us-east-1":"ami-a",
 * "us-east-1":"ami-b"}` would publish ami-b alone; a reviver cannot see the
 * first one. Errors say where, never what: the text may hold a secret.
 */
import { quoteWhole } from './format.js';

/** Why a caller's JSON was refused; `problem` completes a line that names the input ("is not JSON (…)"). */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(readonly problem: string) {
    super(problem);
  }
}

/** Parses `text` as JSON; throws JsonSyntaxError when it does not parse or an object repeats a key. */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    // JSON.parse's message quotes the text around the error: keep the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new JsonSyntaxError(`is not JSON${position ? ` (at position ${position})` : ''}`);
  }
  const repeated = repeatedKey(text);
  if (repeated !== undefined) {
    throw new JsonSyntaxError(`sets ${quoteWhole(repeated, 60)} more than once`);
  }
  return value;
}

/**
 * The first key that an object of `text` (valid JSON) names twice. A scan of
 * the text, one set of keys per open object: a string is a key when it
 * follows `{` or a `,` inside an object.
 */
function repeatedKey(text: string): string | undefined {
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = stack.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      index = end;
    } else if (char === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      stack.push(undefined);
      expectKey = false;
    } else if (char === '}' || char === ']') {
      stack.pop();
      expectKey = false;
    } else if (char === ',') {
      expectKey = stack.at(-1) !== undefined;
    }
  }
  return undefined;
}
