// @needs-tools moto_server packer
/**
 * Process and state hygiene of the CLI: SIGHUP is handled like
 * SIGINT, one command at a time per state folder, `down` signals only the
 * recorded moto on the recorded port (with or without /proc), and a corrupt
 * state file is named with the command that fixes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { startMoto, toolPath, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, startLocalAws, stopLocalAws, type LocalAws } from '../src/index.js';
import { lockStateDir } from '../src/state-lock.js';
import { stopKeptLocalAws } from '../src/target.js';
import { buildCli, cliPath, runCli, type CliRun } from './helpers.js';

let work: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  buildCli();
  work = mkdtempSync(join(tmpdir(), 'img-mgr-hygiene-'));
});
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function freshDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A process that stays alive and is no moto_server. */
function bystander(): ChildProcess {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  started.push(child);
  return child;
}

async function answers(endpoint: string): Promise<boolean> {
  return fetch(endpoint, { method: 'HEAD', signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );
}

/**
 * The built CLI in its own process group, as a terminal runs it; `onStderr`
 * may signal the group, and returns true to close the CLI's output as a
 * closed terminal does (later writes fail).
 */
function runInOwnGroup(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr: (stderr: string, pid: number) => boolean | void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (onStderr(stderr, child.pid ?? 0) === true) {
        child.stdout.destroy();
        child.stderr.destroy();
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('SIGHUP (a closed terminal) is handled like SIGINT', () => {
  it("hung up while Packer builds (emulator): exit 130; Packer's instance, key pair, security group gone", async () => {
    const moto: Moto = await startMoto();
    try {
      let sent = false;
      const run = await runInOwnGroup(
        ['run', '--endpoint', moto.endpoint, '--no-preview', '--state-dir', freshDir('hup-endpoint')],
        {},
        (stderr, pid) => {
          if (!sent && /Creating temporary (key ?pair|keypair)/i.test(stderr)) {
            sent = true;
            process.kill(-pid, 'SIGHUP');
          }
        },
      );
      expect(sent).toBe(true);
      expect(run.code).toBe(130);
      expect(run.stderr).toContain('SIGHUP: stopping');
      expect(run.stderr.trimEnd().split('\n').at(-1)).toBe('img-mgr-pipeline: error: bake: cancelled');
      const ec2 = new EC2Client(moto.clientConfig);
      const keyPairs = (await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? [];
      expect(keyPairs.filter((pair) => pair.KeyName?.startsWith('packer_'))).toEqual([]);
      const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
      expect(groups.filter((group) => group.GroupName?.startsWith('packer_'))).toEqual([]);
      const instances = ((await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap(
        (reservation) => reservation.Instances ?? [],
      );
      expect(instances.filter((instance) => instance.State?.Name !== 'terminated')).toEqual([]);
    } finally {
      await moto.stop();
    }
  });

  it('hung up in a local run, terminal gone (output closed): exit 130, the moto it started stopped', async () => {
    const stateDir = freshDir('hup-local');
    let sent = false;
    const run = await runInOwnGroup(['run', '--no-preview', '--state-dir', stateDir], {}, (stderr, pid) => {
      if (!sent && stderr.includes('packer build: started')) {
        sent = true;
        process.kill(-pid, 'SIGHUP');
        return true;
      }
      return false;
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    const endpoint = /started a local AWS at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr)?.[1] ?? '';
    expect(endpoint).not.toBe('');
    expect(await answers(endpoint)).toBe(false);
    expect(existsSync(join(stateDir, 'local-aws.json'))).toBe(false);
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  });
});

describe('one command at a time per state folder', () => {
  it('two `run --keep` at once: one runs, the other refuses in a line naming it; one moto, recorded', async () => {
    const stateDir = freshDir('two-runs');
    try {
      const [first, second] = await Promise.all([
        runCli(['run', '--keep', '--no-preview', '--state-dir', stateDir]),
        runCli(['run', '--keep', '--no-preview', '--state-dir', stateDir]),
      ]);
      const runs = [first, second].sort((a, b) => (a.code ?? 0) - (b.code ?? 0));
      expect(
        runs.map((run) => run.code),
        runs.map((run) => run.stderr.split('\n').slice(-3).join('\n')).join('\n---\n'),
      ).toEqual([0, 3]);
      const refused = runs[1] as CliRun;
      expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^img-mgr-pipeline: error: the state folder ${stateDir} is in use by 'img-mgr-pipeline run' ` +
            '\\(pid \\d+, since .+\\)\\. wait for it to finish, or use another --state-dir\\n$',
        ),
      );
      const state = JSON.parse(readFileSync(join(stateDir, 'local-aws.json'), 'utf8')) as { endpoint: string };
      expect(await answers(state.endpoint)).toBe(true);
      expect((runs[0] as CliRun).stderr.match(/started a local AWS at/g)).toHaveLength(1);
      expect(existsSync(join(stateDir, 'lock'))).toBe(false);
    } finally {
      await runCli(['down', '--state-dir', stateDir]);
    }
  });

  it('a lock held by a live process refuses `down` too; a lock whose process is gone is taken over', async () => {
    const stateDir = freshDir('held');
    const holder = bystander();
    writeFileSync(
      join(stateDir, 'lock'),
      JSON.stringify({ pid: holder.pid, command: 'run', startedAt: '2026-11-30T10:00:00.000Z' }),
    );
    const refused = await runCli(['down', '--state-dir', stateDir]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      `img-mgr-pipeline: error: the state folder ${stateDir} is in use by 'img-mgr-pipeline run' ` +
        `(pid ${holder.pid}, since 2026-11-30T10:00:00.000Z). wait for it to finish, or use another --state-dir\n`,
    );
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const taken = await runCli(['down', '--state-dir', stateDir]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toContain('no local AWS is running');
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  });

  it('the lock is released by its holder and can be taken again', () => {
    const stateDir = freshDir('in-process');
    const lock = lockStateDir(stateDir, 'run');
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'run' });
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lockStateDir(stateDir, 'down').release();
  });
});

describe('down signals only the recorded moto on the recorded port', () => {
  let stateDir: string;
  let local: LocalAws;
  beforeAll(async () => {
    stateDir = freshDir('down-check');
    local = await startLocalAws({ motoServer: toolPath('moto_server'), stateDir, keep: true });
  });
  afterAll(() => stopLocalAws(local));

  const record = (changes: Record<string, unknown>): void => {
    const state = {
      endpoint: local.endpoint,
      port: local.port,
      pid: local.pid,
      startedAt: local.startedAt,
      logFile: local.logFile,
      kept: true,
      ...changes,
    };
    writeFileSync(join(stateDir, 'local-aws.json'), JSON.stringify(state));
  };

  for (const [what, lookup] of [
    ['with /proc', {}],
    ['without /proc (ps)', { procRoot: join(tmpdir(), 'no-such-proc') }],
  ] as const) {
    it(`${what}: a moto on another port than recorded, or a non-moto pid, left running, record removed`, async () => {
      record({ port: local.port + 1 });
      expect(await stopKeptLocalAws(parseArgs(['down', '--state-dir', stateDir]), lookup)).toBe(
        `the recorded local AWS (moto, pid ${local.pid}, port ${local.port + 1}) is no longer running ` +
          '(that pid is gone or is another program); removed its record, stopped nothing',
      );
      expect(await answers(local.endpoint)).toBe(true);
      expect(existsSync(join(stateDir, 'local-aws.json'))).toBe(false);

      const other = bystander();
      record({ pid: other.pid });
      expect(await stopKeptLocalAws(parseArgs(['down', '--state-dir', stateDir]), lookup)).toContain('stopped nothing');
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
    });
  }

  it('without /proc (ps): the recorded moto on its port is stopped', async () => {
    record({});
    expect(
      await stopKeptLocalAws(parseArgs(['down', '--state-dir', stateDir]), {
        procRoot: join(tmpdir(), 'no-such-proc'),
      }),
    ).toBe(`stopped the local AWS at ${local.endpoint} (pid ${local.pid})`);
    expect(await answers(local.endpoint)).toBe(false);
  });
});

describe('a corrupt state file is named, with the command that fixes it', () => {
  it('unparsable local-aws.json: status, run --keep, down exit 3 naming it and `rm`; no moto started', async () => {
    const stateDir = freshDir('corrupt');
    const file = join(stateDir, 'local-aws.json');
    writeFileSync(file, '{"endpoint": "http://127.0.0.1:5000", "pid": ');
    for (const args of [['status'], ['run', '--keep', '--no-preview'], ['down']]) {
      const run = await runCli([...args, '--state-dir', stateDir]);
      expect(run.code, args.join(' ')).toBe(3);
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('img-mgr-pipeline: error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        new RegExp(
          `the state file ${file} \\(the kept local AWS\\) is corrupt: not JSON: .+ remove it with: rm '${file}'`,
        ),
      );
    }
    expect(readdirSync(stateDir).sort()).toEqual(['local-aws.json']);
  });

  it('a record of the wrong shape is corrupt too (not silently "nothing running")', async () => {
    const stateDir = freshDir('wrong-shape');
    writeFileSync(
      join(stateDir, 'local-aws.json'),
      JSON.stringify({ endpoint: 'http://127.0.0.1:5000', pid: 'twelve' }),
    );
    const run = await runCli(['status', '--state-dir', stateDir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('is corrupt: fields missing or of the wrong type');
  });
});
