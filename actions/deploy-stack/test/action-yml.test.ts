/** action.yml is the only source of defaults: readInputs and action.yml agree on every input. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, InputError, type Env } from '@img-mgr/kernel';
import { IAM_CAPABILITIES } from '@img-mgr/stack-deploy/parsers';
import { defaultInputs, readActionYaml } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { INPUT_OF_FIELD, readInputs } from '../src/inputs.js';

const workspace = mkdtempSync(join(tmpdir(), 'deploy-stack-inputs-'));
writeFileSync(join(workspace, 'app.yaml'), 'Resources: {}\n');
const declared = Object.keys(readActionYaml('deploy-stack').inputs ?? {});
const defaults = defaultInputs('deploy-stack');
const variable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** The runner's environment: every default of action.yml, then `inputs`. */
function runnerEnv(inputs: Record<string, string>, without: string[] = []): Env {
  const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, AWS_REGION: 'us-east-1' };
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    if (!without.includes(name)) env[variable(name)] = value;
  }
  return env;
}

const required = { 'stack-name': 'app', template: 'app.yaml' };

describe('deploy-stack inputs and action.yml agree', () => {
  it('reads exactly the inputs action.yml declares', () => {
    const read = new Set<string>();
    const env = new Proxy(runnerEnv(required), {
      get: (target, key) => {
        if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
        return Reflect.get(target, key) as unknown;
      },
    });
    readInputs(env);
    expect([...read].sort()).toEqual(declared.map(variable).sort());
    // Every request field an error can name is filled by a declared input.
    const named = Object.values(INPUT_OF_FIELD).filter((input): input is string => input !== undefined);
    expect(named.filter((input) => !declared.includes(input))).toEqual([]);
  });

  it('takes each default from action.yml: the request is what those defaults say', () => {
    expect(readInputs(runnerEnv(required))).toMatchObject({
      mode: 'create-and-execute',
      capabilities: [...IAM_CAPABILITIES], // what the CLI sends too
      disableRollback: false,
      waitTimeoutMs: 60 * 60_000,
      failOnEmptyChangeSet: false,
      recreateFailedStack: true,
      cancelOnAbort: true,
    });
  });

  it.each(Object.keys(defaults))(
    'has no default of its own for %s: without the runner filling it in, it fails',
    (name) => {
      const failure = (() => {
        try {
          readInputs(runnerEnv(required, [name]));
        } catch (error: unknown) {
          return error;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(ActionError);
      expect((failure as Error).message).toContain(`Input '${name}' was not set, though action.yml gives it a default`);
    },
  );

  it('needs nothing for an input without a default', () => {
    const optional = declared.filter((name) => !(name in defaults) && !(name in required));
    expect(readInputs(runnerEnv(required, optional))).toMatchObject({ stackName: 'app', roleArn: undefined });
  });

  it('an explicitly empty capabilities acknowledges none; another empty defaulted input is a bad input', () => {
    expect(readInputs(runnerEnv({ ...required, capabilities: '' })).capabilities).toEqual([]);
    expect(() => readInputs(runnerEnv({ ...required, 'wait-timeout': '' }))).toThrow(
      new InputError(
        'wait-timeout',
        'is empty; give a value, or leave it out of with: to get its default from action.yml',
      ),
    );
  });

  it('names the input, not the request field, in an error of the domain parsers', () => {
    expect(() => readInputs(runnerEnv({ ...required, 'stack-name': 'my_stack' }))).toThrow(
      /^Input 'stack-name' has an invalid value 'my_stack'/,
    );
    expect(() => readInputs(runnerEnv({ ...required, capabilities: 'CAPABILITY_ROOT' }))).toThrow(
      "Input 'capabilities' has 'CAPABILITY_ROOT'; use CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND",
    );
  });

  it('reads its inputs without loading @actions/* or the AWS SDK', async () => {
    const entry = fileURLToPath(new URL('../src/inputs.ts', import.meta.url));
    const bundle = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
    });
    const loaded = Object.keys(bundle.metafile.inputs);
    expect(loaded.some((path) => path.endsWith('stack-deploy/lib/parsers.js'))).toBe(true);
    expect(loaded.filter((path) => /node_modules\/(@actions|@aws-sdk|@smithy)\//.test(path))).toEqual([]);
  });
});
