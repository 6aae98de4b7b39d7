// @needs-tools act moto_server packer node24
/** `npm run act` installs its tools once, through scripts/tools.sh (the test tools folder is shared). */
import { describe, expect, it } from 'vitest';
import { ACT_TOOLS, ensureActTools } from '../src/index.js';

describe('ensureActTools', () => {
  it('installs nothing when act, moto, Packer and Node 24 are there', () => {
    const lines: string[] = [];
    ensureActTools((line) => lines.push(line));
    expect(lines).toEqual([]);
    expect(Object.keys(ACT_TOOLS).sort()).toEqual(['act', 'moto_server', 'node24', 'packer']);
  });

  it('runs scripts/tools.sh for a missing tool and names the target and the fix when it fails', () => {
    const lines: string[] = [];
    expect(() => ensureActTools((line) => lines.push(line), { 'img-mgr-no-such-tool': 'no-such-target' })).toThrow(
      "scripts/tools.sh no-such-target failed (exit 1); run 'npm run tools -- no-such-target' and read its message",
    );
    expect(lines).toEqual(['installing no-such-target once with scripts/tools.sh no-such-target']);
  });
});
