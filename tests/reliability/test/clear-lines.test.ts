// @needs-tools moto_server packer
/**
 * The clear-lines catalogue: failures a red-team pass found beyond the
 * bad-input catalogue (huge, multi-line and secret values, JSON that repeats
 * a key or is not an object, files that are folders or FIFOs, S3 templates
 * and buckets that do not exist, an AMI of another region, Packer builds and
 * variables the template does not have, timers past Node's limit, state
 * folders that cannot be made, written or locked, credentials in PKR_VAR_*).
 * Each must end in exactly one error line of bounded length that names the
 * input, flag or variable, never repeats a long or secret value, and leaves
 * AWS (moto) as it was. Every AWS call goes through a counting proxy, so the
 * entries that must fail before any call are checked to make none.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  awsEnvFor,
  makeAmi,
  runBundledAction,
  snapshotAws,
  startFaultProxy,
  startMoto,
  type AwsSnapshot,
  type FaultProxy,
  type Moto,
} from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAKE_TEMPLATE, CLI, runCli } from './helpers.js';

/** How long a bare `node -e 0` takes from spawn to exit, now. */
function bareNodeStartMs(): number {
  const started = Date.now();
  spawnSync(process.execPath, ['-e', '0']);
  return Date.now() - started;
}

/** "A few hundred characters": the longest error line any entry may print. */
const MAX_LINE = 400;
const GOOD_AMI = 'ami-0123456789abcdef0';
/** 120 KB of one value: what a pasted file or a runaway expression gives an input. */
const HUGE = 'q'.repeat(120_000);
/** A token planted in the environment; it may appear only in `::add-mask::` lines. */
const TOKEN = 'ghp_cl3arL1nesT0kenNeverShown0123456789ab';
const TOKEN_URL = `https://x-access-token:${TOKEN}@github.com/me/flask-aws-storage.git`;

const work = mkdtempSync(join(tmpdir(), 'clear-lines-'));
const file = (name: string, text: string): string => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};
const PARAMETER_TEMPLATE = JSON.stringify({
  Parameters: {
    Greeting: { Type: 'String', Default: 'hi' },
    Size: { Type: 'String', Default: 'small', AllowedValues: ['small', 'big'] },
    Owner: { Type: 'String', Default: 'team-a', AllowedPattern: '[a-z]+-[a-z]' },
  },
  Resources: {
    P: {
      Type: 'AWS::SSM::Parameter',
      Properties: { Name: '/clear-lines/p', Type: 'String', Value: { Ref: 'Greeting' } },
    },
  },
});
const paths = {
  template: file('stack.json', PARAMETER_TEMPLATE),
  listTemplate: file('list.json', '["Resources"]'),
  largeTemplate: file(
    'large.yaml',
    `Description: ${'x'.repeat(60_000)}\nResources:\n  P:\n    Type: AWS::SSM::Parameter\n` +
      '    Properties: {Name: /clear-lines/large, Type: String, Value: x}\n',
  ),
  duplicateOverrides: file('overrides.json', '{"Greeting":"a","Greeting":"b"}'),
  notPacker: file('not-packer.json', '{"Resources":{}}'),
  folder: join(work, 'a-folder'),
  fifo: join(work, 'a-fifo'),
  regularFile: file('a-file', 'x'),
  lockedState: join(work, 'locked-state'),
};
mkdirSync(paths.folder);
mkdirSync(join(paths.lockedState, 'lock'), { recursive: true });

interface ActionEntry {
  action: 'publish-ami' | 'deploy-stack' | 'bake-ami';
  why: string;
  inputs: Record<string, string>;
  /** The input (or environment variable) the one error line must name. */
  names: string;
  /** More environment for the step (a planted secret). */
  env?: Record<string, string>;
  /** A value the log must not hold at all (a huge value), or only in `::add-mask::` lines (a secret). */
  hidden?: string;
  /** True when the entry must fail before any AWS call. */
  offline: boolean;
}

interface CliEntry {
  why: string;
  args: string[];
  /** The flag (or variable) the error line starts with. */
  names: string;
  exitCode: number;
  env?: Record<string, string>;
  hidden?: string;
  /** Runs without --endpoint: against the embedded local AWS, which the failure must keep from starting. */
  local?: boolean;
}

const publish = (why: string, names: string, inputs: Record<string, string>, more: Partial<ActionEntry> = {}) =>
  ({ action: 'publish-ami', why, names, inputs, offline: true, ...more }) satisfies ActionEntry;
