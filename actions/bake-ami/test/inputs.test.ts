import { runAction } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';

describe('bake-ami bundle', () => {
  it('fails fast with one line naming a missing or bad input', async () => {
    const run = await runAction('bake-ami', { inputs: { template: 'packer', region: 'nowhere' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(["Input 'region' has 'nowhere', which is not an AWS region name such as us-east-1"]);
    expect(run.log).not.toMatch(/\s+at .+:\d+:\d+/);
  });
});
