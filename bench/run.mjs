// `npm run bench`: runs every benchmark of the repository and prints ONE table.
// The per-action benchmarks are the ones their engineers wrote; this runner
// spawns them (or imports them), reads the numbers they print, and adds the
// one figure none of them prints (a typical deploy-stack update against moto).
//   bench/bundles.mjs                       bundle sizes, missing-input fail time vs node -e 0 (imported)
//   bench/publish-ami/publish.bench.mjs     publish-ami against moto
//   bench/deploy-stack/bench.mjs            deploy-stack against moto (no-op, detection latency, API calls)
//   bench/bake-ami/run.mjs                  parser throughput, cache-hit and full bakes with real Packer
//   packages/pipeline/bench/wall-time.mjs   the full local chain, cold and warm
//   bench/regions/run.mjs                   run to three regions (bake once, copy, waves) vs one region
//   bench/waves/run.mjs                     the reusable workflow's later wave: three regions vs one
// BENCH_RUNS (default 5) sets the repetitions of the medians.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { createRunnerEnv, repoRoot, runBundledAction, startMoto } from '@img-mgr/testbed';
import { benchBundles } from './bundles.mjs';

const root = repoRoot();
const runs = Number(process.env.BENCH_RUNS ?? 5);
const rows = [];
const add = (area, measure, value) => rows.push({ area, measure, value });

