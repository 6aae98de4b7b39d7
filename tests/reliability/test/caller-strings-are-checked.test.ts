/**
 * No caller string reaches a shell or KEY=VALUE text unparsed: the CLI as
 * `npm run pipeline` runs it refuses every string flag whose value carries a
 * separator (`,` or a line break, each followed by `KEY=VALUE`) or `${...}`,
 * in one line naming the flag, with exit code 2 and before anything starts
 * (no moto is needed to get there). The reusable workflow's inputs are
 * covered in packages/workflow-run/test/caller-inputs.test.ts and, under act,
 * in tests/workflows/test/act-moto.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

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

const TAILS = [',ssh_source_cidr=0.0.0.0/0', '\ninstance_type=t3.2xlarge', '${HOME}'] as const;

describe('caller strings are checked: img-mgr-pipeline (lib/cli.js)', () => {
  it.each(FLAG_VALUES)(
    '%s (%s): a comma, a line break or ${...} is one line naming the flag, exit 2',
    async (flag, command, value) => {
      for (const tail of TAILS) {
        const run = await runCli([command, flag, `${value}${tail}`], { timeoutMs: 30_000 });
        expect(run.exitCode, run.stderr).toBe(2);
        expect(run.stdout).toBe('');
        const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
        expect(lines, run.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^img-mgr-pipeline: error: ${flag} `));
      }
    },
  );
});
