// Wall time of `img-mgr-pipeline run` to three regions (--regions: bake once, copy, two waves) against one
// region, each on a fresh moto (one per run, so both pay moto's first call in each region) with real Packer and
// the stand-in app; the local preview off, as it serves the home region only. The target: three regions take at
// most 1.5 times the wall time of one. Build the CLI first (npm run bench does). BENCH_RUNS (default 3) runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStandInAppRepository, repoRoot, startMoto } from '@img-mgr/testbed';

const cli = join(repoRoot(), 'packages', 'pipeline', 'lib', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'img-mgr-bench-regions-'));
const fork = join(dir, 'fork');
initStandInAppRepository(fork);

/** One `run` on a fresh moto; its wall time in ms. */
async function timedRun(label, regions) {
  const moto = await startMoto();
  const stateDir = mkdtempSync(join(dir, 'state-'));
  try {
    const args = ['run', '--endpoint', moto.endpoint, '--flask-repo', fork, '--no-preview', '--json'];
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      [cli, ...args, ...(regions.length > 1 ? ['--regions', regions.join(',')] : ['--region', regions[0]])],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' }, cwd: repoRoot() },
    );
    const ms = performance.now() - started;
    if (run.status !== 0) {
      process.stderr.write(run.stderr);
      throw new Error(`${label}: exit ${run.status}`);
    }
    return ms;
  } finally {
    await moto.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

try {
  const one = [];
  const three = [];
  for (let i = 0; i < runs; i++) {
    one.push(await timedRun('1 region', ['us-east-1']));
    three.push(await timedRun('3 regions', ['us-east-1', 'us-west-2', 'eu-west-1']));
  }
  const ratio = median(three) / median(one);
  console.log(`1 region   median ${Math.round(median(one))} ms wall (${one.map(Math.round).join(', ')})`);
  console.log(`3 regions  median ${Math.round(median(three))} ms wall (${three.map(Math.round).join(', ')})`);
  console.log(`3 regions / 1 region = ${ratio.toFixed(2)}x (target at most 1.5x)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
