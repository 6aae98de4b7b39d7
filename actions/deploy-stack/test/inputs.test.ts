import { runBundledAction } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';

describe('deploy-stack bundle', () => {
  it('fails fast with one line naming a missing or bad input', async () => {
    const run = await runBundledAction('deploy-stack', { inputs: {} });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(["Input 'stack-name' is required but was not set"]);
    expect(run.log).not.toMatch(/\s+at .+:\d+:\d+/);
  });
});
