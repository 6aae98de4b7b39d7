#!/usr/bin/env node
// Files kept under an old name for one release, so that commands and scripts written against the old
// name keep working while users move to the new one. Each old file is generated from the new one:
// `node scripts/deprecated-names.mjs` writes them, `--check` fails when one differs (the system
// tests run the check). Delete an entry, and its old file, in the next major release.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A YAML template's copy starts with this note; JSON has no comments, so its copy is the bare file. */
const yamlNote = (current) =>
  [
    `# DEPRECATED NAME, removed in the next major release: use ${current}, of which this file is an`,
    '# exact copy (the bake role is what it holds, not the OIDC provider). The stack name img-mgr-github-oidc',
    '# does not change. Do not edit: node scripts/deprecated-names.mjs writes it from the new file.',
    '',
  ].join('\n');

/** Old path, new path, and the note put before the new file's text. */
export const DEPRECATED_NAMES = [
  ['cloudformation/github-oidc.yaml', 'cloudformation/github-bake-role.yaml', yamlNote('github-bake-role.yaml')],
  ['cloudformation/parameters/github-oidc.json', 'cloudformation/parameters/github-bake-role.json', ''],
];

/** What the old file must hold. */
export function expectedCopy(current, note) {
  return note + readFileSync(join(ROOT, current), 'utf8');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [old, current, note] of DEPRECATED_NAMES) {
    const expected = expectedCopy(current, note);
    let actual = '';
    try {
      actual = readFileSync(join(ROOT, old), 'utf8');
    } catch {
      // A missing copy is stale, like a different one.
    }
    if (actual === expected) continue;
    if (check) {
      console.error(`${old} is not the copy of ${current}: run node scripts/deprecated-names.mjs`);
      stale += 1;
    } else {
      writeFileSync(join(ROOT, old), expected);
      console.log(`wrote ${old} from ${current}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
