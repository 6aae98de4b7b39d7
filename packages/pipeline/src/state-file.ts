/**
 * The JSON records in the state folder (the kept local AWS, the preview,
 * the last bake). A record that is missing means "nothing recorded"; one
 * that does not parse is an error that names the file and how to fix it,
 * never a silent "nothing running". Records are written whole (temporary
 * file, then rename), so a killed command cannot leave half a record.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { errorMessage } from '@img-mgr/kernel';
import { PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/** Reads `path`; undefined when it does not exist; a PipelineError naming it when it is not a valid record. */
export function readStateFile<T>(path: string, isValid: (value: unknown) => value is T, what: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw corrupt(path, what, errorMessage(error));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw corrupt(path, what, `not JSON: ${errorMessage(error)}`);
  }
  if (!isValid(value)) throw corrupt(path, what, 'fields missing or of the wrong type');
  return value;
}

/** Writes `value` to `path` as JSON, atomically. */
export function writeStateFile(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

/** A record whose listed keys are present: strings, numbers or booleans as given. */
export function hasFields(value: unknown, fields: Record<string, 'string' | 'number' | 'boolean'>): boolean {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return Object.entries(fields).every(([key, type]) => typeof record[key] === type);
}

function corrupt(path: string, what: string, reason: string): PipelineError {
  return new PipelineError(
    ExitCode.environment,
    `the state file ${path} (${what}) is corrupt: ${reason}`,
    `remove it with: rm '${path}' (a process it recorded may still run; stop it yourself), then run the command again`,
  );
}
