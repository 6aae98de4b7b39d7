/**
 * `parameter-overrides`: KEY=VALUE items, JSON/YAML files (a map or the
 * CloudFormation `[{ParameterKey, ParameterValue | UsePreviousValue}]`
 * list), or both. File values stay exactly as written: `1.10` is "1.10",
 * `0012` is "0012", `yes` is "yes" (no number or boolean coercion).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  InvalidRequestError,
  KeyValueSyntaxError,
  parseKeyValues,
  quoteWhole,
  type KeyValueItem,
} from '@img-mgr/kernel';
import { parse as parseYaml } from 'yaml';

/** The request field (DeployRequest.parameters) that errors name. */
const FIELD = 'parameters';
/** CloudFormation parameter names are alphanumeric. */
const PARAMETER_KEY = /^[A-Za-z0-9]{1,255}$/;

/**
 * Parses the input text into one map. Each line is either a file
 * (`file://path`, or a path ending in .json/.yaml/.yml with no '=') or
 * KEY=VALUE items in the kernel's grammar (`parseKeyValues`). Later sources
 * override earlier ones, so a file of defaults followed by a few items works
 * as expected.
 */
export function parseParameterOverrides(text: string, options: { cwd: string }): ParameterOverrides {
  const lines = text.split(/\r?\n/);
  const files = lines.map(filePath);
  // The items of every other line at once (a key set twice inline is an error), at their own line numbers.
  const items = inlineItems(lines.map((line, index) => (files[index] === undefined ? line : '')).join('\n'));
  const result = new ParameterOverrides();
  fill(result, files, items, options.cwd);
  checkValueSizes(result);
  return result;
}

/** CloudFormation's limit for one parameter value. */
const MAX_VALUE_BYTES = 4_096;

/** A value CloudFormation would refuse after the change set's wait: named (by its place) before any call. */
function checkValueSizes(result: ParameterOverrides): void {
  for (const [key, value] of result) {
    const bytes = Buffer.byteLength(value);
    if (bytes <= MAX_VALUE_BYTES) continue;
    const place = result.places.get(key);
    const where = place ? `at ${place}` : `for ${quoteWhole(key)}`;
    throw new InvalidRequestError(
      FIELD,
      `has a value of ${bytes} bytes ${where}; CloudFormation allows ${MAX_VALUE_BYTES}`,
    );
  }
}

function fill(result: ParameterOverrides, files: (string | undefined)[], items: KeyValueItem[], cwd: string): void {
  for (const [index, file] of files.entries()) {
    if (file === undefined) {
      for (const item of items.filter((candidate) => candidate.line === index + 1)) {
        result.set(item.key, item.value);
        result.places.set(item.key, item.place);
      }
      continue;
    }
    const document = readParameterDocument(file, cwd);
    for (const [key, value] of document.values) {
      result.set(key, value);
      result.places.delete(key);
    }
    // The stack's previous value is what deploy sends for a key with no override.
    for (const key of document.usePrevious) {
      result.delete(key);
      result.places.delete(key);
    }
  }
}

/**
 * The overrides, and where each inline one was written ("line 1, item 2"),
 * so that an error can name an item without printing its text (the "key" of
 * a mistyped item may be a piece of a value). Keys read from files are keys for sure.
 */
export class ParameterOverrides extends Map<string, string> {
  readonly places = new Map<string, string>();
}

/** The KEY=VALUE items, with their places; errors name the place, never the text. */
function inlineItems(text: string): KeyValueItem[] {
  try {
    return parseKeyValues(text, { keyPattern: PARAMETER_KEY, keyHint: 'a parameter name (only letters and digits)' });
  } catch (error: unknown) {
    throw error instanceof KeyValueSyntaxError ? new InvalidRequestError(FIELD, error.problem) : error;
  }
}

/** The file a line names, or undefined when the line holds KEY=VALUE items. */
function filePath(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('#')) return undefined; // a comment
  if (trimmed.startsWith('file://')) return trimmed.slice('file://'.length);
  if (!trimmed.includes('=') && /\.(json|ya?ml)$/i.test(trimmed)) return trimmed;
  return undefined;
}

/** What a parameter file says: values to send, and keys that keep the stack's previous value. */
export interface ParameterDocument {
  values: Map<string, string>;
  /** Keys of list entries with `UsePreviousValue: true`. */
  usePrevious: string[];
}

/** Reads a JSON or YAML parameter file: a map, or a list of {ParameterKey, ParameterValue}. */
export function readParameterFile(path: string, cwd: string): Map<string, string> {
  return readParameterDocument(path, cwd).values;
}

