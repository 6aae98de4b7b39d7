/**
 * The command line: `img-mgr-pipeline <command> [flags]`, as cli-table.ts
 * lists them. Parsing checks every value, so bad input ends with one line
 * naming the flag (exit 2) before anything starts or any AWS call is made.
 */
import { readFileSync } from 'node:fs';
import { parseArgs as parseArgsTokens } from 'node:util';
import { hasUrlCredentials } from '@img-mgr/packer-bake/credentials';
import { COMMANDS, DEFAULTS, FLAGS, type Command } from './cli-table.js';
import { UsageError } from './errors.js';
// The actions' region rules and list; the ./region subpath loads no AWS SDK code, so parsing stays fast.
import { ANY_REGION_ENV, isKnownRegion, isRegionName, parseDuration, quoteWhole, type Env } from '@img-mgr/kernel';
// The rules the actions and the reusable workflow apply to the same values (SDK-free subpaths), not copies.
import { AMI_ID_PATTERN, parameterNameProblem, parseRollbackTarget } from '@img-mgr/ami-publish/validate';
import { STACK_NAME } from '@img-mgr/stack-deploy/names';
import { flaskRefProblem } from '@img-mgr/workflow-run/caller-inputs';
import { parseRegionsList, parseTargetsFile, TargetsError, type Targets } from '@img-mgr/targets';

export { COMMANDS, DEFAULTS, FLAGS, type Command } from './cli-table.js';

/** Where the AWS calls go. */
export type TargetChoice = { kind: 'local' } | { kind: 'endpoint'; endpoint: string } | { kind: 'aws' };

export interface Options {
  command: Command;
  /** `--help` was given: print the command's help and do nothing else. */
  help: boolean;
  /** `--help` without a command: print the overview. */
  helpGeneral: boolean;
  target: TargetChoice;
  /** Undefined: us-east-1 locally (moto's Amazon Linux images live there), AWS_REGION on real AWS. */
  region: string | undefined;
  /**
   * run: the regions to roll out to, in waves (--targets FILE or --regions); `region` is then their home
   * region. Undefined: the one region, as always.
   */
  targets: Targets | undefined;
  keep: boolean;
  json: boolean;
  /** Plain progress lines even on a terminal. */
  plain: boolean;
  force: boolean;
  flaskRepo: string;
  /** Undefined: the repository's default branch (git ls-remote --symref). */
  flaskRef: string | undefined;
  /** run: start the local preview of the app after a local run (--no-preview turns it off). */
  preview: boolean;
  /** run: the preview's 127.0.0.1 port; undefined: a free one. */
  previewPort: number | undefined;
  /** Selects cloudformation/parameters/<env>-<region>.json (falls back to <env>.json). */
  env: string;
  parameterName: string;
  /** Undefined: NetworkStackName of the app's parameter file, else img-mgr-vpc-<env>. */
  vpcStack: string | undefined;
  /** Undefined: img-mgr-<env>. */
  appStack: string | undefined;
  /** publish: the AMI to publish instead of the one baked for the current inputs. */
  amiId: string | undefined;
  /** rollback: previous | <version> | <label>. */
  rollbackTo: string;
  timeoutMs: number;
  /** Where the state of a kept local AWS is written. */
  stateDir: string | undefined;
}

/** node:util's parseArgs configuration, from the table: every flag by its long name, its short alias, its kind. */
const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([flag, spec]) => [
    flag.slice(2),
    { type: spec.value ? 'string' : 'boolean', ...(spec.short ? { short: spec.short } : {}) },
  ]),
) as Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The short aliases (`-h`) and the flag each stands for. */
const SHORT = new Map<string, string>(
  Object.entries(FLAGS).flatMap(([flag, spec]) => (spec.short ? [[`-${spec.short}`, flag] as const] : [])),
);

/**
 * Parses argv (without node and the script); `env` is the CLI's environment (the switch that admits a new
 * region). Throws UsageError on anything wrong: node:util's parseArgs reads the words (non-strict, with its
 * tokens) and the table decides what each may be, so every refusal names the flag as the user wrote it.
 */
