/**
 * `parameter-overrides`: KEY=VALUE items, JSON/YAML files (a map or the
 * CloudFormation `[{ParameterKey, ParameterValue}]` list), or both.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '@img-mgr/action-kit';
import { parse as parseYaml } from 'yaml';
import { parseItem, shorten, splitQuoted } from './items.js';

const INPUT = 'parameter-overrides';
/** CloudFormation parameter names are alphanumeric. */
const PARAMETER_KEY = /^[A-Za-z0-9]{1,255}$/;

/**
 * Parses the input text into one map. Each line is either a file
 * (`file://path`, or a path ending in .json/.yaml/.yml with no '=') or
 * KEY=VALUE items. Later sources override earlier ones, so a file of
 * defaults followed by a few items works as expected.
 */
export function parseParameterOverrides(text: string, options: { cwd: string; inputName?: string }): Map<string, string> {
  const input = options.inputName ?? INPUT;
  const result = new Map<string, string>();
  const inline: string[] = [];
  const flushInline = (): void => {
    if (inline.length === 0) return;
    let items: string[];
    try {
      items = splitQuoted(inline.join('\n'));
    } catch (error: unknown) {
      throw new InputError(input, (error as Error).message);
    }
    inline.length = 0;
    for (const raw of items) {
      let item;
      try {
        item = parseItem(raw);
      } catch (error: unknown) {
        throw new InputError(input, (error as Error).message);
      }
      checkKey(item.key, input);
      result.set(item.key, item.value);
    }
  };
  for (const line of text.split(/\r?\n/)) {
    const file = filePath(line);
    if (file === undefined) {
      inline.push(line);
      continue;
    }
    flushInline();
    for (const [key, value] of readParameterFile(file, options.cwd, input)) result.set(key, value);
  }
  flushInline();
  return result;
}

/** The file a line names, or undefined when the line holds KEY=VALUE items. */
function filePath(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('file://')) return trimmed.slice('file://'.length);
  if (!trimmed.includes('=') && /\.(json|ya?ml)$/i.test(trimmed)) return trimmed;
  return undefined;
}

/** Reads a JSON or YAML parameter file: a map, or a list of {ParameterKey, ParameterValue}. */
export function readParameterFile(path: string, cwd: string, input = INPUT): Map<string, string> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(input, `names the file '${path}', which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error: unknown) {
    throw new InputError(input, `names the file '${path}', which is not valid JSON or YAML: ${shorten((error as Error).message, 120)}`);
  }
  return parameterDocument(data, path, input);
}

/** Turns a parsed parameter file into a map, checking its shape. */
export function parameterDocument(data: unknown, path: string, input = INPUT): Map<string, string> {
  const result = new Map<string, string>();
  if (Array.isArray(data)) {
    for (const [index, entry] of data.entries()) {
      const record = entry as Record<string, unknown> | null;
      const key = record?.ParameterKey;
      const value = record?.ParameterValue;
      if (typeof key !== 'string' || value === undefined || value === null) {
        throw new InputError(input, `file '${path}' entry ${index + 1} needs ParameterKey and ParameterValue`);
      }
      checkKey(key, input);
      result.set(key, scalar(value, key, path, input));
    }
    return result;
  }
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      checkKey(key, input);
      result.set(key, scalar(value, key, path, input));
    }
    return result;
  }
  throw new InputError(input, `file '${path}' must hold a map of KEY: VALUE or a list of {ParameterKey, ParameterValue}`);
}

function scalar(value: unknown, key: string, path: string, input: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // A CommaDelimitedList or List<...> parameter written as a YAML/JSON list.
  if (Array.isArray(value) && value.every((item) => ['string', 'number'].includes(typeof item))) return value.join(',');
  throw new InputError(input, `file '${path}' gives '${key}' a value that is not a string, number, boolean or list`);
}

function checkKey(key: string, input: string): void {
  if (!PARAMETER_KEY.test(key)) {
    throw new InputError(input, `has the key '${shorten(key)}'; parameter names have only letters and digits`);
  }
}
