// @needs-tools shellcheck python
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, stopProcess, toolPath } from '@img-mgr/testbed';
import { packerDir, runTool } from './helpers.js';

const installScript = join(packerDir, 'install_my_app.sh');

/** A minimal stand-in for the img-mgr fork: reads its config from the environment. */
const fixtureApp = `import os
from flask import Flask

app = Flask(__name__)
BUCKET = os.environ.get("IMG_MGR_BUCKET", "unset")
ENVIRONMENT = os.environ.get("IMG_MGR_ENVIRONMENT", "unset")


@app.route("/")
def index():
    return f"<h1>Upload your files to the AWS S3 Bucket</h1><p>bucket={BUCKET} environment={ENVIRONMENT}</p>"
`;

/** Makes a git repository with the fixture app on main, and returns its path and commit. */
async function makeFixtureRepo(dir: string): Promise<string> {
  writeFileSync(join(dir, 'app.py'), fixtureApp);
  writeFileSync(join(dir, 'requirements.txt'), 'flask\n');
  const git = (...args: string[]) =>
    runTool('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'fixture app');
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

/** Polls url until it answers (any status) or the deadline passes. */
async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 30_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${output()}`);
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no answer from ${url}: ${String(error)}\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('install_my_app.sh (real install under a root directory, without systemd)', () => {
  let work: string;
  let repo: string;
  let installRoot: string;
  let commit: string;
  let install: Awaited<ReturnType<typeof runTool>>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'img-mgr-install-'));
    repo = join(work, 'flask-app');
    installRoot = join(work, 'root');
    mkdirSync(repo);
    commit = await makeFixtureRepo(repo);
    install = await runTool('bash', [installScript, '--root', installRoot, '--skip-packages', '--skip-services'], {
      env: { FLASK_REPO: repo, FLASK_REF: 'main' },
      timeoutMs: 240_000,
    });
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('installs the app at FLASK_REF into a virtualenv with gunicorn', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(readFileSync(join(installRoot, 'opt/img-mgr/REVISION'), 'utf8').trim()).toBe(commit);
    expect(readFileSync(join(installRoot, 'opt/img-mgr/app/app.py'), 'utf8')).toBe(fixtureApp);
    expect(install.stderr).toContain(`installed img-mgr ${commit}`);
    // configure_app.sh ran once and left an app that already reads its bucket alone.
    expect(install.stderr.match(/configuring the app with /g)).toHaveLength(1);
    expect(install.stderr).toContain('app.py has no hard-coded BUCKET constant; left as it is');
    expect(readFileSync(join(installRoot, 'opt/img-mgr/bin/health-check.sh'), 'utf8')).toBe(
      readFileSync(join(packerDir, 'health-check.sh'), 'utf8'),
    );
  });

  it('writes a systemd unit that reads /etc/img-mgr/app.env and an nginx proxy from :80 to 127.0.0.1:5000', () => {
    const unit = readFileSync(join(installRoot, 'etc/systemd/system/img-mgr.service'), 'utf8');
    expect(unit).toContain(`EnvironmentFile=${installRoot}/etc/img-mgr/app.env`);
    expect(unit).toContain(`ExecStart=${installRoot}/opt/img-mgr/bin/run.sh`);
    expect(unit).toContain('WantedBy=multi-user.target');
    const nginx = readFileSync(join(installRoot, 'etc/nginx/conf.d/img-mgr.conf'), 'utf8');
    expect(nginx).toMatch(/listen 80 default_server;/);
    expect(nginx).toContain('proxy_pass http://127.0.0.1:5000;');
    // The revision file alone is never cached (a CDN in front would serve the old revision to the smoke test).
    const revision = /location = \/static\/img-mgr\.json \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect(revision).toContain('proxy_pass http://127.0.0.1:5000;');
    expect(revision).toContain('add_header Cache-Control "no-store" always;');
  });

  it('generates a run script that shellcheck accepts', async () => {
    const run = await runTool(toolPath('shellcheck'), [join(installRoot, 'opt/img-mgr/bin/run.sh')]);
    expect(run.stdout + run.stderr).toBe('');
  });

  it(
    'starts the installed app with gunicorn, configured from ' + 'an env file, and serves the upload page (HTTP 200)',
    async () => {
      const port = await freePort();
      const envFile = join(work, 'app.env');
      // What the launch template's user data writes.
      writeFileSync(
        envFile,
        'IMG_MGR_BUCKET=img-mgr-test-bucket\nIMG_MGR_ENVIRONMENT=test\nAWS_DEFAULT_REGION=us-east-1\n',
      );
      const child = spawn(join(installRoot, 'opt/img-mgr/bin/run.sh'), [], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          IMG_MGR_ENV_FILE: envFile,
          IMG_MGR_BIND: `127.0.0.1:${port}`,
          IMG_MGR_WORKERS: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const response = await waitForHttp(`http://127.0.0.1:${port}/`, child, () => output);
        expect(response.status).toBe(200);
        const page = await response.text();
        expect(page).toContain('Upload your files to the AWS S3 Bucket');
        expect(page).toContain('bucket=img-mgr-test-bucket environment=test');
        expect(output).toMatch(/gunicorn|Listening at/i);
      } finally {
        await stopProcess(child);
      }
    },
  );

  it('fails with a clear message for a ref that does not exist', async () => {
    const run = await runTool(
      'bash',
      [installScript, '--root', join(work, 'bad-root'), '--skip-packages', '--skip-services'],
      {
        env: { FLASK_REPO: repo, FLASK_REF: 'no-such-branch' },
      },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("FLASK_REF 'no-such-branch' is not a branch, tag or commit");
  });

  it('fails with a clear message without FLASK_REPO', async () => {
    const run = await runTool(
      'bash',
      [installScript, '--root', join(work, 'no-repo'), '--skip-packages', '--skip-services'],
      {
        env: { FLASK_REPO: '' },
      },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('FLASK_REPO must be the git URL of the Flask app');
  });
});