export function parseArgs(argv: readonly string[], env: Env = {}): Options {
  const { tokens } = parseArgsTokens({
    args: [...argv],
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string>();
  const switches = new Set<string>();
  let command: Command | undefined;
  let skipIndex = -1;

  for (const token of tokens) {
    if (token.index === skipIndex) continue;
    const raw = argv[token.index] ?? '';
    if (token.kind === 'option-terminator') throw unknownFlag(raw, command);
    if (token.kind === 'option') {
      const flag = flagOf(raw, command);
      // A group of short letters (-hx) is one word, refused or taken whole, as the user wrote it.
      skipIndex = token.index;
      if (FLAGS[flag]?.value) {
        if (token.value === undefined) throw new UsageError(flag, 'needs a value');
        if (values.has(flag)) throw new UsageError(flag, 'is given twice');
        values.set(flag, token.value);
      } else {
        if (token.inlineValue) throw new UsageError(flag, 'takes no value');
        switches.add(flag);
      }
      continue;
    }
    if (command !== undefined)
      throw new UsageError(
        quoteWhole(token.value ?? '', 60),
        `is not expected after 'img-mgr-pipeline ${command}'; flags start with --`,
      );
    if (token.value === 'help') {
      // `help <command>`: the next word is the topic, whatever it is.
      switches.add('--help');
      const topic = argv[token.index + 1];
      skipIndex = token.index + 1;
      if (topic !== undefined) command = toCommand(topic);
      continue;
    }
    command = toCommand(token.value);
  }

  const help = switches.has('--help');
  if (command === undefined) {
    if (help) return { ...defaults('run'), help: true, helpGeneral: true };
    throw new UsageError('command', `is missing: use one of ${COMMANDS.join(', ')} (see img-mgr-pipeline --help)`);
  }
  if (help) return { ...defaults(command), help: true };

  for (const flag of [...values.keys(), ...switches]) {
    const allowed = FLAGS[flag]?.commands;
    if (allowed && !allowed.includes(command)) {
      throw new UsageError(flag, `does not apply to '${command}' (it is for: ${allowed.join(', ')})`);
    }
  }
  return buildOptions(command, values, switches, env);
}

/** The table's name of the flag `word` (`--name`, `--name=value`, `-h`), or the UsageError naming it. */
function flagOf(word: string, command: Command | undefined): string {
  const written = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
  const flag = written.startsWith('--') ? written : SHORT.get(written);
  if (flag === undefined || !FLAGS[flag]) throw unknownFlag(written, command);
  if (!written.startsWith('--') && written !== word) throw new UsageError(flag, 'takes no value');
  return flag;
}

function unknownFlag(written: string, command: Command | undefined): UsageError {
  // As written when it is short and plain; a long or control-laden word only by its length.
  const shown = quoteWhole(written, 60).startsWith("'") ? written : quoteWhole(written, 60);
  return new UsageError(shown, `is not a flag of img-mgr-pipeline${command ? ` ${command}` : ''}; see --help`);
}

function toCommand(word: string): Command {
  if ((COMMANDS as readonly string[]).includes(word)) return word as Command;
  throw new UsageError(quoteWhole(word, 60), `is not a command: use one of ${COMMANDS.join(', ')}`);
}

function defaults(command: Command): Options {
  return {
    command,
    help: false,
    helpGeneral: false,
    target: { kind: 'local' },
    region: undefined,
    targets: undefined,
    keep: false,
    json: false,
    plain: false,
    force: false,
    flaskRepo: DEFAULTS.flaskRepo,
    flaskRef: undefined,
    preview: true,
    previewPort: undefined,
    env: DEFAULTS.env,
    parameterName: DEFAULTS.parameterName,
    vpcStack: undefined,
    appStack: undefined,
    amiId: undefined,
    rollbackTo: DEFAULTS.rollbackTo,
    timeoutMs: DEFAULTS.timeoutMs,
    stateDir: undefined,
  };
}

function buildOptions(command: Command, values: Map<string, string>, switches: Set<string>, env: Env): Options {
  const options = defaults(command);
  options.keep = switches.has('--keep');
  options.json = switches.has('--json');
  options.plain = switches.has('--plain');
  options.force = switches.has('--force');

  const endpoint = values.get('--endpoint');
  if (switches.has('--aws') && endpoint !== undefined)
    throw new UsageError('--endpoint', 'cannot be combined with --aws');
  if (switches.has('--aws')) options.target = { kind: 'aws' };
  else if (endpoint !== undefined) options.target = { kind: 'endpoint', endpoint: checkEndpoint(endpoint) };
  if (options.keep && options.target.kind !== 'local') {
    throw new UsageError('--keep', 'only applies to the embedded local AWS (not with --aws or --endpoint)');
  }

  const region = values.get('--region');
  if (region !== undefined) options.region = checkRegion(region, env);
  options.targets = readTargets(values, env);
  if (options.targets) {
    const flag = values.has('--targets') ? '--targets' : '--regions';
    if (region !== undefined)
      throw new UsageError('--region', `cannot be combined with ${flag} (its first region is the home region)`);
    options.region = options.targets.home;
  }
  const repo = values.get('--flask-repo');
  if (repo !== undefined) options.flaskRepo = checkFlaskRepo(repo);
  if (options.target.kind === 'aws' && !options.flaskRepo.startsWith('https://')) {
    throw new UsageError(
      '--flask-repo',
      `must be an https:// git URL with --aws (the build instance clones it); got ${quoteWhole(options.flaskRepo, 60)}`,
    );
  }
  options.preview = !switches.has('--no-preview');
  const previewPort = values.get('--preview-port');
  if (previewPort !== undefined) {
    if (!options.preview) throw new UsageError('--preview-port', 'cannot be combined with --no-preview');
    options.previewPort = Number(
      checkPattern('--preview-port', previewPort, /^[1-9]\d{0,4}$/, 'a TCP port from 1024 to 65535'),
    );
    if (options.previewPort < 1024 || options.previewPort > 65535)
      throw new UsageError('--preview-port', `must be a TCP port from 1024 to 65535; got '${previewPort}'`);
  }
  if (options.target.kind !== 'local' && previewPort !== undefined) {
    throw new UsageError('--preview-port', 'only applies to the embedded local AWS (the preview runs against it)');
  }
  const ref = values.get('--flask-ref');
  if (ref !== undefined) options.flaskRef = checkFlaskRef(ref);
  const timeout = values.get('--timeout');
  if (timeout !== undefined) options.timeoutMs = parseDurationFlag('--timeout', timeout);
  const envName = values.get('--env');
  if (envName !== undefined)
    options.env = checkPattern(
      '--env',
      envName,
      /^[a-z0-9][a-z0-9-]{0,31}$/,
      'an environment name such as dev or prod (a-z, 0-9, -)',
    );
  const parameter = values.get('--parameter-name');
  if (parameter !== undefined) options.parameterName = checkParameterName(parameter);
  const vpc = values.get('--vpc-stack');
  if (vpc !== undefined) options.vpcStack = checkStackName('--vpc-stack', vpc);
  const app = values.get('--app-stack');
  if (app !== undefined) options.appStack = checkStackName('--app-stack', app);
  const ami = values.get('--ami-id');
  if (ami !== undefined)
    options.amiId = checkPattern('--ami-id', ami, AMI_ID_PATTERN, 'an AMI id such as ami-0123456789abcdef0');
  const to = values.get('--to');
  if (to !== undefined) options.rollbackTo = checkRollbackTo(to);
  const stateDir = values.get('--state-dir');
  // A path goes to the file system only (never a shell or KEY=VALUE text): any character but a control one.
  if (stateDir !== undefined)
    options.stateDir = checkPattern('--state-dir', stateDir, /^[^\u0000-\u001f\u007f]+$/, 'a directory path');
  return options;
}

/**
 * --targets FILE or --regions LIST (not both), read and checked here, before any AWS call: a bad file is one
 * line naming the flag, the file, the line and the problem.
 */
function readTargets(values: Map<string, string>, env: Env): Targets | undefined {
  const file = values.get('--targets');
  const list = values.get('--regions');
  if (file !== undefined && list !== undefined)
    throw new UsageError('--regions', 'cannot be combined with --targets (the file lists the regions)');
  // The kernel's region check reads the actions' switch; the CLI's older name admits a new region too.
  const regionEnv = ANY_REGION_SWITCHES.some((name) => env[name] === '1') ? { [ANY_REGION_ENV]: '1' } : {};
  try {
    if (list !== undefined) return parseRegionsList(list, '--regions', regionEnv);
    if (file === undefined) return undefined;
    if (!/^[^\u0000-\u001f\u007f]+$/.test(file))
      throw new UsageError('--targets', `must be a file path; got ${quoteWhole(file, 60)}`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error: unknown) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw new UsageError('--targets', `cannot read ${quoteWhole(file, 60)} (${code})`);
    }
    return parseTargetsFile(text, file, regionEnv);
  } catch (error: unknown) {
    if (!(error instanceof TargetsError)) throw error;
    // --regions' message starts with the flag itself; a file's with its path and line.
    const flag = list !== undefined ? '--regions' : '--targets';
    throw new UsageError(flag, error.line === undefined ? error.problem : error.message);
  }
}

/**
 * Either set to 1 lets `--region` name a region the list does not know yet: the actions' switch, or the
 * CLI's own older name (kept so existing scripts still work).
 */
export const ANY_REGION_SWITCHES = [ANY_REGION_ENV, 'IMG_MGR_PIPELINE_ANY_REGION'] as const;

/** `--region`: shaped like a region and one AWS has, by @img-mgr/kernel's list (unless an ANY_REGION_SWITCHES is 1). */
export function checkRegion(value: string, env: Env): string {
  if (!isRegionName(value))
    throw new UsageError('--region', `has ${quoteWhole(value, 60)}, which is not an AWS region name such as us-east-1`);
  if (!isKnownRegion(value) && !ANY_REGION_SWITCHES.some((name) => env[name] === '1')) {
    throw new UsageError(
      '--region',
      `has ${quoteWhole(value, 60)}, which is not a known AWS region (set ${ANY_REGION_ENV}=1 if it is new)`,
    );
  }
  return value;
}

/**
 * `--flask-repo`: an https git URL, or (local runs) a repository on this
 * machine as an absolute path or file:// URL; no spaces, quotes or shell
 * characters (it ends up in a provisioner's environment), no credentials.
 */
export function checkFlaskRepo(value: string): string {
  // Refused without repeating it: the error line would print the token.
  if (hasUrlCredentials(value))
    throw new UsageError('--flask-repo', 'must not carry credentials (user:token@); use a URL without them');
  return checkPattern(
    '--flask-repo',
    value,
    /^(https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%+@-]+)*\/?|(file:\/\/)?(\/[A-Za-z0-9._~%+-]+)+\/?)$/,
    'an https:// git URL (or a local repository: /path or file:///path) without spaces, quotes or shell characters',
  );
}

