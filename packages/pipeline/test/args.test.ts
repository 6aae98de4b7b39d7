import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKnownRegion } from '@img-mgr/kernel';
import { describe, expect, it } from 'vitest';
import {
  checkRegion,
  COMMAND_TABLE,
  COMMANDS,
  commandHelp,
  DEFAULTS,
  FLAGS,
  generalHelp,
  parseArgs,
  parseDurationFlag,
  UsageError,
} from '../src/index.js';

/** The UsageError parseArgs throws for `argv`. */
function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error: unknown) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseArgs(${argv.join(' ')}) did not throw`);
}

describe('parseArgs: commands and defaults', () => {
  it('reads the command, fills defaults: embedded AWS, lab app default branch (later), preview on, golden-ami', () => {
    const options = parseArgs(['run']);
    expect(options).toMatchObject({
      command: 'run',
      help: false,
      target: { kind: 'local' },
      region: undefined,
      keep: false,
      json: false,
      force: false,
      flaskRepo: DEFAULTS.flaskRepo,
      flaskRef: undefined,
      preview: true,
      previewPort: undefined,
      env: 'dev',
      parameterName: '/common/img-mgr/golden-ami',
      rollbackTo: 'previous',
      timeoutMs: 3_600_000,
    });
  });

  it('accepts --flag value and --flag=value, and switches anywhere on the line', () => {
    const options = parseArgs([
      '--json',
      'run',
      '--region=us-west-2',
      '--keep',
      '--flask-ref',
      'v1.2.0',
      '--flask-repo',
      'https://github.com/me/flask-aws-storage.git',
      '--timeout',
      '1h30m',
    ]);
    expect(options).toMatchObject({
      command: 'run',
      json: true,
      keep: true,
      region: 'us-west-2',
      flaskRef: 'v1.2.0',
      flaskRepo: 'https://github.com/me/flask-aws-storage.git',
      timeoutMs: 5_400_000,
    });
  });

  it('takes a local repository (a path or file:// URL) as --flask-repo for local runs, and the preview flags', () => {
    expect(parseArgs(['run', '--flask-repo', '/tmp/fork']).flaskRepo).toBe('/tmp/fork');
    expect(parseArgs(['run', '--flask-repo', 'file:///tmp/fork.git']).flaskRepo).toBe('file:///tmp/fork.git');
    expect(parseArgs(['run', '--preview-port', '5001'])).toMatchObject({ preview: true, previewPort: 5001 });
    expect(parseArgs(['run', '--no-preview']).preview).toBe(false);
  });

  it('selects the AWS target: --aws, or --endpoint with a trailing slash dropped', () => {
    expect(parseArgs(['status', '--aws']).target).toEqual({ kind: 'aws' });
    expect(parseArgs(['status', '--endpoint', 'http://127.0.0.1:5000/']).target).toEqual({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:5000',
    });
  });

  it('takes the command-specific flags: --to for rollback, --ami-id for publish, stack names for deploy', () => {
    expect(parseArgs(['rollback', '--to', '3']).rollbackTo).toBe('3');
    expect(parseArgs(['rollback', '--to', 'release-1.2']).rollbackTo).toBe('release-1.2');
    expect(parseArgs(['publish', '--ami-id', 'ami-0123456789abcdef0']).amiId).toBe('ami-0123456789abcdef0');
    expect(parseArgs(['deploy', '--vpc-stack', 'net', '--app-stack', 'app', '--env', 'prod'])).toMatchObject({
      vpcStack: 'net',
      appStack: 'app',
      env: 'prod',
    });
  });

  it('--help works after a command, before it, as `help <command>`, and alone', () => {
    expect(parseArgs(['run', '--help'])).toMatchObject({ command: 'run', help: true, helpGeneral: false });
    expect(parseArgs(['-h', 'status'])).toMatchObject({ command: 'status', help: true });
    expect(parseArgs(['help', 'rollback'])).toMatchObject({ command: 'rollback', help: true, helpGeneral: false });
    expect(parseArgs(['--help'])).toMatchObject({ help: true, helpGeneral: true });
  });

  it('--help wins over a bad value elsewhere on the line (help is always reachable)', () => {
    expect(parseArgs(['run', '--region', 'nowhere', '--help']).help).toBe(true);
  });
});

describe('parseArgs: bad input is one UsageError naming the flag', () => {
  const cases: [string[], string, RegExp][] = [
    [['run', '--region', 'mars-1'], '--region', /not an AWS region name/],
    [['run', '--region', 'xx-west-1'], '--region', /not a known AWS region/],
    [['run', '--region', 'US-EAST-1'], '--region', /not an AWS region name/],
    [['run', '--flask-repo', 'https://github.com/me/app.git;rm -rf ~'], '--flask-repo', /shell characters/],
    [['run', '--flask-repo', 'https://github.com/$(id)/app.git'], '--flask-repo', /shell characters/],
    [['run', '--flask-repo', 'https://github.com/`id`/app.git'], '--flask-repo', /shell characters/],
    [['run', '--flask-repo', 'https://github.com/me/app.git | sh'], '--flask-repo', /shell characters/],
    [['run', '--flask-repo', "https://github.com/me/'app'.git"], '--flask-repo', /shell characters/],
    [['run', '--flask-repo', 'git@github.com:me/app.git'], '--flask-repo', /https:\/\//],
    [['run', '--flask-repo', 'http://github.com/me/app.git'], '--flask-repo', /https:\/\//],
    [['run', '--flask-repo', 'relative/path'], '--flask-repo', /https:\/\//],
    [['run', '--flask-repo', 'file:///tmp/my app'], '--flask-repo', /shell characters/],
    [
      ['run', '--aws', '--region', 'us-east-1', '--flask-repo', '/home/me/fork'],
      '--flask-repo',
      /https:\/\/ git URL with --aws/,
    ],
    [['run', '--preview-port', '80'], '--preview-port', /from 1024 to 65535/],
    [['run', '--preview-port', '70000'], '--preview-port', /from 1024 to 65535/],
    [['run', '--preview-port', 'auto'], '--preview-port', /TCP port/],
    [['run', '--no-preview', '--preview-port', '5001'], '--preview-port', /cannot be combined with --no-preview/],
    [
      ['run', '--endpoint', 'http://127.0.0.1:5000', '--preview-port', '5001'],
      '--preview-port',
      /only applies to the embedded local AWS/,
    ],
    [['bake', '--no-preview'], '--no-preview', /does not apply to 'bake'/],
    [['run', '--flask-ref', 'main;reboot'], '--flask-ref', /branch, tag or commit/],
    [['run', '--flask-ref', '-x'], '--flask-ref', /branch, tag or commit/],
    [['run', '--flask-ref', 'a/../b'], '--flask-ref', /branch, tag or commit/],
    [['run', '--timeout', '-5m'], '--timeout', /positive duration/],
    [['run', '--timeout', '0'], '--timeout', /positive duration/],
    [['run', '--timeout', '0s'], '--timeout', /positive duration/],
    [['run', '--timeout', 'soon'], '--timeout', /positive duration/],
    [['run', '--timeout', '1000h'], '--timeout', /at most 24h/],
    [['run', '--timeout', '99999999'], '--timeout', /at most 24h/],
    [['run', '--timeout'], '--timeout', /needs a value/],
    [['run', '--endpoint', 'ftp://127.0.0.1:21'], '--endpoint', /http\(s\) URL/],
    [['run', '--endpoint', 'not a url'], '--endpoint', /http\(s\) URL/],
    [['run', '--aws', '--endpoint', 'http://127.0.0.1:5000'], '--endpoint', /cannot be combined with --aws/],
    [['run', '--aws', '--keep'], '--keep', /only applies to the embedded local AWS/],
    [['run', '--parameter-name', 'no-slash'], '--parameter-name', /SSM parameter path/],
    [['run', '--parameter-name', '/aws/reserved'], '--parameter-name', /reserved/],
    [['publish', '--ami-id', 'ami-xyz'], '--ami-id', /AMI id/],
    [['rollback', '--to', 'previous version'], '--to', /previous', a version number or a label/],
    [['deploy', '--app-stack', '1stack'], '--app-stack', /stack name/],
    [['deploy', '--env', 'Prod'], '--env', /environment name/],
    [['run', '--bogus'], '--bogus', /is not a flag/],
    [['status', '--force'], '--force', /does not apply to 'status'/],
    [['bake', '--to', 'previous'], '--to', /does not apply to 'bake'/],
    [['run', '--region', 'us-east-1', '--region', 'us-west-2'], '--region', /given twice/],
    [['run', '--json=yes'], '--json', /takes no value/],
    [['run', 'extra'], "'extra'", /not expected/],
    [['launch'], "'launch'", /not a command/],
    [[], 'command', /is missing/],
  ];
  for (const [argv, flag, problem] of cases) {
    it(`${argv.join(' ') || '(nothing)'} → ${flag}`, () => {
      const error = usageError(argv);
      expect(error.flag).toBe(flag);
      expect(error.message.startsWith(flag)).toBe(true);
      expect(error.message).toMatch(problem);
      expect(error.message).not.toContain('\n');
      expect(error.exitCode).toBe(2);
    });
  }

  it('prints a bad value whole or not at all: a cut piece of a secret is covered by no mask', () => {
    const error = usageError(['run', '--flask-ref', `bad\u0007${'x'.repeat(200)}`]);
    expect(error.message).toContain('got (204 characters, not shown)');
    expect(error.message).not.toContain('bad');
    expect(usageError(['run', '--flask-ref', 'a..b']).message).toContain("got 'a..b'");
    expect(usageError(['run', '--flask-ref', 'a\u001b[2J..b']).message).toContain('got (8 characters, not shown)');
  });
});

describe('--region: the one region list of @img-mgr/kernel, and both switches for a new region', () => {
  it('knows what @img-mgr/kernel knows, and refuses what it does not, naming IMG_MGR_ANY_REGION', () => {
    for (const region of ['us-east-1', 'ap-southeast-7', 'mx-central-1', 'us-gov-west-1', 'cn-northwest-1']) {
      expect(isKnownRegion(region)).toBe(true);
      expect(checkRegion(region, {})).toBe(region);
    }
    expect(isKnownRegion('us-east-9')).toBe(false);
    expect(() => checkRegion('us-east-9', {})).toThrow(
      "--region has 'us-east-9', which is not a known AWS region (set IMG_MGR_ANY_REGION=1 if it is new)",
    );
  });

  it('IMG_MGR_ANY_REGION=1 (actions) or IMG_MGR_PIPELINE_ANY_REGION=1 admits a new region; shape still checked', () => {
    expect(checkRegion('us-east-9', { IMG_MGR_ANY_REGION: '1' })).toBe('us-east-9');
    expect(checkRegion('us-east-9', { IMG_MGR_PIPELINE_ANY_REGION: '1' })).toBe('us-east-9');
    expect(() => checkRegion('us-east-9', { IMG_MGR_ANY_REGION: 'true' })).toThrow(/not a known AWS region/);
    expect(() => checkRegion('mars-1', { IMG_MGR_ANY_REGION: '1', IMG_MGR_PIPELINE_ANY_REGION: '1' })).toThrow(
      /not an AWS region name/,
    );
  });

  it('parseArgs reads the switch from the environment it is given (the CLI gives its own)', () => {
    expect(parseArgs(['run', '--region', 'us-east-9'], { IMG_MGR_ANY_REGION: '1' }).region).toBe('us-east-9');
    expect(() => parseArgs(['run', '--region', 'us-east-9'], {})).toThrow(/not a known AWS region/);
  });
});

describe('parseDurationFlag', () => {
  it('reads seconds and h/m/s units in the kernel grammar, the actions 1.5h included', () => {
    expect(parseDurationFlag('--timeout', '90')).toBe(90_000);
    expect(parseDurationFlag('--timeout', '90s')).toBe(90_000);
    expect(parseDurationFlag('--timeout', '15m')).toBe(900_000);
    expect(parseDurationFlag('--timeout', '2h')).toBe(7_200_000);
    expect(parseDurationFlag('--timeout', '1m30s')).toBe(90_000);
    expect(parseDurationFlag('--timeout', '1.5h')).toBe(5_400_000);
    expect(parseDurationFlag('--timeout', '24h')).toBe(86_400_000);
  });
});

describe('one table drives parsing and help', () => {
  it("each flag of the table is taken by the commands it names, refused by the others, in each one's help", () => {
    for (const [flag, spec] of Object.entries(FLAGS)) {
      if (flag === '--help') continue;
      const word = spec.value ? [flag, 'x'] : [flag];
      for (const command of COMMANDS) {
        const help = commandHelp(command);
        const applies = !spec.commands || spec.commands.includes(command);
        expect(help.includes(`  ${flag}${spec.value ? ` ${spec.value}` : ''} `), `${command} --help ${flag}`).toBe(
          applies,
        );
        if (applies) expect(help).toContain(spec.help);
        // A value that does not apply is refused before it is checked; one that applies gets past the table.
        const refusal = (): string => {
          try {
            parseArgs([command, ...word]);
            return '';
          } catch (error: unknown) {
            return error instanceof UsageError ? error.message : String(error);
          }
        };
        expect(refusal().includes('does not apply'), `${command} ${flag}`).toBe(!applies);
      }
      expect(generalHelp()).toContain(spec.help);
    }
  });

  it('the overview lists every command with its summary, and each command has its own help', () => {
    for (const command of COMMANDS) {
      expect(generalHelp()).toContain(`  ${command.padEnd(10)} ${COMMAND_TABLE[command].summary}`);
      expect(commandHelp(command).startsWith(`img-mgr-pipeline ${command}: ${COMMAND_TABLE[command].summary}\n`)).toBe(
        true,
      );
    }
  });
});

describe('parseArgs: --targets and --regions (before any AWS call)', () => {
  it('--regions home,b,c: the home region is the region; waves 1 and 2', () => {
    const options = parseArgs(['run', '--regions', 'us-west-2,eu-west-1,ap-southeast-2']);
    expect(options.region).toBe('us-west-2');
    expect(options.targets?.waves.map((wave) => wave.regions)).toEqual([
      ['us-west-2'],
      ['eu-west-1', 'ap-southeast-2'],
    ]);
    expect(parseArgs(['run']).targets).toBeUndefined();
  });

  it('--targets FILE: read and checked; a bad file is one line naming the flag, the file and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-mgr-targets-'));
    try {
      const good = join(dir, 'targets.yml');
      writeFileSync(
        good,
        'waves:\n  - regions: [eu-west-1]\n  - regions: [us-east-1, us-west-2]\n    environment: prod\n',
      );
      const options = parseArgs(['run', '--targets', good]);
      expect(options.region).toBe('eu-west-1');
      expect(options.targets?.waves[1]).toEqual({
        number: 2,
        regions: ['us-east-1', 'us-west-2'],
        environment: 'prod',
      });

      const bad = join(dir, 'bad.yml');
      writeFileSync(bad, 'waves:\n  - regions: [eu-west-1]\n  - regions: []\n');
      expect(usageError(['run', '--targets', bad]).message).toBe(
        `--targets ${bad}:3: wave 2 is empty (it lists no region)`,
      );
      expect(usageError(['run', '--targets', join(dir, 'missing.yml')]).message).toMatch(
        /^--targets cannot read '.*missing\.yml' \(ENOENT\)$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses --region with either, both together, and --regions elsewhere than run', () => {
    expect(usageError(['run', '--regions', 'us-east-1,us-west-2', '--region', 'us-east-1']).message).toBe(
      '--region cannot be combined with --regions (its first region is the home region)',
    );
    expect(usageError(['run', '--regions', 'us-east-1', '--targets', 'x.yml']).message).toBe(
      '--regions cannot be combined with --targets (the file lists the regions)',
    );
    expect(usageError(['run', '--regions', 'us-east-1,us-wset-2']).message).toMatch(/^--regions has 'us-wset-2'/);
    expect(usageError(['deploy', '--regions', 'us-east-1']).message).toBe(
      "--regions does not apply to 'deploy' (it is for: run)",
    );
  });
});