const deploy = (why: string, names: string, inputs: Record<string, string>, more: Partial<ActionEntry> = {}) =>
  ({
    action: 'deploy-stack',
    why,
    names,
    inputs: { 'stack-name': 'clear-lines', template: paths.template, ...inputs },
    offline: true,
    ...more,
  }) satisfies ActionEntry;
/** bake-ami on the suite's Packer template (valid with its var file), so only the entry's own input is wrong. */
const bake = (why: string, names: string, inputs: Record<string, string>, more: Partial<ActionEntry> = {}) =>
  ({
    action: 'bake-ami',
    why,
    names,
    inputs: { template: BAKE_TEMPLATE, 'var-files': join(BAKE_TEMPLATE, 'test.pkrvars.hcl'), init: 'false', ...inputs },
    offline: true,
    ...more,
  }) satisfies ActionEntry;

const ACTION_ENTRIES: ActionEntry[] = [
  publish('amis naming a region twice (JSON.parse keeps the last)', 'amis', {
    amis: `{"us-east-1":"${GOOD_AMI}","us-east-1":"ami-0123456789abcdef1"}`,
  }),
  publish('amis that is a JSON list', 'amis', { amis: `["${GOOD_AMI}"]` }),
  publish('amis that is a JSON number', 'amis', { amis: '42' }),
  publish('amis with an AMI id of 120000 characters', 'amis', { amis: `{"us-east-1":"${HUGE}"}` }, { hidden: HUGE }),
  publish('a region of 120000 characters', 'region', { 'ami-id': GOOD_AMI, region: HUGE }, { hidden: HUGE }),
  publish('a region with a line break', 'region', { 'ami-id': GOOD_AMI, region: 'us-east-1\nus-west-2' }),
  publish(
    'an application of 120000 characters',
    'application',
    { 'keep-amis': '2', application: HUGE },
    {
      hidden: HUGE,
    },
  ),
  publish('keep-amis far past its range', 'keep-amis', { 'keep-amis': '99999999999999999999999' }),
  publish('a wait-timeout no job can wait', 'wait-timeout', { 'ami-id': GOOD_AMI, 'wait-timeout': '9999999999h' }),
  publish(
    'promote-from holding an AMI that exists only in another region',
    'promote-from',
    { 'promote-from': '/clear-lines/west-only' },
    { offline: false },
  ),
  publish('a reject-ami that does not exist', 'reject-ami', { 'reject-ami': GOOD_AMI }, { offline: false }),
  deploy(
    'an s3:// template in a bucket that does not exist',
    'template',
    {
      template: 's3://clear-lines-no-such-bucket/app.yaml',
    },
    { offline: false },
  ),
  deploy(
    'an https:// template URL that names no object',
    'template',
    {
      template: 'https://clear-lines-no-such-bucket.s3.us-east-1.amazonaws.com/app.yaml',
    },
    { offline: false },
  ),
  deploy('a stack-name of 120000 characters', 'stack-name', { 'stack-name': HUGE }, { hidden: HUGE }),
  deploy('a template of 120000 characters', 'template', { template: HUGE }, { hidden: HUGE }),
  deploy('a template that is a folder', 'template', { template: paths.folder }),
  deploy('a template that is a FIFO (a read would never end)', 'template', { template: paths.fifo }),
  deploy('a template that is a JSON list', 'template', { template: paths.listTemplate }),
  deploy('tags as JSON naming a key twice', 'tags', { tags: '{"team":"a","team":"b"}' }),
  deploy('a parameter file naming a key twice', 'parameter-overrides', {
    'parameter-overrides': `file://${paths.duplicateOverrides}`,
  }),
  deploy('a parameter file that is a folder', 'parameter-overrides', {
    'parameter-overrides': `file://${paths.folder}`,
  }),
  deploy(
    'a parameter value of 120000 characters',
    'parameter-overrides',
    {
      'parameter-overrides': `Greeting=${HUGE}`,
    },
    { hidden: HUGE },
  ),
  deploy(
    'notification-arns of 120000 characters',
    'notification-arns',
    { 'notification-arns': HUGE },
    {
      hidden: HUGE,
    },
  ),
  deploy('a wait-timeout past what Node can time', 'wait-timeout', { 'wait-timeout': '9999999999h' }),
  // moto checks neither rule; CloudFormation's own refusal names the parameter, not the input.
  deploy('an override outside its AllowedValues', 'parameter-overrides', { 'parameter-overrides': 'Size=huge' }),
  deploy('an override that breaks its AllowedPattern', 'parameter-overrides', {
    'parameter-overrides': 'Owner=Team A',
  }),
  deploy(
    'a large template with a template-bucket that does not exist',
    'template-bucket',
    {
      template: paths.largeTemplate,
      'template-bucket': 'clear-lines-no-such-bucket',
    },
    { offline: false },
  ),
  bake('only naming no build of the template', 'only', { only: 'nosuch.build' }),
  bake('except naming no build of the template', 'except', { except: 'nosuch.*' }),
  bake('a variable the template does not declare', 'variables', { variables: 'flask_ref=main' }),
  bake('variables-json repeating a key inside a nested object', 'variables-json', {
    'variables-json': '{"region":"us-east-1","x":{"k":"1","k":"2"}}',
  }),
  bake('a working-directory that does not exist', 'working-directory', {
    'working-directory': join(work, 'no-such-dir'),
  }),
  bake('var-files naming a folder', 'var-files', { 'var-files': paths.folder }),
  // The bake role refuses Packer's copy only after the whole bake (its snapshots would be untagged).
  bake("a non-empty ami_regions in variables (Packer's untagged copy)", 'variables', {
    variables: 'ami_regions=["us-west-2"]',
  }),
  bake('a template of 120000 characters', 'template', { template: HUGE }, { hidden: HUGE }),
  bake('a timeout past what Node can time (it fired at once)', 'timeout', { timeout: '9999999999h' }),
  // Packer itself refuses it (validate), after the fingerprint read the source AMI.
  bake(
    'a template file that is not a Packer template',
    'template',
    { template: paths.notPacker, 'var-files': '' },
    { offline: false },
  ),
  bake(
    'a token in PKR_VAR_flask_repo (the environment, which Packer reads itself)',
    'PKR_VAR_flask_repo',
    {},
    { env: { PKR_VAR_flask_repo: TOKEN_URL }, hidden: TOKEN },
  ),
  bake(
    'an AWS_SESSION_TOKEN in the environment, with a bad region',
    'region',
    { region: 'xx-1' },
    {
      env: { AWS_SESSION_TOKEN: TOKEN },
      hidden: TOKEN,
    },
  ),
];

