// Bundle size and cold start of each action: `node dist/index.js` with no
// inputs, which loads the bundle, reads the first input and fails. Median of
// N runs, under Node 20 and under the runner's Node 24.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot, toolsBin } from '@img-mgr/testbed';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function coldStartMs(node, script) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    spawnSync(node, [script], { env: { PATH: process.env.PATH }, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

/** One row per action. */
export function benchBundles() {
  const root = repoRoot();
  const rows = [];
  for (const action of readdirSync(join(root, 'actions')).sort()) {
    const dist = join(root, 'actions', action, 'dist');
    const files = readdirSync(dist).filter((file) => file.endsWith('.js'));
    const entryBytes = statSync(join(dist, 'index.js')).size;
    const totalBytes = files.reduce((sum, file) => sum + statSync(join(dist, file)).size, 0);
    const gzipBytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file))).length, 0);
    rows.push({
      action,
      'entry KB': (entryBytes / 1024).toFixed(0),
      'all chunks KB': (totalBytes / 1024).toFixed(0),
      'gzip KB': (gzipBytes / 1024).toFixed(0),
      'cold start node20 ms': coldStartMs(process.execPath, join(dist, 'index.js')).toFixed(0),
      'cold start node24 ms': coldStartMs(join(toolsBin(), 'node24'), join(dist, 'index.js')).toFixed(0),
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(benchBundles());
