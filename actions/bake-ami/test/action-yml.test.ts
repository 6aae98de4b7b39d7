/** action.yml is the only source of defaults: readInputs and action.yml agree on every input. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, type Env } from '@img-mgr/kernel';
import { defaultInputs, readActionYaml } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { INPUT_OF_FIELD, readInputs } from '../src/inputs.js';
import { inputVariable } from '@img-mgr/action-kit/inputs';

/** A workspace holding action.yml's default template folder. */
const workspace = mkdtempSync(join(tmpdir(), 'bake-ami-inputs-'));
mkdirSync(join(workspace, 'packer'));
const spec = readActionYaml('bake-ami').inputs ?? {};
const declared = Object.keys(spec);
const defaults = defaultInputs('bake-ami');

/** The runner's environment: every literal default of action.yml, then `inputs`, less `without`. */
function runnerEnv(inputs: Record<string, string> = {}, without: string[] = []): Env {
  const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, AWS_REGION: 'us-east-1' };
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    if (!without.includes(name)) env[inputVariable(name)] = value;
  }
  return env;
}

describe('bake-ami inputs and action.yml agree', () => {
  it('reads exactly the inputs action.yml declares, and names one for every request field it fills', () => {
    const read = new Set<string>();
    const env = new Proxy(runnerEnv(), {
      get(target, key: string) {
        if (key.startsWith('INPUT_')) read.add(key);
        return target[key];
      },
    });
    readInputs(env);
    expect([...read].sort()).toEqual(declared.map(inputVariable).sort());
    const named = Object.values(INPUT_OF_FIELD).filter((input) => input !== undefined);
    expect([...named].sort()).toEqual([...declared].sort());
  });

  it("with action.yml's defaults, the request holds exactly those defaults", () => {
    expect(defaults).toEqual({
      template: 'packer',
      'working-directory': '.',
      'packer-version': 'path',
      init: 'true',
      force: 'false',
      timeout: '2h',
    });
    expect(readInputs(runnerEnv())).toEqual({
      template: 'packer',
      workingDirectory: workspace,
      region: 'us-east-1',
      variables: {},
      varFiles: [],
      only: [],
      except: [],
      packerVersion: 'path',
      init: true,
      force: false,
      timeoutMs: 2 * 3_600_000,
    });
  });

  it('keeps no default of its own: a defaulted input the runner did not set is an internal error', () => {
    for (const name of Object.keys(defaults)) {
      const read = (): unknown => readInputs(runnerEnv({}, [name]));
      expect(read, name).toThrow(ActionError);
      expect(read, name).toThrow(`Input '${name}' was not set, though action.yml gives it a default`);
    }
  });

  it("github-token's default is an expression the runner fills in; unset, no token is passed", () => {
    expect(spec['github-token']?.default).toBe('${{ github.token }}');
    expect(readInputs(runnerEnv()).githubToken).toBeUndefined();
    expect(readInputs(runnerEnv({ 'github-token': 'ghs_x' })).githubToken).toBe('ghs_x');
  });
});

describe('the variables input (the kernel KEY=VALUE grammar, quotes kept for HCL)', () => {
  const variables = (text: string): Record<string, string> => readInputs(runnerEnv({ variables: text })).variables;

  it('keeps one-per-line values with commas: HCL lists and maps, and text after a comma without =', () => {
    const text = [
      'ami_regions=["us-west-2","eu-west-1"]',
      'tags={ team = "a", env = "dev" }',
      'description=hello, world',
      'q=a=b',
      '# a comment',
      '',
      'name="quoted, kept"',
    ].join('\n');
    expect(variables(text)).toEqual({
      ami_regions: '["us-west-2","eu-west-1"]',
      tags: '{ team = "a", env = "dev" }',
      description: 'hello, world',
      q: 'a=b',
      name: '"quoted, kept"',
    });
  });

  it('takes several pairs on one line, separated by commas', () => {
    expect(variables('a=1, b=2')).toEqual({ a: '1', b: '2' });
  });

  it('names the line, never the text, of an item that is not KEY=VALUE or whose key is not a variable name', () => {
    expect(() => variables('a=1\nnot a pair')).toThrow("Input 'variables' has line 2 that is not KEY=VALUE");
    expect(() => variables('a=1\n9lives=x')).toThrow("Input 'variables' has line 2 whose key is not a variable name");
    expect(() => variables('a=1\na=2')).toThrow("Input 'variables' sets 'a' more than once");
    expect(() => variables('fingerprint=x')).toThrow(
      "Input 'variables' sets 'fingerprint', which bake-ami sets itself",
    );
  });
});
