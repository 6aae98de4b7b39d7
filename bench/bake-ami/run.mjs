// bake-ami benchmarks (prints numbers; no pass/fail):
//  1. parser throughput: recorded Packer output replayed through the streaming parser, in lines/s,
//     with the heap growth over the run (constant memory means it stays flat);
//  2. a cache-hit bake: the bundled action finding an AMI with the same fingerprint (no Packer),
//     wall time per run, next to a full bake with real Packer against moto for scale.
// Run: npm run bench -w @img-mgr/action-bake-ami  (or turbo run bench)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactCollector, MachineReadableParser } from '@img-mgr/packer-bake';
import { repoRoot, runBundledAction, startMoto } from '@img-mgr/testbed';

const root = repoRoot();

function parserThroughput(targetLines = 2_000_000) {
  const dir = join(root, 'packages', 'packer-bake', 'test', 'fixtures', 'recordings');
  const block = readdirSync(dir)
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('');
  const blockLines = block.split('\n').filter(Boolean).length;
  const repeats = Math.ceil(targetLines / blockLines);
  let ui = 0;
  let artifacts = 0;
  const collector = new ArtifactCollector();
  const parser = new MachineReadableParser({
    onUi: () => ui++,
    onArtifact: (artifact) => {
      artifacts++;
      collector.add(artifact);
    },
  });
  const chunk = 64 * 1024;
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const started = process.hrtime.bigint();
  for (let i = 0; i < repeats; i++) {
    for (let at = 0; at < block.length; at += chunk) parser.push(block.slice(at, at + chunk));
    if (i % 1000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  parser.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  globalThis.gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  const lines = repeats * blockLines;
  console.log(
    `parser: ${lines.toLocaleString('en')} lines (${((block.length * repeats) / 1e6).toFixed(0)} MB) ` +
      `in ${seconds.toFixed(2)} s = ` +
      `${Math.round(lines / seconds).toLocaleString('en')} lines/s; ${ui.toLocaleString('en')} UI lines, ` +
      `${artifacts.toLocaleString('en')} artifacts; ` +
      `heap: peak +${((heapPeak - heapBefore) / 1e6).toFixed(1)} MB (garbage), ` +
      `retained after GC ${(retained / 1e6).toFixed(2)} MB`,
  );
}

async function cacheHitBake(runs = 5) {
  const moto = await startMoto();
  try {
    const template = join(root, 'actions', 'bake-ami', 'test', 'fixtures', 'packer');
    const inputs = { template, 'app-revision': 'bench', variables: `ec2_endpoint=${moto.endpoint}` };
    const full = await runBundledAction('bake-ami', { inputs, env: moto.env });
    if (full.exitCode !== 0 || full.outputs.skipped !== 'false') throw new Error(`full bake failed:\n${full.log}`);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const hit = await runBundledAction('bake-ami', { inputs, env: moto.env });
      if (hit.outputs.skipped !== 'true') throw new Error(`expected a cache hit:\n${hit.log}`);
      times.push(hit.durationMs);
    }
    times.sort((a, b) => a - b);
    console.log(
      `cache-hit bake (bundled action, moto): median ${times[Math.floor(times.length / 2)]} ms, ` +
        `min ${times[0]} ms, max ${times.at(-1)} ms over ${runs} runs; ` +
        `full bake with real Packer ${full.durationMs} ms`,
    );
  } finally {
    await moto.stop();
  }
}

parserThroughput();
await cacheHitBake();
