/**
 * Splits `KEY=VALUE` text the way users write it in a workflow: items
 * separated by newlines or commas, values that contain commas in quotes.
 *
 * Error messages name an item by its place ("line 2, item 3"), never by its
 * text: an unquoted comma or a wrapped line cuts a value in pieces, and a
 * piece of a password is not covered by the runner's mask of the password.
 */

/** One `KEY=VALUE` item as written. */
export interface KeyValueItem {
  key: string;
  value: string;
}

/** An item's text and where it was written (1-based). */
export interface PlacedItem {
  text: string;
  line: number;
  item: number;
}

/** "line 2, item 3" (or "line 2" when the line holds one item). */
export function placeOf(item: Pick<PlacedItem, 'line' | 'item'>, itemsOnLine = 2): string {
  return itemsOnLine > 1 ? `line ${item.line}, item ${item.item}` : `line ${item.line}`;
}

/**
 * Splits `text` on commas and newlines that are outside single or double
 * quotes. Blank items and lines starting with `#` are dropped. Throws a
 * plain Error (the caller names the input) on an unclosed quote. Line
 * numbers start at `firstLine`.
 */
export function splitQuotedItems(text: string, firstLine = 1): PlacedItem[] {
  const items: PlacedItem[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trimStart().startsWith('#')) continue;
    const lineNumber = firstLine + index;
    const onLine: string[] = [];
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
        onLine.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    if (quote) throw new Error(`has an unclosed ${quote} quote on line ${lineNumber}`);
    onLine.push(current);
    const kept = onLine.map((item) => item.trim()).filter((item) => item !== '');
    kept.forEach((item, position) => items.push({ text: item, line: lineNumber, item: position + 1 }));
  }
  return items;
}

/** The texts of `splitQuotedItems`. */
export function splitQuoted(text: string): string[] {
  return splitQuotedItems(text).map((item) => item.text);
}

/**
 * Parses one `KEY=VALUE` item; the value may be quoted and may contain '='.
 * `where` names the item in an error ("line 2, item 1").
 */
export function parseItem(item: string, where = 'an item'): KeyValueItem {
  const equals = item.indexOf('=');
  if (equals <= 0) throw new Error(`has ${where} that is not KEY=VALUE`);
  const key = item.slice(0, equals).trim();
  let value = item.slice(equals + 1).trim();
  const first = value[0];
  if ((first === '"' || first === "'") && value.length >= 2 && value.endsWith(first)) value = value.slice(1, -1);
  else if (first === '"' || first === "'")
    throw new Error(`has ${where} whose quoted value does not end with ${first}`);
  return { key, value };
}

/** Cuts long text for an error message. */
export function shorten(value: string, max = 80): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
