/**
 * Runs the `file` and `shell` provisioners of a Packer HCL2 build the way
 * Packer 1.6 runs them over SSH (provisioner/shell/provisioner.go), on this
 * machine: Packer cannot run them itself here (no SSH server, and
 * `communicator = "none"` skips them), so the test renders what Packer would
 * produce and runs exactly that.
 *
 * - inline: a temporary script of `#!<inline_shebang>` (default `/bin/sh -e`)
 *   and one line per command; script: the file itself (CRLF made LF);
 * - both uploaded to `<remote_folder>/script_<n>.sh` (remote_folder /tmp),
 *   `chmod 0755`, then `execute_command` with `{{ .Path }}` and `{{ .Vars }}`
 *   (`PACKER_BUILD_NAME`, `PACKER_BUILDER_TYPE` and `environment_vars`,
 *   sorted, as `KEY='value' `, single quotes escaped) run by the login shell
 *   (`bash -c`, as sshd runs it for ec2-user); its exit status must be 0;
 * - provisioners run in template order and the first failure ends the build.
 *
 * The build instance's /tmp is a test directory (`remoteTmp`): `/tmp/` in
 * the provisioners' settings is rewritten to it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ProvisionerBlock {
  type: string;
  /** Attribute name -> value: a string, or a list of strings. */
  attributes: Record<string, string | string[]>;
}

export interface ProvisionerRun {
  /** The provisioner that failed, if one did. */
  failed?: string;
  /** Exit status of the failed shell provisioner's command (0 when all passed). */
  status: number;
  /** The rendered shell commands, in order. */
  commands: string[];
  /** What the commands printed (stdout and stderr). */
  output: string;
  /** The rendered shell scripts, in order. */
  scripts: string[];
}

/** Index just past the closing brace that matches the `{` at `open`, skipping strings. */
function blockEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces in the Packer template');
}

/** Replaces `${name}` interpolations with `values[name]`; throws for an unknown one. */
function interpolate(raw: string, values: Record<string, string>, remoteTmp?: string): string {
  const literal = JSON.parse(raw) as string;
  const text = remoteTmp === undefined ? literal : literal.replace(/(^|[\s='"])\/tmp\//g, `$1${remoteTmp}/`);
  return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    const value = values[name.trim()];
    if (value === undefined) throw new Error(`no value for \${${name}} in the Packer template`);
    return value;
  });
}

/**
 * The provisioner blocks of an HCL2 template, in order, with their string and
 * list-of-string attributes (interpolations such as `${var.x}` taken from
 * `values`; `/tmp/` in the template's own text rewritten to `remoteTmp` when
 * given). Other attributes (`except`) are left out.
 */
export function provisionerBlocks(
  template: string,
  values: Record<string, string>,
  remoteTmp?: string,
): ProvisionerBlock[] {
  const blocks: ProvisionerBlock[] = [];
  for (const match of template.matchAll(/^\s*provisioner\s+"([a-z-]+)"\s*\{/gm)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    const body = template.slice(open + 1, blockEnd(template, open) - 1);
    const attributes: Record<string, string | string[]> = {};
    const string = /"(?:[^"\\]|\\.)*"/g.source;
    for (const attribute of body.matchAll(
      new RegExp(`^\\s*([a-z_]+)\\s*=\\s*(${string}|\\[(?:\\s*${string}\\s*,?)*\\s*\\])`, 'gm'),
    )) {
      const [, name = '', value = ''] = attribute;
      attributes[name] = value.startsWith('[')
        ? [...value.matchAll(new RegExp(string, 'g'))].map((item) => interpolate(item[0], values, remoteTmp))
        : interpolate(value, values, remoteTmp);
    }
    blocks.push({ type: match[1] ?? '', attributes });
  }
  return blocks;
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const asString = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(' ') : value;

/** `{{ .Vars }}` as Packer flattens it: sorted `KEY='value' ` pairs. */
export function flattenedVars(environmentVars: string[], builderType: string, buildName: string): string {
  const vars = new Map<string, string>([
    ['PACKER_BUILD_NAME', buildName],
    ['PACKER_BUILDER_TYPE', builderType],
  ]);
  for (const pair of environmentVars) {
    const at = pair.indexOf('=');
    vars.set(pair.slice(0, at), pair.slice(at + 1).replace(/'/g, `'"'"'`));
  }
  return [...vars.keys()]
    .sort()
    .map((key) => `${key}='${vars.get(key) ?? ''}' `)
    .join('');
}

/**
 * Runs the template's provisioners as Packer does (see the file comment),
 * with `env` as the SSH session's environment (PATH with stubs for sudo etc.).
 */
export function runProvisioners(
  template: string,
  options: {
    values: Record<string, string>;
    remoteTmp: string;
    env: Record<string, string>;
    builderType?: string;
    buildName?: string;
  },
): ProvisionerRun {
  const run: ProvisionerRun = { status: 0, commands: [], output: '', scripts: [] };
  let scriptNumber = 1000;
  for (const block of provisionerBlocks(template, options.values, options.remoteTmp)) {
    const { attributes } = block;
    if (block.type === 'file') {
      const destination = asString(attributes.destination) ?? '';
      const sources = [...asList(attributes.source), ...asList(attributes.sources)];
      for (const source of sources)
        copyFileSync(source, destination.endsWith('/') ? join(destination, basename(source)) : destination);
      continue;
    }
    if (block.type !== 'shell') throw new Error(`provisioner "${block.type}" is not rendered by this test helper`);

    const inline = attributes.inline === undefined ? undefined : asList(attributes.inline);
    const script = asString(attributes.script);
    const text =
      inline !== undefined
        ? `#!${asString(attributes.inline_shebang) ?? '/bin/sh -e'}\n${inline.map((line) => `${line}\n`).join('')}`
        : readFileSync(script ?? '', 'utf8').replace(/\r\n/g, '\n');
    const remotePath = `${options.remoteTmp}/script_${scriptNumber++}.sh`;
    writeFileSync(remotePath, text);
    chmodSync(remotePath, 0o755);
    run.scripts.push(text);

    const vars = flattenedVars(
      asList(attributes.environment_vars),
      options.builderType ?? 'amazon-ebs',
      options.buildName ?? 'img-mgr',
    );
    const executeCommand = asString(attributes.execute_command) ?? 'chmod +x {{.Path}}; {{.Vars}} {{.Path}}';
    const command = executeCommand.replace(/\{\{\s*\.Path\s*\}\}/g, remotePath).replace(/\{\{\s*\.Vars\s*\}\}/g, vars);
    run.commands.push(command);
    const result = spawnSync('bash', ['-c', command], { env: options.env, encoding: 'utf8', timeout: 120_000 });
    run.output += `${result.stdout}${result.stderr}`;
    if (result.status !== 0) {
      run.status = result.status ?? 1;
      run.failed = block.type;
      return run;
    }
  }
  return run;
}
