/**
 * A stand-in for the user's fork of the Flask app, as the act workspace: a git
 * repository shaped like upstream (testbed's stand-in app: default branch
 * master, the bucket hard-coded in app.py, no uploads/, no tests), plus the
 * fork's stack parameters (deploy/<env>.json) and `.img-mgr/`, which is what
 * the reusable workflow checks out on GitHub (this repository's actions,
 * packer/ and cloudformation/).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolPath, UPSTREAM_DEFAULT_BRANCH, writeStandInApp } from '@img-mgr/testbed';

/** The fork's GitHub name; act derives github.repository from the origin remote. */
export const FORK_REPOSITORY = 'example/flask-aws-storage';

/** The actions the reusable workflow uses from `.img-mgr/actions/`. */
export const ACTIONS = ['bake-ami', 'publish-ami', 'deploy-stack', 'workflow-step'] as const;

export interface ForkWorkspace {
  /** The act working directory (`act -C`). */
  readonly dir: string;
  /** HEAD of the fork: what `github.sha` is under act, and the app revision baked. */
  head(): string;
  /** Commits a change to the app and returns the new HEAD. */
  commitAppChange(message: string): string;
  /** Changes stack parameters in deploy/<env>.json, as a pull request would. */
  setStackParameters(environment: string, values: Record<string, string>): void;
  /** Writes a file of the fork (a path relative to its root, e.g. deploy/targets.yml) and commits it. */
  commitFile(path: string, text: string, message: string): string;
  /** Re-copies `.img-mgr/` from the repository (after a rebuild of a bundle). */
  refreshImgMgr(): void;
  cleanup(): void;
}

export interface ForkOptions {
  /** The img-mgr repository to copy into `.img-mgr/`. */
  root: string;
  /** Environments to write deploy/<env>.json for (default dev). */
  environments?: string[];
  /**
   * Leave out Packer files that declare `required_plugins`, for a Packer
   * older than 1.7 (which has the Amazon builder built in and cannot parse
   * that block). Default: decided by {@link packerReadsRequiredPlugins}.
   */
  dropRequiredPlugins?: boolean;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'img-mgr test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'img-mgr test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

/** True when the Packer the act runs use (the test tools', else PATH's) is 1.7 or newer. */
export function packerReadsRequiredPlugins(): boolean {
  try {
    const out = execFileSync(toolPath('packer'), ['version'], { encoding: 'utf8' });
    const match = /v?(\d+)\.(\d+)\./.exec(out);
    if (!match) return true;
    const [major, minor] = [Number(match[1]), Number(match[2])];
    return major > 1 || (major === 1 && minor >= 7);
  } catch {
    return true;
  }
}

/**
 * Copies what the callers use from img-mgr into `<dir>/.img-mgr`: the
 * reusable workflow, each action's action.yml and dist/, packer/ and
 * cloudformation/. This lean snapshot is both what the reusable workflow
 * checks out on GitHub and, through .actrc, what act resolves
 * img-mgr/img-mgr-actions@v1 to (the whole repository, node_modules
 * included, would take act seconds to copy for every remote-style `uses:`).
 */
export function copyImgMgr(root: string, dir: string, dropRequiredPlugins: boolean): void {
  const target = join(dir, '.img-mgr');
  rmSync(target, { recursive: true, force: true });
  for (const action of ACTIONS) {
    const from = join(root, 'actions', action);
    mkdirSync(join(target, 'actions', action), { recursive: true });
    cpSync(join(from, 'action.yml'), join(target, 'actions', action, 'action.yml'));
    cpSync(join(from, 'dist'), join(target, 'actions', action, 'dist'), { recursive: true });
  }
  mkdirSync(join(target, '.github', 'workflows'), { recursive: true });
  cpSync(
    join(root, '.github', 'workflows', 'bake-and-deploy.yml'),
    join(target, '.github', 'workflows', 'bake-and-deploy.yml'),
  );
  for (const folder of ['packer', 'cloudformation']) {
    if (existsSync(join(root, folder))) cpSync(join(root, folder), join(target, folder), { recursive: true });
  }
  if (dropRequiredPlugins && existsSync(join(target, 'packer'))) {
    for (const file of readdirSync(join(target, 'packer'))) {
      const path = join(target, 'packer', file);
      if (file.endsWith('.pkr.hcl') && readFileSync(path, 'utf8').includes('required_plugins')) rmSync(path);
    }
  }
}

/** The dev parameters of the img-mgr stack, as the fork keeps them (deploy/<env>.json). */
function stackParameters(root: string, environment: string): string {
  const example = join(root, 'cloudformation', 'parameters', 'dev-us-west-2.json');
  const parameters: Record<string, string> = existsSync(example)
    ? (JSON.parse(readFileSync(example, 'utf8')) as Record<string, string>)
    : {};
  if ('Environment' in parameters) parameters.Environment = environment;
  return `${JSON.stringify(parameters, null, 2)}\n`;
}

/** Creates the fork in a temp folder, with one commit on master (upstream's only branch). */
export function createForkWorkspace(options: ForkOptions): ForkWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-fork-'));
  const dropRequiredPlugins = options.dropRequiredPlugins ?? !packerReadsRequiredPlugins();
  git(dir, 'init', '--quiet', `--initial-branch=${UPSTREAM_DEFAULT_BRANCH}`);
  git(dir, 'remote', 'add', 'origin', `https://github.com/${FORK_REPOSITORY}.git`);
  writeStandInApp(dir);
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'The Flask app (upstream)');
  mkdirSync(join(dir, 'deploy'));
  for (const environment of options.environments ?? ['dev']) {
    writeFileSync(join(dir, 'deploy', `${environment}.json`), stackParameters(options.root, environment));
  }
  git(dir, 'add', 'deploy');
  git(dir, 'commit', '--quiet', '-m', 'Stack parameters of the fork');
  copyImgMgr(options.root, dir, dropRequiredPlugins);
  let changes = 0;
  return {
    dir,
    head: () => git(dir, 'rev-parse', 'HEAD'),
    commitAppChange(message) {
      changes += 1;
      // A new app revision: a new commit whose app.py differs.
      const app = readFileSync(join(dir, 'app.py'), 'utf8');
      writeFileSync(join(dir, 'app.py'), `${app}\n# change ${changes} of the fork\n`);
      git(dir, 'commit', '--quiet', '-am', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
    setStackParameters(environment, values) {
      const file = join(dir, 'deploy', `${environment}.json`);
      const parameters = { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>), ...values };
      writeFileSync(file, `${JSON.stringify(parameters, null, 2)}\n`);
    },
    commitFile(path, text, message) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
      git(dir, 'add', '--', path);
      git(dir, 'commit', '--quiet', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
    refreshImgMgr: () => copyImgMgr(options.root, dir, dropRequiredPlugins),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
