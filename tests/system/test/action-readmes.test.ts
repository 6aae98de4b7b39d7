/**
 * Each action's README documents its inputs and outputs in tables. This
 * keeps those tables from drifting away from action.yml: the same names,
 * and the same defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionYaml, repoRoot } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ACTIONS = ['bake-ami', 'publish-ami', 'deploy-stack', 'workflow-step'];

interface ActionSpec {
  description?: string;
  inputs?: Record<string, { description?: string; default?: unknown; required?: boolean }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string };
}

/** Rows of the first table under `## <heading>`: first cell name, second cell. */
function tableRows(markdown: string, heading: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith(heading));
  const rows = new Map<string, string>();
  for (const line of (section ?? '').split('\n')) {
    const cells = /^\|\s*`([a-z0-9-]+)`\s*\|([^|]*)\|/.exec(line);
    if (cells?.[1]) rows.set(cells[1], (cells[2] ?? '').trim());
  }
  return rows;
}

describe.each(ACTIONS)('actions/%s', (action) => {
  const spec = parse(readFileSync(join(repoRoot(), 'actions', action, 'action.yml'), 'utf8')) as ActionSpec;
  const readme = readFileSync(join(repoRoot(), 'actions', action, 'README.md'), 'utf8');

  it('runs on node24 and describes itself, every input and every output, with kebab-case names', () => {
    expect(spec.runs.using).toBe('node24');
    expect(spec.description).toBeTruthy();
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(input.description, `input ${name}`).toBeTruthy();
    }
    for (const [name, output] of Object.entries(spec.outputs ?? {})) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(output.description, `output ${name}`).toBeTruthy();
    }
    expect(readActionYaml(action).runs.main).toBe('dist/index.js');
    // A post step runs the same bundle (it routes on the isPost state): no chunk ships twice.
    expect(readActionYaml(action).runs.post ?? 'dist/index.js').toBe('dist/index.js');
  });

  it("README's inputs table lists exactly the inputs of action.yml, with their defaults", () => {
    const rows = tableRows(readme, 'Inputs');
    expect([...rows.keys()].sort()).toEqual(Object.keys(spec.inputs ?? {}).sort());
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      const fallback = input.default;
      if (typeof fallback === 'string' && fallback !== '' && !fallback.includes('${{')) {
        expect(rows.get(name), `default of ${name}`).toContain(`\`${fallback}\``);
      }
    }
  });

  it("README's outputs table lists exactly the outputs of action.yml", () => {
    expect([...tableRows(readme, 'Outputs').keys()].sort()).toEqual(Object.keys(spec.outputs ?? {}).sort());
  });

  it('README has a usage example that uses the action', () => {
    expect(readme).toMatch(new RegExp(`uses: .*actions/${action}`));
  });
});
