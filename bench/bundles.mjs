// Size and start-up of each action bundle. Start-up is how long `node dist/index.js`
// takes to fail on a missing input, next to a bare `node -e 0`, both on the runner's
// Node 24 and under a clean environment (only PATH). The two are run in turn, so a
// busy machine slows both alike. Medians and minimums are both shown: on a loaded
// machine the ratio of the minimums (the runs nothing else delayed) is the steadier.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, toolsBin } from '@img-mgr/testbed';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Milliseconds from spawn to exit of `node ...args` with only PATH set. */
function timeRun(node, args) {
  const started = process.hrtime.bigint();
  spawnSync(node, args, { env: { PATH: process.env.PATH }, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The entry file and the chunks it imports statically: what a missing input loads. */
function entryClosure(dist) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(dist, file), 'utf8');
    // Static imports only: `import(` (dynamic) has a parenthesis, not a quote, after `import`.
    for (const [, target] of source.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+)["']/g)) visit(target);
  };
  visit('index.js');
  return [...seen];
}

/** Missing-input fail time against a bare node over RUNS runs taken in turn: medians and minimums. */
export function startup(node, script) {
  const bare = [];
  const bundle = [];
  timeRun(node, [script]); // warms the page cache
  for (let i = 0; i < RUNS; i++) {
    bare.push(timeRun(node, ['-e', '0']));
    bundle.push(timeRun(node, [script]));
  }
  return {
    bare: { median: median(bare), min: Math.min(...bare) },
    bundle: { median: median(bundle), min: Math.min(...bundle) },
  };
}

/** One row per action. */
export function benchBundles() {
  const root = repoRoot();
  const node24 = join(toolsBin(), 'node24');
  const rows = [];
  for (const action of readdirSync(join(root, 'actions')).sort()) {
    const dist = join(root, 'actions', action, 'dist');
    const distBytes = filesUnder(dist).reduce((sum, file) => sum + statSync(file).size, 0);
    const entryBytes = entryClosure(dist).reduce((sum, file) => sum + statSync(join(dist, file)).size, 0);
    const { bare, bundle } = startup(node24, join(dist, 'index.js'));
    rows.push({
      action,
      'dist KB': (distBytes / 1024).toFixed(0),
      'entry KB': (entryBytes / 1024).toFixed(1),
      'missing input ms (median / min)': `${bundle.median.toFixed(0)} / ${bundle.min.toFixed(0)}`,
      'node -e 0 ms (median / min)': `${bare.median.toFixed(0)} / ${bare.min.toFixed(0)}`,
      'ratio (median / min)': `${(bundle.median / bare.median).toFixed(2)} / ${(bundle.min / bare.min).toFixed(2)}`,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(benchBundles());
