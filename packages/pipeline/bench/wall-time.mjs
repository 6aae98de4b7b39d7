// Wall time of the full local chain, as a user runs it (the built lib/cli.js; build it first):
//   cold       `run` on a fresh embedded moto, started and stopped by the command (real Packer bake)
//   cold+keep  `run --keep` (the same, the server stays)
//   warm       `run` again on the kept server: the AMI is found by fingerprint, Packer is skipped
//   rollback   `rollback` after a `run --force`
// Prints one line per case; exits non-zero when a run fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'cli.js');

function timed(label, args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [cli, ...args, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  const ms = performance.now() - started;
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`${label}: exit ${run.status}`);
  }
  const report = JSON.parse(run.stdout);
  const packer = report.ami
    ? report.ami.skipped
      ? 'Packer skipped'
      : `Packer ran ${Math.round(report.ami.durationMs)} ms`
    : '';
  console.log(`${label.padEnd(10)} ${String(Math.round(ms)).padStart(6)} ms wall  ${packer}`);
}

const cold = mkdtempSync(join(tmpdir(), 'img-mgr-bench-'));
const kept = mkdtempSync(join(tmpdir(), 'img-mgr-bench-'));
try {
  timed('cold', ['run', '--state-dir', cold]);
  timed('cold+keep', ['run', '--keep', '--state-dir', kept]);
  timed('warm', ['run', '--state-dir', kept]);
  timed('force', ['run', '--force', '--state-dir', kept]);
  timed('rollback', ['rollback', '--state-dir', kept]);
  timed('status', ['status', '--state-dir', kept]);
} finally {
  spawnSync(process.execPath, [cli, 'down', '--state-dir', kept]);
  rmSync(cold, { recursive: true, force: true });
  rmSync(kept, { recursive: true, force: true });
}
