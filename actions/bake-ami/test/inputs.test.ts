import { runBundledAction } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';

/** Bad inputs fail in one line naming the input, before any AWS call or Packer run. */
describe('bake-ami bundle inputs', () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      'region',
      { template: 'packer', region: 'nowhere' },
      "Input 'region' has 'nowhere', which is not an AWS region name such as us-east-1",
    ],
    [
      'variables',
      { template: 'packer', region: 'us-east-1', variables: 'a=1\nnot a pair' },
      "Input 'variables' has line 2 that is not KEY=VALUE",
    ],
    [
      'variables',
      { template: 'packer', region: 'us-east-1', variables: 'run_id=mine' },
      "Input 'variables' sets 'run_id', which bake-ami sets itself",
    ],
    [
      'variables',
      { template: 'packer', region: 'us-east-1', variables: 'a=1\na=2' },
      "Input 'variables' sets 'a' more than once",
    ],
    [
      'except',
      { template: 'packer', region: 'us-east-1', only: 'a', except: 'b' },
      "Input 'except' cannot be combined with 'only'",
    ],
    [
      'packer-version',
      { template: 'packer', region: 'us-east-1', 'packer-version': 'latest' },
      "Input 'packer-version' has an invalid value 'latest': use 'path' or a Packer release version such as 1.11.2",
    ],
    [
      'timeout',
      { template: 'packer', region: 'us-east-1', timeout: 'soon' },
      "Input 'timeout' must be a positive duration such as 600, 90s, 15m or 1h; got 'soon'",
    ],
    [
      'subnet-id',
      { template: 'packer', region: 'us-east-1', 'subnet-id': 'subnet-1 -var x=y' },
      "Input 'subnet-id' has an invalid value 'subnet-1 -var x=y': use a subnet id such as subnet-0123456789abcdef0",
    ],
    [
      'network-stack-name',
      { template: 'packer', region: 'us-east-1', 'network-stack-name': 'vpc stack' },
      "Input 'network-stack-name' has an invalid value 'vpc stack': " +
        'use a CloudFormation stack name (letters, digits and hyphens, starting with a letter)',
    ],
    [
      'force',
      { template: 'packer', region: 'us-east-1', force: 'maybe' },
      "Input 'force' must be true or false, got 'maybe'",
    ],
  ];

  for (const [input, inputs, message] of cases) {
    it(`fails fast naming '${input}': ${message}`, async () => {
      const run = await runBundledAction('bake-ami', { inputs });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([message]);
      expect(run.log).not.toMatch(/\s+at .+:\d+:\d+/);
      // Only the mark that routes the post step to its code: no bake started, no run id saved.
      expect(run.runner.state()).toEqual({ isPost: 'true' });
    });
  }

  it('accepts values with commas and = in variables (one KEY=VALUE per line)', async () => {
    // Passes input validation, then fails on the missing template (no AWS needed to get there).
    const run = await runBundledAction('bake-ami', {
      inputs: {
        template: 'missing-dir',
        region: 'us-east-1',
        variables: 'ami_users=["111122223333","444455556666"]\nq=a=b',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^Input 'template' names 'missing-dir', which does not exist in '.*'$/),
    ]);
  });
});
