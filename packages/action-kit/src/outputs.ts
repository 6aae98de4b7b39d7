/** Step outputs and saved state. */
import * as core from '@actions/core';

/** Sets a step output; objects are written as JSON, booleans as true/false. */
export function setOutput(name: string, value: string | number | boolean | object | undefined): void {
  if (value === undefined) return;
  core.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** Saves a value for this action's `post:` step. */
export function saveState(name: string, value: string | object): void {
  core.saveState(name, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Reads a value saved by `saveState` in the main step ('' when unset). */
export function readState(name: string): string {
  return core.getState(name);
}
