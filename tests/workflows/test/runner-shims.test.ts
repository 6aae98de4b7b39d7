// @needs-tools act node24
/**
 * The act harness keeps a failing step's whole output, whatever act relays:
 * act's host mode can return from a failed step before it has read the step's
 * last lines (see src/runner-shims.ts), which made assertions on `::error::`
 * lines flaky.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunnerShims, runAct } from '../src/index.js';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'img-mgr-shims-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const LINES = 20_000;
/**
 * Many lines, then the one that matters, then a failure
 * (by exitCode, as the actions fail: process.exit would drop what a pipe has not taken yet).
 */
const NOISY_FAILURE =
  `for (let i = 0; i < ${LINES}; i++) console.log('line ' + i); ` +
  "console.log('::error::the last line'); process.exitCode = 3;";

describe('runner shims', () => {
  it('the node wrapper keeps every line of a failing step and its exit code', () => {
    const shims = createRunnerShims(scratch, process.env.PATH ?? '', process.execPath);
    const result = spawnSync(join(shims.binDir, 'node'), ['-e', NOISY_FAILURE], { encoding: 'utf8' });
    expect(result.status).toBe(3);
    const transcript = shims.transcript();
    expect(transcript.split('\n').filter((line) => line.startsWith('line '))).toHaveLength(LINES);
    expect(transcript.trimEnd().endsWith('::error::the last line')).toBe(true);
    expect(result.stdout).toBe(transcript);
  });

  it("answers act's question for node's path with its own path, so that actions run through it", () => {
    const shims = createRunnerShims(scratch, process.env.PATH ?? '', process.execPath);
    const node = join(shims.binDir, 'node');
    const result = spawnSync(node, ['--no-warnings', '-e', 'console.log(process.execPath)'], { encoding: 'utf8' });
    expect(result.stdout.trim()).toBe(node);
  });

  it('a bash that a wrapped step starts itself is not captured twice', () => {
    const shims = createRunnerShims(scratch, process.env.PATH ?? '', process.execPath);
    const env = { ...process.env, PATH: `${shims.binDir}${delimiter}${process.env.PATH ?? ''}` };
    const result = spawnSync('bash', ['-c', 'echo outer; bash -c "echo inner"'], { encoding: 'utf8', env });
    expect(result.status).toBe(0);
    expect(shims.transcript()).toBe('outer\ninner\n');
  });

  it("under act, a failing step's last line is in the run's steps, after every line before it", async () => {
    const root = join(scratch, 'root');
    mkdirSync(join(root, 'workflows-example', 'act'), { recursive: true });
    writeFileSync(join(root, 'workflows-example', 'act', '.actrc'), '--platform ubuntu-latest=-self-hosted\n');
    writeFileSync(join(root, 'workflows-example', 'act', 'push.json'), '{}\n');
    writeFileSync(
      join(root, 'workflows-example', 'noisy.yml'),
      [
        'on: push',
        'jobs:',
        '  noisy:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        `      - run: node -e "${NOISY_FAILURE.replaceAll('"', '\\"')}"`,
        '',
      ].join('\n'),
    );
    const workdir = join(scratch, 'work');
    mkdirSync(workdir);
    const run = await runAct({
      root,
      workdir,
      workflow: 'noisy.yml',
      event: 'push',
      eventFile: 'push.json',
      aws: {},
      timeoutMs: 60_000,
    });
    expect(run.exitCode).not.toBe(0);
    expect(Object.values(run.jobs)).toEqual(['failed']);
    const lines = run.steps.split('\n');
    expect(lines.filter((line) => line.startsWith('line '))).toHaveLength(LINES);
    expect(lines.indexOf('::error::the last line')).toBeGreaterThan(lines.indexOf(`line ${LINES - 1}`));
  });
});