/** Runs one benchmark script and returns what it printed; a failed benchmark fails the whole run. */
function spawnBench(script, args = [], nodeArgs = []) {
  process.stderr.write(`bench: ${script} ...\n`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [...nodeArgs, join(root, script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BENCH_RUNS: String(runs), CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}\n${run.stderr}\n`);
    throw new Error(`${script} exited with ${run.status}`);
  }
  process.stderr.write(`bench: ${script} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return run.stdout;
}

/** The first capture of `pattern` in `text`, or a visible gap when a benchmark changed its wording. */
function grab(text, pattern) {
  return pattern.exec(text)?.[1] ?? '(not printed)';
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A typical deploy-stack run: an update of an existing stack through a change set, median of `runs`. */
async function typicalDeploy() {
  const moto = await startMoto();
  try {
    const template =
      'Parameters:\n  ImageId:\n    Type: String\n' +
      'Resources:\n  GoldenAmi:\n    Type: AWS::SSM::Parameter\n' +
      '    Properties:\n      Name: /bench/typical/ami\n      Type: String\n      Value: !Ref ImageId\n';
    const deploy = async (imageId) => {
      const runner = createRunnerEnv();
      writeFileSync(join(runner.dir, 'app.yaml'), template);
      const run = await runBundledAction('deploy-stack', {
        runner,
        env: moto.env,
        inputs: { 'stack-name': 'typical', template: 'app.yaml', 'parameter-overrides': `ImageId=${imageId}` },
      });
      if (run.exitCode !== 0) throw new Error(`typical deploy failed:\n${run.log}`);
      return run.durationMs;
    };
    const create = await deploy('ami-00000000');
    const updates = [];
    for (let i = 1; i <= runs; i++) updates.push(await deploy(`ami-${String(i).padStart(8, '0')}`));
    return { create, update: median(updates) };
  } finally {
    await moto.stop();
  }
}

const started = Date.now();

process.stderr.write('bench: bench/bundles.mjs ...\n');
const bundles = benchBundles();
const publish = spawnBench('bench/publish-ami/publish.bench.mjs', [String(runs)]);
const deploy = spawnBench('bench/deploy-stack/bench.mjs');
process.stderr.write('bench: typical deploy-stack update ...\n');
const typical = await typicalDeploy();
const bake = spawnBench('bench/bake-ami/run.mjs', [], ['--expose-gc']);
const chain = spawnBench('packages/pipeline/bench/wall-time.mjs');
const regions = spawnBench('bench/regions/run.mjs');
const waves = spawnBench('bench/waves/run.mjs');

for (const bundle of bundles) {
  add(bundle.action, 'bundle size (dist / entry file)', `${bundle['dist KB']} / ${bundle['entry KB']} KiB`);
  const startup = `${bundle['missing input ms (median / min)']} vs ${bundle['node -e 0 ms (median / min)']} ms`;
  add(
    bundle.action,
    'missing input, node24, vs node -e 0: median / min',
    `${startup} (${bundle['ratio (median / min)']})`,
  );
}
add(
  'publish-ami',
  'typical run: new AMI, 2 labels, 2 tags (median)',
  `${grab(publish, /new AMI with 2 labels and 2 tags\s+median\s+(\d+) ms/)} ms`,
);
add(
  'publish-ami',
  'first publish, new parameter (median)',
  `${grab(publish, /first publish, 1 region \(new parameter\)\s+median\s+(\d+) ms/)} ms`,
);
add('publish-ami', 'amis map, 3 regions (median)', `${grab(publish, /amis map, 3 regions\s+median\s+(\d+) ms/)} ms`);
add(
  'deploy-stack',
  'typical run: update via change set (median)',
  `${typical.update} ms (create ${typical.create} ms)`,
);
add('deploy-stack', 'no-op deploy (median)', `${grab(deploy, /no-op deploy wall time[^:]*: median (\d+) ms/)} ms`);
add(
  'deploy-stack',
  'completion detection: stack settled -> event line (median)',
  `${grab(deploy, /CREATE_COMPLETE event line in the log: median (\d+) ms/)} ms`,
);
add(
  'deploy-stack',
  'completion detection: stack settled -> action exit (median)',
  `${grab(deploy, /final state -> action exit: median (\d+) ms/)} ms`,
);
add(
  'deploy-stack',
  'API calls per deploy: create / update / no-op',
  [
    grab(deploy, /API calls, create via change set: (\d+)/),
    grab(deploy, /API calls, update via change set: (\d+)/),
    grab(deploy, /API calls, no-op update:\s+(\d+)/),
  ].join(' / '),
);
add(
  'bake-ami',
  'typical run: full bake with real Packer 1.6.6',
  `${grab(bake, /full bake with real Packer (\d+) ms/)} ms`,
);
add('bake-ami', 'cache-hit bake, Packer skipped (median)', `${grab(bake, /cache-hit bake[^:]*: median (\d+) ms/)} ms`);
add('bake-ami', 'machine-readable parser throughput', `${grab(bake, /= ([\d,]+) lines\/s/)} lines/s`);
add('chain', 'img-mgr-pipeline run, cold (fresh moto, Packer bakes)', `${grab(chain, /^cold\s+(\d+) ms wall/m)} ms`);
add('chain', 'img-mgr-pipeline run, warm (kept moto, Packer skipped)', `${grab(chain, /^warm\s+(\d+) ms wall/m)} ms`);
add(
  'chain',
  'img-mgr-pipeline run, 3 regions vs 1 (fresh moto, median)',
  `${grab(regions, /^3 regions\s+median (\d+) ms/m)} vs ${grab(regions, /^1 region\s+median (\d+) ms/m)} ms ` +
    `(${grab(regions, /= ([\d.]+x)/)}; target at most 1.5x)`,
);
add(
  'workflow',
  'rollout-wave, 3 regions vs 1 (fresh moto, median)',
  `${grab(waves, /^wave of 3 regions\s+median (\d+) ms/m)} vs ` +
    `${grab(waves, /^wave of 1 region\s+median (\d+) ms/m)} ms (${grab(waves, /= ([\d.]+x)/)}; target at most 1.5x)`,
);
add(
  'machine',
  'CPU cores (available / total)',
  `${availableParallelism()} / ${cpus().length} (${cpus()[0]?.model ?? 'unknown'})`,
);
add('machine', 'node / benchmark wall time', `${process.version} / ${((Date.now() - started) / 1000).toFixed(0)} s`);

const order = ['publish-ami', 'deploy-stack', 'bake-ami', 'chain', 'machine'];
rows.sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area));
const widths = ['area', 'measure', 'value'].map((key) =>
  Math.max(key.length, ...rows.map((row) => String(row[key]).length)),
);
const line = (cells) => `| ${cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' | ')} |`;
console.log(line(['area', 'measure', 'value']));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line([row.area, row.measure, row.value]));