const CLI_ENTRIES: CliEntry[] = [
  { why: 'a state folder under a regular file', args: ['run', '--state-dir', join(paths.regularFile, 'state')] },
  { why: 'a state folder that is a regular file', args: ['deploy', '--state-dir', paths.regularFile] },
  {
    why: 'a state folder to make under /proc/sys (mkdir -p spun there)',
    args: ['run', '--state-dir', '/proc/sys/img-mgr'],
  },
  { why: 'a state folder that takes no files (/proc/sys/kernel)', args: ['bake', '--state-dir', '/proc/sys/kernel'] },
  {
    why: 'a state folder where making one is not permitted (/sys)',
    args: ['down', '--state-dir', '/sys/img-mgr'],
    local: true,
  },
  { why: 'a state folder whose name is too long', args: ['status', '--state-dir', join(work, 'n'.repeat(300))] },
  { why: 'a state folder whose lock is a folder', args: ['deploy', '--state-dir', paths.lockedState], local: true },
].map((entry) => ({ ...entry, names: '--state-dir', exitCode: 3 }) satisfies CliEntry);
CLI_ENTRIES.push(
  { why: 'an unknown flag of 120000 characters', args: ['run', `--${HUGE}`], names: '(', exitCode: 2, hidden: HUGE },
  { why: 'a command of 120000 characters', args: [HUGE], names: '(', exitCode: 2, hidden: HUGE },
  {
    why: 'a token in PKR_VAR_flask_repo',
    args: ['bake'],
    names: 'PKR_VAR_flask_repo',
    exitCode: 2,
    env: { PKR_VAR_flask_repo: TOKEN_URL },
    hidden: TOKEN,
  },
);

/** Lines of `log` that hold `value`, other than the mask commands that register it. */
function linesHolding(log: string, value: string): string[] {
  return log.split('\n').filter((line) => line.includes(value) && !line.startsWith('::add-mask::'));
}