/** Reads a parameter file with its UsePreviousValue entries (see `parameterEntries`). */
export function readParameterDocument(path: string, cwd: string): ParameterDocument {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? 'error'})`;
    throw new InvalidRequestError(FIELD, `names the file ${quoteWhole(path)}, which ${why}`);
  }
  let data: unknown;
  try {
    // The failsafe schema reads every scalar as the string written: no 1.10 → 1.1, 0012 → 12, yes → true.
    data = parseYaml(text, { schema: 'failsafe' });
  } catch (error: unknown) {
    // The parser's message quotes the offending line, which may hold a value: name its place only.
    const what =
      (error as { code?: unknown }).code === 'DUPLICATE_KEY' ? 'sets a key twice' : 'is not valid JSON or YAML';
    throw new InvalidRequestError(
      FIELD,
      `names the file ${quoteWhole(path)}, which ${what} (${parseErrorPlace(error)})`,
    );
  }
  return parameterEntries(data, path);
}

/** Turns a parsed parameter file into a map, checking its shape. */
export function parameterDocument(data: unknown, path: string): Map<string, string> {
  return parameterEntries(data, path).values;
}

/**
 * Turns a parsed parameter file into values and UsePreviousValue keys. A list
 * entry has a ParameterKey and either a ParameterValue or `UsePreviousValue:
 * true` (as CloudFormation's own files do), never both.
 */
export function parameterEntries(data: unknown, path: string): ParameterDocument {
  const values = new Map<string, string>();
  const usePrevious: string[] = [];
  if (Array.isArray(data)) {
    for (const [index, entry] of data.entries()) {
      const record =
        entry !== null && typeof entry === 'object' && !Array.isArray(entry)
          ? (entry as Record<string, unknown>)
          : undefined;
      const key = record?.ParameterKey;
      const value = record?.ParameterValue;
      const keep = flag(record?.UsePreviousValue);
      const where = `file ${quoteWhole(path)} entry ${index + 1}`;
      if (typeof key !== 'string')
        throw new InvalidRequestError(
          FIELD,
          `${where} needs ParameterKey and ParameterValue (or UsePreviousValue: true)`,
        );
      checkKey(key);
      if (keep === 'invalid')
        throw new InvalidRequestError(
          FIELD,
          `${where} (${key}) has UsePreviousValue ${quoteWhole(String(record?.UsePreviousValue))}; use true or false`,
        );
      if (keep && value !== undefined && value !== null) {
        throw new InvalidRequestError(
          FIELD,
          `${where} (${key}) sets both ParameterValue and UsePreviousValue: true; give one of them`,
        );
      }
      if (keep) {
        values.delete(key);
        usePrevious.push(key);
        continue;
      }
      if (value === undefined || value === null)
        throw new InvalidRequestError(FIELD, `${where} (${key}) needs ParameterValue (or UsePreviousValue: true)`);
      values.set(key, scalar(value, key, path));
      const dropped = usePrevious.indexOf(key);
      if (dropped >= 0) usePrevious.splice(dropped, 1);
    }
    return { values, usePrevious };
  }
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      checkKey(key);
      values.set(key, scalar(value, key, path));
    }
    return { values, usePrevious };
  }
  throw new InvalidRequestError(
    FIELD,
    `file ${quoteWhole(path)} must hold a map of KEY: VALUE or a list of {ParameterKey, ParameterValue}`,
  );
}

/** A YAML/JSON boolean as written (the failsafe schema leaves it a string); 'invalid' for anything else. */
function flag(value: unknown): boolean | 'invalid' {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'string') {
    if (/^(true|True|TRUE)$/.test(value)) return true;
    if (/^(false|False|FALSE)$/.test(value)) return false;
  }
  return 'invalid';
}

function scalar(value: unknown, key: string, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // A CommaDelimitedList or List<...> parameter written as a YAML/JSON list.
  if (Array.isArray(value) && value.every((item) => ['string', 'number'].includes(typeof item))) return value.join(',');
  throw new InvalidRequestError(
    FIELD,
    `file ${quoteWhole(path)} gives ${quoteWhole(key)} a value that is not a string, number, boolean or list`,
  );
}

function checkKey(key: string): void {
  if (!PARAMETER_KEY.test(key)) {
    throw new InvalidRequestError(
      FIELD,
      `has the key ${quoteWhole(key)}; parameter names have only letters and digits`,
    );
  }
}

/** "line 3, column 7" of a YAML/JSON parse error, without the quoted source. */
function parseErrorPlace(error: unknown): string {
  const position = (error as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
  return position ? `line ${position.line}, column ${position.col}` : 'it does not parse';
}
