/** Shared helpers of the system tests: paths, running tools, Packer's template copy. */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathWithTools, repoRoot, runFile } from '@img-mgr/testbed';

export const root = repoRoot();
export const packerDir = join(root, 'packer');
export const cfnDir = join(root, 'cloudformation');

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (one that did not run exits 1). */
export async function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ToolRun> {
  const run = await runFile(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, PATH: pathWithTools(), ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  return { code: run.code ?? 1, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Copies packer/ without plugins.pkr.hcl into a temporary directory: Packer
 * 1.6 (the test bed's) cannot parse `required_plugins`, which is why that
 * block lives in a file of its own.
 */
export function packerTemplateCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-packer-'));
  for (const name of readdirSync(packerDir)) {
    if (name === 'plugins.pkr.hcl') continue;
    if (name.endsWith('.pkr.hcl') || name.endsWith('.sh')) copyFileSync(join(packerDir, name), join(dir, name));
  }
  return dir;
}

/**
 * Templates kept under an old name for one release: exact copies of a current template (scripts/deprecated-names.mjs
 * writes them and deprecated-names.test.ts proves them), so the tests of the current one cover them.
 */
export const DEPRECATED_TEMPLATES = ['github-oidc.yaml'];

/** The CloudFormation templates (not the parameter files, not the deprecated copies). */
export function templates(): string[] {
  return readdirSync(cfnDir)
    .filter((name) => name.endsWith('.yaml') && !DEPRECATED_TEMPLATES.includes(name))
    .map((name) => join(cfnDir, name));
}
