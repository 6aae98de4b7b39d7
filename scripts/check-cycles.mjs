#!/usr/bin/env node
// No import cycles inside a workspace's src/: every relative import (static, `import type`, `export … from`
// and lazy `import()`) is an edge, and each strongly connected group of files is reported as one cycle.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts file under `dir` (recursively). */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The .ts file a relative specifier names ('./x.js' → x.ts, './dir' → dir/index.ts), if it is one. */
function target(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((file) => file.endsWith('.ts') && existsSync(file));
}

/** Tarjan's strongly connected components with more than one file, or one file importing itself. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const edge of graph.get(node) ?? []) {
      if (!index.has(edge)) {
        visit(edge);
        low.set(node, Math.min(low.get(node), low.get(edge)));
      } else if (onStack.has(edge)) {
        low.set(node, Math.min(low.get(node), index.get(edge)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || graph.get(node)?.has(node)) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const workspaces = ['packages', 'actions', 'tests'].flatMap((group) =>
  readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, 'src')),
);
const scanned = workspaces.filter((dir) => existsSync(dir));
let count = 0;
for (const src of scanned) {
  const graph = new Map();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const edges = new Set();
    for (const match of text.matchAll(IMPORT)) {
      const to = target(file, match[1]);
      if (to) edges.add(to);
    }
    graph.set(file, edges);
  }
  for (const group of cycles(graph)) {
    count += 1;
    console.error(
      `check-cycles: import cycle in ${relative(ROOT, src)}: ${group.map((f) => relative(src, f)).join(' ↔ ')}`,
    );
  }
}
if (count > 0) {
  console.error(`check-cycles: ${count} import cycle(s); move what both files need into a third file`);
  process.exit(1);
}
console.log(`check-cycles: no import cycle in the src/ of ${scanned.length} workspaces`);
