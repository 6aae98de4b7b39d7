#!/usr/bin/env node
// Lines of at most 120 characters in the files `npm run format` covers. Prettier wraps code at 120
// columns but cannot break a long string or comment: this check names each line it left, and counts
// them. A line that holds a URL is exempt (a URL is not split).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sourceFiles } from './format.mjs';

const MAX = 120;
const URL = /\bhttps?:\/\//;

const long = [];
for (const file of sourceFiles()) {
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.length > MAX && !URL.test(line)) long.push(`${file}:${index + 1}: ${line.length} characters`);
    });
}
for (const line of long) console.error(line);
if (long.length > 0) {
  console.error(`check-lines: ${long.length} line(s) longer than ${MAX} characters; break them by hand`);
  process.exit(1);
}
console.log(`check-lines: no line longer than ${MAX} characters`);
