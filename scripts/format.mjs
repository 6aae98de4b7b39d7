#!/usr/bin/env node
// The formatter over the repository's own TypeScript and JavaScript (not dist/, lib/, fixtures/):
// `npm run format` writes, `npm run format:check` (part of `npm run lint` and `npm test`) only checks.
// .prettierrc.json holds the style: 120 columns, single quotes, trailing commas.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the sources are (git pathspecs): every workspace, bench/, scripts/*.mjs and the root configs. */
const SOURCES = [
  'packages/*/**/*.ts',
  'packages/*/**/*.mjs',
  'actions/*/**/*.ts',
  'actions/*/**/*.mjs',
  'tests/*/**/*.ts',
  'tests/*/**/*.mjs',
  'bench/**/*.mjs',
  'scripts/*.mjs',
  '*.config.js',
  '*.config.ts',
];
/** Built, bundled, installed or planted (test fixtures are inputs, kept byte for byte). */
const GENERATED = /(^|\/)(dist|lib|node_modules|fixtures)\//;

/** The files the formatter and the line check cover, tracked or new (not git-ignored), relative to the root. */
export function sourceFiles() {
  const listed = execFileSync(
    'git',
    ['ls-files', '-co', '--exclude-standard', '--', ...SOURCES.map((s) => `:(glob)${s}`)],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return [...new Set(listed.split('\n').filter((file) => file && !GENERATED.test(file)))].sort();
}

/** Runs prettier with `args` over `files` (quietly: no output at all); its exit status. */
function prettier(args, files, quiet = false) {
  const bin = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
  const stdio = quiet ? 'ignore' : 'inherit';
  return spawnSync(process.execPath, [bin, ...args, '--log-level', 'warn', ...files], { cwd: ROOT, stdio }).status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== '--check' && mode !== '--write') {
    console.error('usage: node scripts/format.mjs --check | --write');
    process.exit(2);
  }
  const files = sourceFiles();
  // Prettier 3 needs a second pass on a few files (a long call chain settles only then): write until clean.
  let status = prettier([mode], files);
  if (mode === '--write' && status === 0 && prettier(['--check'], files, true) !== 0) status = prettier([mode], files);
  if (status === 0) console.log(`format${mode === '--check' ? ' check' : ''}: ${files.length} files clean`);
  else if (mode === '--check') console.error("format check: run 'npm run format' to fix the files above");
  process.exit(status ?? 1);
}
