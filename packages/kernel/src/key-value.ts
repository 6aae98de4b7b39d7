/**
 * The one KEY=VALUE grammar, for every input and flag that takes pairs
 * (parameter overrides, tags, Packer variables):
 *
 * - Items are separated by newlines, and on one line by commas.
 * - A comma inside single or double quotes, or inside [], {} or (), never
 *   separates items: `Cidrs="10.0.0.0/16,10.1.0.0/16"`, `subnets=["a","b"]`.
 * - A comma also does not separate items when the text after it, up to the
 *   next separating comma, holds no `=`: `Subnets=a,b` is one item whose
 *   value is `a,b`.
 * - Blank lines and lines that start with `#` are skipped.
 * - Key and value are trimmed; the value may contain `=`. A value written
 *   wholly in matching quotes loses them (`Name="a b"` is `a b`), unless the
 *   caller keeps them (Packer variables are HCL, where quotes mean something).
 * - A key given twice is an error.
 *
 * Errors name an item by its place ("line 2, item 3"), never by its text: a
 * piece of a password is not covered by the runner's mask of the password.
 */

/** One pair as written, with its place for error lines. */
export interface KeyValueItem {
  key: string;
  value: string;
  /** 1-based line and item-on-line. */
  line: number;
  item: number;
  /** "line 2, item 3", or "line 2" when the line holds one item. */
  place: string;
}

export interface KeyValueOptions {
  /** Each key must match (default: any non-empty key). */
  keyPattern?: RegExp;
  /** Says what a key must be, after "whose key is not" (default "valid"). */
  keyHint?: string;
  /** Strip quotes around a wholly quoted value (default true). */
  stripQuotes?: boolean;
  /** Number of the first line (when the text is part of a file). */
  firstLine?: number;
}

/** A text that breaks the grammar; `problem` completes "Input 'x' …". */
export class KeyValueSyntaxError extends Error {
  override readonly name = 'KeyValueSyntaxError';
  constructor(readonly problem: string) {
    super(problem);
  }
}

/** Parses `text` by the grammar above; throws KeyValueSyntaxError. */
export function parseKeyValues(text: string, options: KeyValueOptions = {}): KeyValueItem[] {
  const items: KeyValueItem[] = [];
  const seen = new Set<string>();
  const firstLine = options.firstLine ?? 1;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const lineNumber = firstLine + index;
    const pieces = splitLine(line, lineNumber);
    for (const [position, piece] of pieces.entries()) {
      const place = pieces.length > 1 ? `line ${lineNumber}, item ${position + 1}` : `line ${lineNumber}`;
      const { key, value } = parsePair(piece, place, options);
      if (seen.has(key)) throw new KeyValueSyntaxError(`sets '${key}' more than once`);
      seen.add(key);
      items.push({ key, value, line: lineNumber, item: position + 1, place });
    }
  }
  return items;
}

/** The pairs as a Map, in the order written. */
export function keyValueMap(text: string, options: KeyValueOptions = {}): Map<string, string> {
  return new Map(parseKeyValues(text, options).map((item) => [item.key, item.value]));
}

/** Splits one line at the commas that separate items (see the grammar). */
function splitLine(line: string, lineNumber: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if ('[{('.includes(char)) {
      depth += 1;
    } else if (']})'.includes(char)) {
      depth = Math.max(0, depth - 1);
    } else if (char === ',' && depth === 0) {
      pieces.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (quote) throw new KeyValueSyntaxError(`has an unclosed ${quote} quote on line ${lineNumber}`);
  pieces.push(current);
  // A piece without '=' continues the value before it (`Subnets=a,b`).
  const items: string[] = [];
  for (const piece of pieces) {
    if (items.length > 0 && !hasUnquotedEquals(piece)) items[items.length - 1] += `,${piece}`;
    else items.push(piece);
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function hasUnquotedEquals(text: string): boolean {
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '=') return true;
  }
  return false;
}

function parsePair(item: string, place: string, options: KeyValueOptions): { key: string; value: string } {
  const equals = item.indexOf('=');
  if (equals <= 0) throw new KeyValueSyntaxError(`has ${place} that is not KEY=VALUE`);
  const key = item.slice(0, equals).trim();
  if (key === '' || (options.keyPattern && !options.keyPattern.test(key))) {
    throw new KeyValueSyntaxError(`has ${place} whose key is not ${options.keyHint ?? 'valid'}`);
  }
  let value = item.slice(equals + 1).trim();
  const first = value[0];
  if (options.stripQuotes !== false && (first === '"' || first === "'")) {
    const wholly = value.length >= 2 && value.endsWith(first) && !value.slice(1, -1).includes(first);
    if (wholly) value = value.slice(1, -1);
    else if (!value.endsWith(first))
      throw new KeyValueSyntaxError(`has ${place} whose quoted value does not end with ${first}`);
  }
  return { key, value };
}