describe('clear-lines catalogue', () => {
  let moto: Moto;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  let before: AwsSnapshot;
  let timings: string[];

  beforeAll(async () => {
    moto = await startMoto();
    // Every call of the actions goes through a proxy that injects nothing and counts.
    proxy = await startFaultProxy({ target: moto.endpoint, rate: 0 });
    env = awsEnvFor(proxy.endpoint, moto.region);
    if (spawnSync('mkfifo', [paths.fifo]).status !== 0) throw new Error('mkfifo failed');
    const west = await makeAmi(new EC2Client({ ...moto.clientConfig, region: 'us-west-2' }), 'clear-lines-west');
    const ssm = new SSMClient(moto.clientConfig);
    await ssm.send(new PutParameterCommand({ Name: '/clear-lines/west-only', Value: west.amiId, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/common/img-mgr/golden-ami', Value: GOOD_AMI, Type: 'String' }));
    before = await snapshotAws(moto.clientConfig);
    timings = [];
  });
  afterAll(async () => {
    console.log(`clear-lines timings (ms):\n${timings.join('\n')}`);
    await proxy.stop();
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('has at least 30 entries across the three actions and the CLI', () => {
    expect(ACTION_ENTRIES.length + CLI_ENTRIES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ACTION_ENTRIES.map((entry) => entry.action)).size).toBe(3);
    expect(CLI_ENTRIES.length).toBeGreaterThan(0);
  });

  it.each(ACTION_ENTRIES.map((entry) => [`${entry.action}: ${entry.why}`, entry] as const))(
    '%s',
    async (_title, entry) => {
      const calls = proxy.stats.requests;
      const run = await runBundledAction(entry.action, {
        inputs: entry.inputs,
        env: { ...env, ...entry.env },
        timeoutMs: 30_000,
      });
      timings.push(`${run.durationMs}\t${entry.action}: ${entry.why}`);
      expect(run.exitCode, run.log).toBe(1);
      expect(run.errors, run.log).toHaveLength(1);
      const line = run.errors[0] ?? '';
      const named = entry.names.startsWith('PKR_VAR_')
        ? `The environment variable ${entry.names} `
        : `Input '${entry.names}' `;
      expect(line.startsWith(named), line).toBe(true);
      expect(line.length).toBeLessThanOrEqual(MAX_LINE);
      expect(line).not.toMatch(/%0A|%0D/);
      expect(run.log, 'no stack trace').not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      if (entry.hidden !== undefined) {
        expect(linesHolding(run.log, entry.hidden.slice(0, 40))).toEqual([]);
        // A secret is registered before the first line that is not a mask.
        if (entry.hidden === TOKEN) {
          const first = run.stdout.split('\n').findIndex((text) => !text.startsWith('::add-mask::'));
          expect(
            run.stdout
              .split('\n')
              .slice(0, first)
              .some((text) => text === `::add-mask::${TOKEN}`),
          ).toBe(true);
        }
      }
      if (entry.offline) expect(proxy.stats.requests - calls, 'AWS calls').toBe(0);
      expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    },
  );

  it.each(CLI_ENTRIES.map((entry) => [`img-mgr-pipeline: ${entry.why}`, entry] as const))(
    '%s',
    async (_title, entry) => {
      // Pointed at the suite's AWS, unless the entry needs the embedded one (whose lock it tests; down takes no
      // --endpoint): those fail before any AWS starts.
      const endpoint = entry.local ? [] : ['--endpoint', proxy.endpoint];
      const run = await runCli([...entry.args, ...endpoint], {
        timeoutMs: 10_000,
        ...(entry.env ? { env: entry.env } : {}),
      });
      timings.push(`${run.durationMs}\timg-mgr-pipeline: ${entry.why}`);
      expect(run.exitCode, run.stderr).toBe(entry.exitCode);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines, run.stderr).toHaveLength(1);
      const line = lines[0] ?? '';
      expect(line.startsWith(`img-mgr-pipeline: error: ${entry.names}`), line).toBe(true);
      expect(line.length).toBeLessThanOrEqual(MAX_LINE);
      expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      if (entry.hidden !== undefined) expect(run.stderr).not.toContain(entry.hidden.slice(0, 40));
      // The state folder is checked before anything else: within a second of the CLI's own work. What a bare
      // `node` takes to start on this machine at this moment is added, so that a loaded CI runner does not
      // turn Node's own start-up into a failure of the CLI.
      if (entry.exitCode === 3) expect(run.durationMs).toBeLessThan(bareNodeStartMs() + 1_000);
      expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    },
  );

  it('SIGINT and SIGTERM end the CLI while it waits on an AWS endpoint that never answers', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const child = spawnCli(['deploy', '--endpoint', `http://127.0.0.1:${port}`, '--state-dir', join(work, 'st')]);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const sent = Date.now();
        child.kill(signal);
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code, signal).toBe(130);
        expect(Date.now() - sent).toBeLessThan(3_000);
      }
    } finally {
      silent.close();
    }
  });
});

/** The CLI as a child of its own, to signal it (runCli waits for its end); AWS_* left out as runCli does. */
function spawnCli(args: string[]): ReturnType<typeof spawn> {
  const env: Record<string, string> = { CI: 'true' };
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('AWS_')) env[key] = value;
  return spawn(process.execPath, [CLI, ...args], { stdio: 'ignore', env });
}
