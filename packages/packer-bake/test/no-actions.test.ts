/**
 * The domain package loads no `@actions/*`: importing it, and the light
 * `./request` and `./credentials` subpaths, works with them unresolvable.
 * (The caller lends a tool cache for installing a release; bake-ami lends @actions/tool-cache.)
 */
import { describe, expect, it, vi } from 'vitest';

describe('@img-mgr/packer-bake without @actions/*', () => {
  it('imports with @actions/core, @actions/exec, @actions/tool-cache and action-kit unresolvable', async () => {
    for (const name of ['@actions/core', '@actions/exec', '@actions/tool-cache', '@img-mgr/action-kit']) {
      vi.doMock(name, () => {
        throw new Error(`@img-mgr/packer-bake loaded ${name}`);
      });
    }
    const bake = await import('../src/index.js');
    expect(typeof bake.bakeAmi).toBe('function');
    const request = await import('../src/request.js');
    expect(() => request.checkVariables({ run_id: 'x' })).toThrow(
      "'variables' sets 'run_id', which bake-ami sets itself",
    );
    expect(typeof (await import('../src/credentials.js')).hasUrlCredentials).toBe('function');
  });
});
