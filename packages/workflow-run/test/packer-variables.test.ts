/**
 * The bake's Packer variables leave the resolve job as one JSON object: each
 * value stays one string whatever it holds, and the names are the ones the
 * workflow passed as KEY=VALUE text before (so the fingerprint is unchanged).
 */
import { describe, expect, it } from 'vitest';
import { bakeVariablesJson } from '../src/index.js';

describe('bakeVariablesJson', () => {
  it('names flask_repo, flask_ref and region, as the KEY=VALUE text did', () => {
    const sha = 'fedcba9876543210fedcba9876543210fedcba98';
    const json = bakeVariablesJson({ flaskUrl: 'https://github.com/o/app.git', appRevision: sha, region: 'us-west-2' });
    expect(JSON.parse(json)).toEqual({
      flask_repo: 'https://github.com/o/app.git',
      flask_ref: sha,
      region: 'us-west-2',
    });
    expect(json).not.toContain('\n');
  });

  it.each([
    [',', 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge'],
    ['a line break', 'https://github.com/o/app.git\ninstance_type=t3.2xlarge'],
    ['=', 'https://github.com/o/app.git=x'],
    ['quotes', `https://github.com/o/app.git"'`],
    ['${...}', 'https://github.com/o/${{ secrets.TOKEN }}'],
  ])('a value with %s stays one value: the JSON parses back to the same three variables', (_what, url) => {
    const parsed = JSON.parse(bakeVariablesJson({ flaskUrl: url, appRevision: 'x', region: 'us-east-1' })) as object;
    expect(parsed).toEqual({ flask_repo: url, flask_ref: 'x', region: 'us-east-1' });
  });
});
