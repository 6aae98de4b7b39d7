import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import * as core from '@actions/core';
import { InputError } from '@img-mgr/kernel';
import { escapeData, failStep, isPostStep, startAction } from '../src/entry.js';
import { EnvInputs, inputVariable } from '../src/inputs.js';

let stdout: MockInstance<typeof process.stdout.write>;
const written = (): string => stdout.mock.calls.map(([chunk]) => String(chunk)).join('');

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
  process.exitCode = undefined;
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('core-free input reading', () => {
  it('names the variable and trims the value as @actions/core does', () => {
    process.env['INPUT_WORKING-DIRECTORY'] = '  ./app \n';
    process.env['INPUT_MY_INPUT'] = ' x ';
    const read = new EnvInputs(process.env);
    for (const name of ['working-directory', 'my input', 'Unset']) {
      expect(inputVariable(name)).toBe(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`);
      expect(read.raw(name)).toBe(core.getInput(name));
    }
    expect(read.raw('working-directory')).toBe('./app');
  });
});

describe('failStep', () => {
  it('writes one ::error:: line escaped as @actions/core escapes it, and sets exit code 1', () => {
    failStep(new InputError('tags', 'has 100% of the problem'));
    expect(written()).toBe("::error::Input 'tags' has 100%25 of the problem\n");
    expect(escapeData('a%b\rc\nd')).toBe('a%25b%0Dc%0Ad');
    expect(process.exitCode).toBe(1);
  });

  it('sends the stack of an unexpected error to the debug log only', () => {
    failStep(new TypeError('boom'));
    const lines = written().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::debug::TypeError: boom%0A {4}at /);
    expect(lines[1]).toBe('::error::boom');
  });
});

describe('startAction', () => {
  const stateFile = (): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'entry-test-')), 'state');
    writeFileSync(file, '');
    return file;
  };

  it('fails a bad input with one line and never runs the main step', async () => {
    const main = vi.fn(async () => {});
    const readInputs = (): never => {
      throw new InputError('stack-name', 'is required but was not set');
    };
    await startAction({ readInputs, main }, {});
    expect(main).not.toHaveBeenCalled();
    expect(written()).toBe("::error::Input 'stack-name' is required but was not set\n");
    expect(process.exitCode).toBe(1);
  });

  it('fails a main chunk that cannot load with one line, never an unhandled rejection', async () => {
    const main = (): Promise<void> => Promise.reject(new Error("Cannot find module './main.js'"));
    await startAction({ readInputs: () => 'ok', main }, {});
    expect(written().trimEnd().split('\n').at(-1)).toBe("::error::Cannot find module './main.js'");
    expect(process.exitCode).toBe(1);
  });

  it('gives valid inputs, read from the env it is given, to the main step', async () => {
    const main = vi.fn(async (_inputs: string) => {});
    await startAction({ readInputs: (env) => env['NAME'] ?? '', main }, { NAME: 'app' });
    expect(main).toHaveBeenCalledWith('app');
    expect(process.exitCode).toBeUndefined();
  });

  it('marks the state for the post step before it reads any input', async () => {
    const state = stateFile();
    const readInputs = (): never => {
      throw new InputError('template', 'is required but was not set');
    };
    await startAction({ readInputs, main: async () => {}, post: async () => {} }, { GITHUB_STATE: state });
    expect(readFileSync(state, 'utf8')).toBe('isPost=true\n');
  });

  it('runs only the post code in the post step', async () => {
    const readInputs = vi.fn(() => 'inputs');
    const main = vi.fn(async () => {});
    const post = vi.fn(async () => {});
    const state = stateFile();
    const env = { STATE_isPost: 'true', GITHUB_STATE: state };
    expect(isPostStep(env)).toBe(true);
    await startAction({ readInputs, main, post }, env);
    expect(post).toHaveBeenCalledOnce();
    expect(readInputs).not.toHaveBeenCalled();
    expect(main).not.toHaveBeenCalled();
    expect(readFileSync(state, 'utf8')).toBe('');
  });

  it('writes no state for an action without a post step', async () => {
    const state = stateFile();
    await startAction({ readInputs: () => 'x', main: async () => {} }, { GITHUB_STATE: state });
    expect(readFileSync(state, 'utf8')).toBe('');
  });
});

describe('the entry subpaths', () => {
  /** Every bare specifier the compiled module imports, following our own packages' files. */
  function importsOf(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const found: string[] = [];
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) found.push(...importsOf(resolve(dirname(file), specifier), seen));
      else if (specifier.startsWith('@img-mgr/'))
        found.push(...importsOf(createRequire(file).resolve(specifier), seen));
      else found.push(specifier);
    }
    return found;
  }

  it('load neither @actions/* nor AWS SDK code', () => {
    const lib = resolve(import.meta.dirname, '..', 'lib');
    for (const subpath of ['entry.js', 'inputs.js']) {
      const outside = importsOf(join(lib, subpath)).filter((specifier) => !specifier.startsWith('node:'));
      expect(outside, subpath).toEqual([]);
    }
  });
});
