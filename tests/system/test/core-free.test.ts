/**
 * The kernel and the domain packages are core-free. Every entry point (each `exports`
 * subpath) of kernel, local-host, stack-deploy, ami-publish, packer-bake, workflow-run, rollout and targets
 * is imported in a child Node process in which @actions/*, @img-mgr/action-kit and @img-mgr/testbed cannot be resolved
 * (fixtures/no-actions-hook.mjs). ESLint's no-restricted-imports says the same about the source;
 * this proves it for what actually loads, dependencies included.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';

const PACKAGES = [
  'kernel',
  'local-host',
  'stack-deploy',
  'ami-publish',
  'packer-bake',
  'workflow-run',
  'rollout',
  'targets',
];
const hook = join(import.meta.dirname, 'fixtures', 'no-actions-hook.mjs');

/** `@img-mgr/<name>` and `@img-mgr/<name>/<subpath>` for every subpath in the package's `exports`. */
function entryPoints(name: string): string[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), 'packages', name, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(manifest.exports).map((subpath) => `@img-mgr/${name}${subpath.slice(1)}`);
}

/** Imports `specifier` in a child Node with the hook; the child's stderr when the import fails, else ''. */
function importBlocked(specifier: string): string {
  const script = `await import(${JSON.stringify(specifier)});`;
  try {
    execFileSync(process.execPath, ['--import', hook, '--input-type=module', '-e', script], {
      cwd: join(repoRoot(), 'tests', 'system'),
      stdio: 'pipe',
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

describe('the core-free kernel and domain packages load with @actions/* unresolvable', () => {
  it('the hook works: @actions/core fails to import under it, directly and through action-kit', () => {
    expect(importBlocked('@actions/core')).toContain('blocked by the core-free test: @actions/core');
    const actionKit = pathToFileURL(join(repoRoot(), 'packages', 'action-kit', 'lib', 'index.js')).href;
    expect(importBlocked(actionKit)).toContain('blocked by the core-free test: @actions/core');
  });

  it.each(PACKAGES.flatMap(entryPoints))('%s loads', (specifier) => {
    expect(importBlocked(specifier)).toBe('');
  });
});
