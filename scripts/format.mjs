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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== '--check' && mode !== '--write') {
    console.error('usage: node scripts/format.mjs --check | --write');
    process.exit(2);
  }
  const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
  const result = spawnSync(process.execPath, [prettier, mode, '--log-level', 'warn', ...sourceFiles()], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status === 0)
    console.log(`format${mode === '--check' ? ' check' : ''}: ${sourceFiles().length} files clean`);
  else if (mode === '--check') console.error("format check: run 'npm run format' to fix the files above");
  process.exit(result.status ?? 1);
}
