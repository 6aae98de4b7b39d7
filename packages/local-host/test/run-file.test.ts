/** runFile: the one promise over execFile; a failure is a result that says why, never a rejection. */
import { describe, expect, it } from 'vitest';
import { runFile } from '../src/index.js';

describe('runFile', () => {
  it('returns the output of a program that succeeds', async () => {
    const run = await runFile(process.execPath, ['-e', "process.stdout.write('out'); process.stderr.write('err')"]);
    expect(run).toEqual({ code: 0, stdout: 'out', stderr: 'err', killed: false });
  });

  it('returns the exit code and output of a program that fails', async () => {
    const run = await runFile(process.execPath, ['-e', "process.stderr.write('fatal: no'); process.exit(3)"]);
    expect(run).toMatchObject({ code: 3, stderr: 'fatal: no', killed: false });
    expect(run.failure).toMatch(/^Command failed: /);
  });

  it('names a program that does not exist, and one killed for running past its timeout', async () => {
    expect(await runFile('no-such-program-img-mgr', [])).toMatchObject({ code: null, errno: 'ENOENT' });
    const slow = await runFile(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { timeoutMs: 200 });
    expect(slow).toMatchObject({ code: null, killed: true });
  });

  it('passes the working folder and exactly the environment it is given', async () => {
    const run = await runFile(
      process.execPath,
      ['-e', 'process.stdout.write(process.cwd() + " " + process.env.ONLY)'],
      {
        cwd: '/',
        env: { ONLY: 'this' },
      },
    );
    expect(run.stdout).toBe('/ this');
  });
});
