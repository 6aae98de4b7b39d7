/**
 * readInputs without a runner or AWS: action.yml is the only source of
 * defaults, and `mode` is either given (its input must then be set) or
 * inferred from the inputs that are set, as before the input existed.
 */
import { fileURLToPath } from 'node:url';
import { InputError } from '@img-mgr/kernel';
import { build } from 'esbuild';
import { defaultInputs, inputEnv, readActionYaml } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../src/inputs.js';

const AMI = 'ami-0123456789abcdef0';
const OTHER = 'ami-0fedcba9876543210';
const DEFAULTS = defaultInputs('publish-ami');

/** The env the runner gives the step: action.yml's defaults, then the step's `with:`. */
const envOf = (inputs: Record<string, string>, extra: Record<string, string> = {}) => ({
  AWS_REGION: 'us-east-1',
  ...inputEnv({ ...DEFAULTS, ...inputs }),
  ...extra,
});
const read = (inputs: Record<string, string>, extra?: Record<string, string>) => readInputs(envOf(inputs, extra));
const failure = (inputs: Record<string, string>): string => {
  try {
    read(inputs);
  } catch (error: unknown) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('readInputs accepted the inputs');
};

describe('publish-ami inputs: action.yml is the only source of defaults', () => {
  it('the action.yml defaults become the request', () => {
    expect(DEFAULTS).toEqual({
      mode: 'auto',
      'parameter-name': '/common/img-mgr/golden-ami',
      'label-window': '50',
      'data-type': 'aws:ec2:image',
      'reference-path': '/common/img-mgr',
      'rollback-window': '5',
      application: 'img-mgr',
      'dry-run': 'false',
      'wait-timeout': '10m',
    });
    expect(read({ 'ami-id': AMI, 'keep-amis': '3' })).toEqual({
      amiInput: 'ami-id',
      primaryRegion: 'us-east-1',
      request: {
        mode: 'publish',
        targets: [{ region: 'us-east-1', amiId: AMI }],
        parameterName: '/common/img-mgr/golden-ami',
        labels: [],
        labelWindow: 50,
        tags: {},
        dataType: 'aws:ec2:image',
        waitTimeoutMs: 600_000,
        prune: { keep: 3, application: 'img-mgr', dryRun: false, referencePath: '/common/img-mgr', rollbackWindow: 5 },
      },
    });
  });

  it('every input with a default in action.yml is read from the runner, never defaulted in code', () => {
    for (const input of Object.keys(DEFAULTS)) {
      const env = envOf({ 'ami-id': AMI, 'keep-amis': '3' });
      delete (env as Record<string, string | undefined>)[`INPUT_${input.toUpperCase()}`];
      expect(() => readInputs(env), input).toThrow(
        `Input '${input}' was not set, though action.yml gives it a default`,
      );
    }
  });

  it('every input the code reads is declared in action.yml', () => {
    const declared = Object.keys(readActionYaml('publish-ami').inputs ?? {});
    const read = new Set<string>();
    const env = new Proxy(envOf({ 'ami-id': AMI }), {
      get(target, key) {
        if (typeof key === 'string' && key.startsWith('INPUT_'))
          read.add(key.slice(6).toLowerCase().replace(/_/g, ' '));
        return Reflect.get(target, key) as unknown;
      },
    });
    readInputs(env);
    expect([...read].sort()).toEqual(declared.sort());
  });

  it('tags use the kernel KEY=VALUE grammar', () => {
    expect(
      read({ 'ami-id': AMI, tags: 'owner=platform team, cost-center=42\n# a comment\nnote="x = 1"' }).request.tags,
    ).toEqual({
      owner: 'platform team',
      'cost-center': '42',
      note: 'x = 1',
    });
    expect(failure({ 'ami-id': AMI, tags: 'owner' })).toBe("Input 'tags' has line 1 that is not KEY=VALUE");
    expect(failure({ 'ami-id': AMI, tags: 'a=1,a=2' })).toBe("Input 'tags' sets 'a' more than once");
  });
});

describe('publish-ami inputs: a bad input fails before anything heavy loads', () => {
  it('src/inputs.ts bundles without @actions/* and without AWS SDK code', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/inputs.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const loaded = Object.keys(result.metafile.inputs);
    expect(loaded.filter((path) => /@actions\/|@aws-sdk\/|@smithy\/|action-kit\/lib\/index/.test(path))).toEqual([]);
    expect(loaded.some((path) => path.endsWith('src/inputs.ts'))).toBe(true);
  });
});

describe('publish-ami inputs: mode', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['ami-id', { 'ami-id': AMI }, 'publish'],
    ['amis', { amis: JSON.stringify({ 'us-east-1': AMI }) }, 'publish'],
    ['rollback-to', { 'rollback-to': 'previous' }, 'rollback'],
    ['rollback-to with reject-ami', { 'rollback-to': '3', 'reject-ami': OTHER }, 'rollback'],
    ['promote-from', { 'promote-from': '/common/img-mgr/golden-ami', 'parameter-name': '/prod/golden-ami' }, 'promote'],
    ['reject-ami alone', { 'reject-ami': OTHER }, 'reject'],
    ['reject-ami with keep-amis', { 'reject-ami': OTHER, 'keep-amis': '2' }, 'reject'],
    ['keep-amis alone', { 'keep-amis': '2' }, 'prune'],
    ['ami-id with keep-amis', { 'ami-id': AMI, 'keep-amis': '2' }, 'publish'],
  ];

  it.each(cases)('auto infers the mode from %s, as before the input existed', (_, inputs, mode) => {
    expect(read(inputs).request.mode).toBe(mode);
  });

  it.each(cases)('an explicit mode gives the same request as auto for %s', (_, inputs, mode) => {
    expect(read({ ...inputs, mode })).toEqual(read(inputs));
  });

  it('an explicit mode needs its own input and refuses another mode write', () => {
    expect(failure({ mode: 'rollback', 'ami-id': AMI })).toBe("Input 'rollback-to' is required when mode is rollback");
    expect(failure({ mode: 'publish', 'rollback-to': 'previous' })).toBe(
      "Input 'ami-id' is required when mode is publish (or set amis)",
    );
    expect(failure({ mode: 'prune', 'keep-amis': '2', 'ami-id': AMI })).toBe(
      "Input 'ami-id' cannot be combined with mode prune",
    );
    expect(failure({ mode: 'reject', 'reject-ami': OTHER, 'promote-from': '/dev/golden' })).toBe(
      "Input 'promote-from' cannot be combined with mode reject",
    );
    expect(failure({ mode: 'promote' })).toBe("Input 'promote-from' is required when mode is promote");
    expect(failure({ mode: 'publish-all', 'ami-id': AMI })).toBe(
      "Input 'mode' must be one of auto, publish, rollback, promote, reject, prune; got 'publish-all'",
    );
  });

  it('auto with nothing to do fails naming ami-id, as before', () => {
    expect(failure({})).toBe(
      "Input 'ami-id' is required: set ami-id, amis (a region to AMI map), rollback-to, promote-from or reject-ami",
    );
  });

  it('reject-ami is tagged in the primary region by the run that rejects it', () => {
    expect(
      read({ 'reject-ami': OTHER, region: 'us-west-2,us-east-1' }, { GITHUB_RUN_ID: '777' }).request.reject,
    ).toEqual({
      amiId: OTHER,
      region: 'us-east-1',
      by: '777',
    });
  });
});
