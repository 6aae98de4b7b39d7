import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers.js';

/** The name of each package under packages/ that has a build script. */
function builtPackages(): string[] {
  return readdirSync(join(root, 'packages'))
    .map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson)
    .filter((pkg) => pkg.scripts?.build !== undefined)
    .map((pkg) => pkg.name)
    .sort();
}

interface PackageJson {
  name: string;
  scripts?: Record<string, string>;
}

describe('the root typecheck task', () => {
  // A root task cannot say ^build, so it lists the builds whose declarations the type-check reads. A new
  // package missing from that list type-checks locally (its lib/ is there) and fails on a clean CI clone.
  it("waits for every package's build", () => {
    const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')) as {
      tasks: Record<string, { dependsOn?: string[] }>;
    };
    const waitsFor = (turbo.tasks['//#typecheck']?.dependsOn ?? []).map((task) => task.replace(/#build$/, ''));
    expect(builtPackages().filter((name) => !waitsFor.includes(name))).toEqual([]);
  });
});
