/** action.yml is the only source of defaults: readInputs and action.yml agree on every input. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, type Env } from '@img-mgr/kernel';
import { defaultInputs, readActionYaml } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { ALSO_FILLS, INPUT_OF_FIELD, readInputs } from '../src/inputs.js';
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
    const named = [...Object.values(INPUT_OF_FIELD).filter((input) => input !== undefined), ...Object.keys(ALSO_FILLS)];
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
      'ami_users=["111122223333","444455556666"]',
      'tags={ team = "a", env = "dev" }',
      'description=hello, world',
      'q=a=b',
      '# a comment',
      '',
      'name="quoted, kept"',
    ].join('\n');
    expect(variables(text)).toEqual({
      ami_users: '["111122223333","444455556666"]',
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

describe('the variables-json input (data: each value one Packer variable, whatever it holds)', () => {
  const read = (json: string, text = ''): Record<string, string> =>
    readInputs(runnerEnv({ 'variables-json': json, variables: text })).variables;

  it.each([
    [',', 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge'],
    ['a line break', 'https://github.com/o/app.git\ninstance_type=t3.2xlarge'],
    ['=', 'a=b=c'],
    ['quotes', `say "hi", it's`],
    ['${...}', '${var.ssh_source_cidr} ${{ secrets.TOKEN }}'],
  ])('a value with %s stays one variable, exactly as given', (_what, value) => {
    expect(read(JSON.stringify({ flask_repo: value, region: 'us-east-1' }))).toEqual({
      flask_repo: value,
      region: 'us-east-1',
    });
  });

  it('the same variables read from variables-json and from variables are the same request (same fingerprint)', () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    const json = JSON.stringify({ flask_repo: 'https://github.com/o/app.git', flask_ref: sha, region: 'us-west-2' });
    const text = `flask_repo=https://github.com/o/app.git\nflask_ref=${sha}\nregion=us-west-2`;
    expect(read(json)).toEqual(read('', text));
  });

  it('adds to variables; a name in both is refused', () => {
    expect(read('{"a":"1"}', 'b=2')).toEqual({ a: '1', b: '2' });
    expect(() => read('{"a":"1"}', 'a=2')).toThrow("Input 'variables-json' sets 'a', which variables sets too");
  });

  it.each([
    ['{"a":"1","a":"2"}', "Input 'variables-json' sets 'a' more than once"],
    ['{"a":"x\\"y","b":"1","a":"2"}', "Input 'variables-json' sets 'a' more than once"],
    ['{"a":1}', "Input 'variables-json' sets 'a' to a number; every value must be a string"],
    ['{"a":{"b":"c"}}', "Input 'variables-json' sets 'a' to a JSON object or list; every value must be a string"],
    ['{"a":null}', "Input 'variables-json' sets 'a' to null; every value must be a string"],
    ['["a"]', "Input 'variables-json' is not a JSON object; pass one object of variable names to strings"],
    ['a=1', "Input 'variables-json' is not JSON; pass one object of variable names to strings"],
    ['{"9lives":"x"}', "Input 'variables-json' has the key '9lives', which is not a variable name"],
    ['{"a,b":"x"}', "Input 'variables-json' has the key 'a,b', which is not a variable name"],
    ['{"run_id":"mine"}', "Input 'variables-json' sets 'run_id', which bake-ami sets itself"],
  ])('refuses %s in one line', (json, message) => {
    expect(() => read(json)).toThrow(message);
  });
});

describe('a non-empty ami_regions (Packer copies, the bake role refuses it after the whole bake)', () => {
  const copy = /sets ami_regions, Packer's copy .* the bake role refuses .* img-mgr-pipeline run --regions$/;

  it('is refused before the bake, in one line naming variables, variables-json or PKR_VAR_ami_regions', () => {
    const read =
      (inputs: Record<string, string>, env: Record<string, string> = {}) =>
      () =>
        readInputs({ ...runnerEnv(inputs), ...env });
    expect(read({ variables: 'ami_regions=["us-west-2"]' })).toThrow(/^Input 'variables' sets ami_regions/);
    expect(read({ variables: 'ami_regions=["us-west-2"]' })).toThrow(copy);
    expect(read({ 'variables-json': '{"ami_regions":"[\\"eu-west-1\\"]"}' })).toThrow(
      /^Input 'variables-json' sets ami_regions/,
    );
    expect(read({}, { PKR_VAR_ami_regions: '["eu-west-1"]' })).toThrow(
      /^The environment variable PKR_VAR_ami_regions sets ami_regions/,
    );
  });

  it('an empty list, or nothing, is no copy: accepted', () => {
    expect(readInputs(runnerEnv({ variables: 'ami_regions=[ ]' })).variables).toEqual({ ami_regions: '[ ]' });
    expect(readInputs({ ...runnerEnv(), PKR_VAR_ami_regions: '[]' }).variables).toEqual({});
  });
});
