/**
 * Every flag of the CLI that takes a caller's string is checked against its
 * shape before anything starts: a value with a separator (`,` a line break
 * `=`), a quote or `${...}` appended is refused in one line naming the flag.
 * The one exception is --state-dir, a path that goes to the file system only
 * (never a shell or KEY=VALUE text): it refuses line breaks and control
 * characters and keeps the rest as data.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/index.js';

/** Each string flag, a command it applies to, and a value it accepts. */
const FLAG_VALUES = [
  ['--flask-repo', 'run', 'https://github.com/o/app.git'],
  ['--flask-ref', 'run', 'master'],
  ['--region', 'run', 'us-west-2'],
  ['--env', 'run', 'dev'],
  ['--parameter-name', 'run', '/common/img-mgr/golden-ami'],
  ['--vpc-stack', 'run', 'img-mgr-vpc-dev'],
  ['--app-stack', 'run', 'img-mgr-dev'],
  ['--ami-id', 'publish', 'ami-0123456789abcdef0'],
  ['--to', 'rollback', 'previous'],
  ['--endpoint', 'run', 'http://127.0.0.1:5000'],
  ['--timeout', 'run', '15m'],
  ['--preview-port', 'run', '8080'],
] as const;

const SMUGGLED = [
  [',', ',ssh_source_cidr=0.0.0.0/0'],
  ['a line break', '\ninstance_type=t3.2xlarge'],
  ['=', '=x'],
  ['a double quote', '"'],
  ['a single quote', "'"],
  ['${...}', '${HOME}'],
] as const;

function refusal(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error: unknown) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(argv)}`);
}

describe('caller-controlled flags of the CLI', () => {
  it.each(FLAG_VALUES)('%s (%s) accepts %j', (flag, command, value) => {
    expect(() => parseArgs([command, flag, value])).not.toThrow();
  });

  it.each(
    FLAG_VALUES.flatMap(([flag, command, value]) =>
      SMUGGLED.map(([what, tail]) => [flag, what, command, value + tail]),
    ),
  )('%s with %s appended is refused in one line naming the flag', (flag, _what, command, value) => {
    const error = refusal([command, flag, value]);
    expect(error.message.startsWith(flag)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('--state-dir: a line break is refused; commas, =, quotes and ${...} stay one path (file system only)', () => {
    expect(refusal(['run', '--state-dir', '/tmp/state\nx=y']).message).toMatch(/^--state-dir /);
    const odd = `/tmp/a,b=c"d'\${e}`;
    expect(parseArgs(['run', '--state-dir', odd]).stateDir).toBe(odd);
  });
});
