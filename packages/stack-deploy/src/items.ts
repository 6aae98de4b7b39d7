/**
 * Splits `KEY=VALUE` text the way users write it in a workflow: items
 * separated by newlines or commas, values that contain commas in quotes.
 */

/** One `KEY=VALUE` item as written. */
export interface KeyValueItem {
  key: string;
  value: string;
}

/**
 * Splits `text` on commas and newlines that are outside single or double
 * quotes. Blank items and lines starting with `#` are dropped. Throws a
 * plain Error (the caller names the input) on an unclosed quote.
 */
export function splitQuoted(text: string): string[] {
  const items: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trimStart().startsWith('#')) continue;
    let current = '';
    let quote: string | undefined;
    for (const char of line) {
      if (quote) {
        if (char === quote) quote = undefined;
        current += char;
      } else if (char === '"' || char === "'") {
        quote = char;
        current += char;
      } else if (char === ',') {
        items.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    if (quote) throw new Error(`has an unclosed ${quote} quote in the item '${keyOnly(current.trimStart())}'`);
    items.push(current);
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** Parses one `KEY=VALUE` item; the value may be quoted and may contain '='. */
export function parseItem(item: string): KeyValueItem {
  const equals = item.indexOf('=');
  if (equals <= 0) throw new Error(`has '${shorten(item)}', which is not KEY=VALUE`);
  const key = item.slice(0, equals).trim();
  let value = item.slice(equals + 1).trim();
  const first = value[0];
  if ((first === '"' || first === "'") && value.length >= 2 && value.endsWith(first)) value = value.slice(1, -1);
  else if (first === '"' || first === "'") throw new Error(`has '${key}=…', whose quoted value does not end with ${first}`);
  return { key, value };
}

/** `KEY=…` of an item, so an error line never repeats a value (it may be a secret). */
function keyOnly(item: string): string {
  const equals = item.indexOf('=');
  return equals < 0 ? shorten(item) : `${shorten(item.slice(0, equals))}=…`;
}

/** Cuts long text for an error message. */
export function shorten(value: string, max = 80): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
