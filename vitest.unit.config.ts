/**
 * `npm run test:unit`: every test file that needs no external tool, in one vitest run, without
 * scripts/tools.sh. The rule (README, "Tests"):
 * - A test file that needs an external tool (moto_server, packer, act, actionlint, shellcheck, cfn-lint,
 *   zizmor, checkov, node24, the tools' Python venv) says so in a line of its own near the top:
 *   `// @needs-tools moto_server packer`. This run leaves such files out; `npm test` runs them all.
 * - Every other file runs here with the tools folder replaced by traps: each tool name is a script that
 *   fails, naming the tool and this rule. A test that reaches for a tool without saying so fails at once.
 * Not `vitest.config.ts`: vitest looks for that name upwards from each workspace, and the workspaces run
 * their own suites.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { defineConfig } from 'vitest/config';

/** The tools scripts/tools.sh installs: in unit mode each of them is a trap. */
const EXTERNAL_TOOLS = [
  'moto_server',
  'packer',
  'act',
  'actionlint',
  'shellcheck',
  'cfn-lint',
  'zizmor',
  'checkov',
  'node24',
];
/** The marker of a test file that needs one of them. */
const NEEDS_TOOLS = /^\s*(\/\/|\*)\s*@needs-tools\b/m;

/** Every test file of every workspace (test/**\/*.test.ts), relative to the root. */
function testFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  for (const group of ['packages', 'actions', 'tests']) {
    for (const workspace of readdirSync(group)) {
      const dir = join(group, workspace, 'test');
      try {
        walk(dir);
      } catch {
        // a workspace without tests
      }
    }
  }
  return found.sort();
}

/** A tools folder whose every tool fails, saying which tool the test reached for and what to do. */
function trapTools(): string {
  const dir = join(import.meta.dirname, 'node_modules', '.cache', 'img-mgr-unit-tools');
  const trap = (path: string, name: string) => {
    writeFileSync(
      path,
      `#!/bin/sh\necho "npm run test:unit: this test runs '${name}', an external tool;` +
        ` mark its file with a line '// @needs-tools ${name}' (README, Tests)" >&2\nexit 127\n`,
    );
    chmodSync(path, 0o755);
  };
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const name of EXTERNAL_TOOLS) trap(join(dir, 'bin', name), name);
  mkdirSync(join(dir, 'venv', 'bin'), { recursive: true });
  trap(join(dir, 'venv', 'bin', 'python'), 'python (the tools venv)');
  return dir;
}

const tools = trapTools();

export default defineConfig({
  test: {
    name: 'unit',
    include: testFiles().filter((file) => !NEEDS_TOOLS.test(readFileSync(file, 'utf8'))),
    env: {
      IMG_MGR_TOOLS_DIR: tools,
      PATH: [join(tools, 'bin'), process.env.PATH ?? ''].join(delimiter),
    },
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // vitest's default on 2 cores is one worker; these tests mostly wait on child processes and files.
    maxWorkers: 2,
  },
});