/** `--flask-ref`: a branch, tag or ref name, or a full commit SHA, by the reusable workflow's rule for flask-ref. */
export function checkFlaskRef(value: string): string {
  if (value === '' || flaskRefProblem(value) !== undefined)
    throw new UsageError(
      '--flask-ref',
      "must be a branch, tag or commit (letters, digits, . _ / + -, by git's ref-name rules); " +
        `got ${quoteWhole(value, 60)}`,
    );
  return value;
}

/** `--to`: previous, a version number or a label, by publish-ami's rule for rollback-to. */
function checkRollbackTo(value: string): string {
  // parseRollbackTarget trims: a value that needs it is not the one the user meant.
  if (value !== value.trim() || parseRollbackTarget(value).problem !== undefined)
    throw new UsageError('--to', `must be 'previous', a version number or a label; got ${quoteWhole(value, 60)}`);
  return value;
}

/** http(s)://host[:port][/path]: the URL parser alone would drop a line break or tab from the value it keeps. */
const ENDPOINT = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%+-]*)*$/;

function checkEndpoint(value: string): string {
  if (!ENDPOINT.test(value))
    throw new UsageError(
      '--endpoint',
      `must be an http(s) URL such as http://127.0.0.1:5000; got ${quoteWhole(value, 60)}`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      '--endpoint',
      `must be an http(s) URL such as http://127.0.0.1:5000; got ${quoteWhole(value, 60)}`,
    );
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
    throw new UsageError(
      '--endpoint',
      `must be an http(s) URL such as http://127.0.0.1:5000; got ${quoteWhole(value, 60)}`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** `--parameter-name`: a path (it starts with /) by publish-ami's parameter-name rule. */
function checkParameterName(value: string): string {
  const name = checkPattern(
    '--parameter-name',
    value,
    /^\/[A-Za-z0-9_.\-/]{1,1010}$/,
    'an SSM parameter path such as /common/img-mgr/golden-ami',
  );
  if (/^\/(aws|ssm)/i.test(name))
    throw new UsageError('--parameter-name', 'must not start with /aws or /ssm (reserved by AWS)');
  const problem = parameterNameProblem(name);
  if (problem) throw new UsageError('--parameter-name', problem);
  return name;
}

function checkStackName(flag: string, value: string): string {
  return checkPattern(flag, value, STACK_NAME, 'a stack name (a letter, then letters, digits or -, at most 128)');
}

function checkPattern(flag: string, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UsageError(flag, `must be ${what}; got ${quoteWhole(value, 60)}`);
  return value;
}

/** Longer bounds make no sense for one command (and Node's timers overflow past 24.8 days). */
const MAX_DURATION_MS = 24 * 3_600_000;

/** `--timeout`'s value in ms, in the kernel's one duration grammar; zero, negative or past 24h names the flag. */
export function parseDurationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(flag, `must be a positive duration such as 90s, 15m or 1h; got ${quoteWhole(value, 60)}`);
  if (ms > MAX_DURATION_MS) throw new UsageError(flag, `must be at most 24h; got ${quoteWhole(value, 60)}`);
  return ms;
}
