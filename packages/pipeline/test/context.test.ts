import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { commandContext, stepContext } from '../src/context.js';
import { newRedactor, redactingIo } from '../src/redactor.js';
import { openTarget } from '../src/target.js';
import { newReport, parseArgs, plainProgress, type Io } from '../src/index.js';
import { packageDir } from './helpers.js';

const SOURCES = join(packageDir, 'src');

/** Every src file with its text. */
function sources(): [string, string][] {
  return readdirSync(SOURCES)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [name, readFileSync(join(SOURCES, name), 'utf8')]);
}

describe('process.env is read at the edge and written nowhere', () => {
  it('no module of the pipeline assigns, deletes or redefines a process.env entry', () => {
    const writes = [
      /process\.env(\.\w+|\[[^\]]+\])?\s*(=(?!=)|\+=|\?\?=|\|\|=)/, // process.env.X = …, process.env[x] ??= …
      /delete\s+process\.env/,
      /(assign|defineProperty)\(\s*process\.env/,
    ];
    const writers = sources()
      .filter(([, text]) => writes.some((write) => write.test(text)))
      .map(([name]) => name);
    expect(writers).toEqual([]);
  });

  it('the command modules read no process.env either: they take the environment from the context', () => {
    // io.ts is the edge (processIo reads it once); the others start helper processes (git, moto) and are
    // not part of a command's context.
    const allowed = new Set(['io.ts', 'app-revision.ts', 'app-checkout.ts', 'local-aws.ts', 'preview.ts']);
    const readers = sources()
      .filter(([name, text]) => !allowed.has(name) && /process\.env\b/.test(text.replace(/^\s*(\/\/|\*).*$/gm, '')))
      .map(([name]) => name);
    expect(readers).toEqual([]);
  });
});

describe('the target is an environment, not a change to process.env', () => {
  const userEnv = {
    PATH: '/usr/bin',
    AWS_PROFILE: 'work',
    AWS_SESSION_TOKEN: 'user-session-token',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:8',
    AWS_REGION: 'eu-west-1',
  };

  it('--endpoint: the emulator, dummy keys, no override or profile of the user; process.env unchanged', async () => {
    const before = { ...process.env };
    const target = await openTarget(parseArgs(['status', '--endpoint', 'http://127.0.0.1:5000']), userEnv, () => {});
    expect(target.env).toMatchObject({
      PATH: '/usr/bin',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
    });
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_SSM'])
      expect(target.env).not.toHaveProperty(name);
    expect(process.env).toEqual(before);
  });

  it('--aws: the region from the environment, every endpoint override dropped, the profile kept', async () => {
    const target = await openTarget(parseArgs(['status', '--aws']), userEnv, () => {});
    expect(target.region).toBe('eu-west-1');
    expect(target.env).toMatchObject({ AWS_PROFILE: 'work', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' });
    expect(Object.keys(target.env).filter((name) => name.startsWith('AWS_ENDPOINT_URL'))).toEqual([]);
  });

  it("the command context's clients go where the target is, and its steps' lines are masked", async () => {
    let stderr = '';
    const redactor = newRedactor();
    const io: Io = {
      stdout: () => {},
      stderr: (text) => (stderr += text),
      interactive: false,
      columns: () => 80,
      env: {},
    };
    const progress = plainProgress({ write: redactingIo(io, redactor).stderr, now: () => 0 });
    const options = parseArgs(['status', '--endpoint', 'http://127.0.0.1:5000']);
    const ctx = commandContext({
      options,
      target: await openTarget(options, userEnv, () => {}),
      progress,
      report: newReport('status'),
      signal: new AbortController().signal,
      root: packageDir,
      stateDir: packageDir,
      redactor,
    });
    const ssm = ctx.clients.get(SSMClient, 'us-east-1');
    await expect(ssm.config.endpoint?.()).resolves.toMatchObject({ hostname: '127.0.0.1', port: 5000 });
    await expect(ssm.config.credentials()).resolves.toMatchObject({ accessKeyId: 'testing' });
    expect(ctx.env.PATH?.endsWith('/usr/bin')).toBe(true); // the test bed's tools first against an emulator

    const step = progress.step('deploy app', 'stack');
    const context = stepContext(ctx, step);
    context.log.secret('hunter2-noecho');
    context.log.info('the parameter is hunter2-noecho');
    progress.detail('Retrying SSM.GetParameter (attempt 2 of 6) after Throttling 400');
    expect(stderr).toContain('the parameter is ***');
    expect(stderr).not.toContain('hunter2');
    expect(stderr).toMatch(/deploy app +Retrying SSM.GetParameter/); // a retry line lands in the running step
  });

  it("--aws: the user's secret key and session token are masked, as configure-aws-credentials masks them", async () => {
    const redactor = newRedactor();
    const options = parseArgs(['status', '--aws']);
    commandContext({
      options,
      target: await openTarget(options, { ...userEnv, AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' }, () => {}),
      progress: plainProgress({ write: () => {} }),
      report: newReport('status'),
      signal: new AbortController().signal,
      root: packageDir,
      stateDir: packageDir,
      redactor,
    });
    expect(redactor.redact('key wJalrXUtnFEMI/K7MDENG token user-session-token')).toBe('key *** token ***');
  });
});

describe('the redactor', () => {
  it('masks every registered value and each line of a multi-line one, the longest first; ignores blanks', () => {
    const redactor = newRedactor();
    redactor.add('abc');
    redactor.add('abcdef');
    redactor.add('line-one\nline-two');
    redactor.add('  ');
    expect(redactor.redact('abcdef abc x line-two  y')).toBe('*** *** x ***  y');
  });
});
