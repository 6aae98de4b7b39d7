/** The act workspace the local runs build, and reading act's log. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, UPSTREAM_BUCKET, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { ACTIONS, createForkWorkspace, FORK_REPOSITORY, jobResults } from '../src/index.js';

const root = repoRoot();

describe('the stand-in fork', () => {
  it('is a git repository on master whose origin names the fork, with a new HEAD per app change', () => {
    const fork = createForkWorkspace({ root, dropRequiredPlugins: false });
    try {
      const git = (...args: string[]) => execFileSync('git', ['-C', fork.dir, ...args], { encoding: 'utf8' }).trim();
      expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe(UPSTREAM_DEFAULT_BRANCH);
      expect(git('branch', '--list', '--format=%(refname:short)')).toBe('master');
      expect(git('remote', 'get-url', 'origin')).toBe(`https://github.com/${FORK_REPOSITORY}.git`);
      const first = fork.head();
      const second = fork.commitAppChange('change');
      expect(second).toMatch(/^[0-9a-f]{40}$/);
      expect(second).not.toBe(first);
      expect(git('diff', '--name-only', first, second)).toBe('app.py');
      const third = fork.commitFile('deploy/targets.yml', 'waves:\n  - regions: [us-east-1]\n', 'Targets');
      expect(git('diff', '--name-only', second, third)).toBe('deploy/targets.yml');
      expect(readFileSync(join(fork.dir, 'deploy', 'targets.yml'), 'utf8')).toBe('waves:\n  - regions: [us-east-1]\n');
      fork.setStackParameters('dev', { InstanceType: 't3.medium' });
      const parameters = JSON.parse(readFileSync(join(fork.dir, 'deploy', 'dev.json'), 'utf8')) as Record<
        string,
        string
      >;
      expect(parameters.InstanceType).toBe('t3.medium');
      expect(parameters.NetworkStackName).toBeDefined();
    } finally {
      fork.cleanup();
    }
  });

  it("is like upstream's app: the bucket hard-coded in app.py, listing errors swallowed, no uploads/, no tests", () => {
    const fork = createForkWorkspace({ root, dropRequiredPlugins: false });
    try {
      const git = (...args: string[]) => execFileSync('git', ['-C', fork.dir, ...args], { encoding: 'utf8' }).trim();
      expect(readFileSync(join(fork.dir, 'app.py'), 'utf8').split('\n')[7]).toBe(`BUCKET = "${UPSTREAM_BUCKET}"`);
      expect(readFileSync(join(fork.dir, 's3_functions.py'), 'utf8')).toMatch(/except Exception:\n\s+pass/);
      expect(existsSync(join(fork.dir, 'uploads'))).toBe(false);
      const tracked = git('ls-files').split('\n');
      expect(tracked).toEqual(
        expect.arrayContaining(['app.py', 's3_functions.py', 'requirements.txt', 'deploy/dev.json']),
      );
      expect(tracked.filter((file) => /(^|\/)(tests?|test_[^/]*\.py)(\/|$)/.test(file))).toEqual([]);
      expect(tracked.filter((file) => file.startsWith('.img-mgr/'))).toEqual([]);
    } finally {
      fork.cleanup();
    }
  });

  it('holds in .img-mgr/ what callers use from this repo: reusable workflow, bundles, packer/, cloudformation/', () => {
    const fork = createForkWorkspace({ root, dropRequiredPlugins: false });
    try {
      const snapshot = join(fork.dir, '.img-mgr');
      expect(readFileSync(join(snapshot, '.github', 'workflows', 'bake-and-deploy.yml'), 'utf8')).toBe(
        readFileSync(join(root, '.github', 'workflows', 'bake-and-deploy.yml'), 'utf8'),
      );
      for (const action of ACTIONS) {
        expect(existsSync(join(snapshot, 'actions', action, 'action.yml')), action).toBe(true);
        expect(existsSync(join(snapshot, 'actions', action, 'dist', 'index.js')), action).toBe(true);
      }
      expect(existsSync(join(snapshot, 'cloudformation', 'img-mgr.yaml'))).toBe(true);
      expect(existsSync(join(snapshot, 'packer', 'plugins.pkr.hcl'))).toBe(true);
      expect(existsSync(join(snapshot, 'node_modules'))).toBe(false);
    } finally {
      fork.cleanup();
    }
  });

  it('leaves out the required_plugins file for a Packer older than 1.7, and only that', () => {
    const fork = createForkWorkspace({ root, dropRequiredPlugins: true });
    try {
      const packer = join(fork.dir, '.img-mgr', 'packer');
      expect(existsSync(join(packer, 'plugins.pkr.hcl'))).toBe(false);
      expect(existsSync(join(packer, 'img-mgr.pkr.hcl'))).toBe(true);
      expect(existsSync(join(packer, 'variables.pkr.hcl'))).toBe(true);
    } finally {
      fork.cleanup();
    }
  });
});

describe('jobResults', () => {
  it("reads each job's final result from act's log, dry runs included", () => {
    const log = [
      '[bake-and-deploy/bake and deploy/Bake the AMI          ]   ✅  Success - Main Bake',
      '[bake-and-deploy/bake and deploy/Bake the AMI          ] 🏁  Job succeeded',
      '[bake-and-deploy/bake and deploy/Publish the golden AMI] 🏁  Job failed',
      '*DRYRUN* [plan/Plan the dev stack] 🏁  Job succeeded',
    ].join('\n');
    expect(jobResults(log)).toEqual({
      'bake-and-deploy/bake and deploy/Bake the AMI': 'succeeded',
      'bake-and-deploy/bake and deploy/Publish the golden AMI': 'failed',
      'plan/Plan the dev stack': 'succeeded',
    });
  });
});
