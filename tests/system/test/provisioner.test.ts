import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initStandInAppRepository, UPSTREAM_BUCKET, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
import { packerDir } from './helpers.js';
import { flattenedVars, provisionerBlocks, runProvisioners } from './packer-provisioners.js';

/**
 * The build's provisioners as they were before the install script ran as a file of its own (file + inline),
 * kept to show the fault the test catches.
 */
const provisionersWithInlineInstall = `
build {
  provisioner "file" {
    source      = "\${path.root}/install_my_app.sh"
    destination = "/tmp/install_my_app.sh"
  }
  provisioner "shell" {
    environment_vars = [
      "FLASK_REPO=\${var.flask_repo}",
      "FLASK_REF=\${var.flask_ref}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo -E env {{ .Vars }} bash {{ .Path }}"
    inline          = ["bash /tmp/install_my_app.sh", "rm -f /tmp/install_my_app.sh"]
  }
}
`;

/** Stand-ins for what the build instance has and this machine lacks (sudo, dnf, systemd, nginx, useradd). */
const stubs: Record<string, string> = {
  sudo:
    '#!/bin/sh\n# sudo -E CMD...: runs CMD with this environment (the test ' +
    'already runs as the build user)\n[ "$1" = -E ] && shift\nexec "$@"\n',
  dnf: '#!/bin/sh\necho "dnf $*"\n',
  systemctl: '#!/bin/sh\necho "systemctl $*"\n',
  useradd: '#!/bin/sh\necho "useradd $*"\n',
  chown: '#!/bin/sh\necho "chown $*"\n',
  nginx: [
    '#!/bin/sh',
    'if [ "${STUB_NGINX_FAILS:-0}" = 1 ]; then',
    '  echo "nginx: [emerg] unknown directive \\"proxy_passs\\" in /etc/nginx/conf.d/img-mgr.conf:9" >&2',
    '  echo "nginx: configuration file /etc/nginx/nginx.conf test failed" >&2',
    '  exit 1',
    'fi',
    'echo "nginx: configuration file /etc/nginx/nginx.conf test is successful" >&2',
    '',
  ].join('\n'),
  // python3 -m venv DIR without pip downloads: a venv whose pip does nothing.
  python3:
    '#!/bin/sh\n[ "$1" = -m ] && [ "$2" = venv ] || exit 1\nmkdir -p "$3/bin"\nprintf ' +
    '\'#!/bin/sh\\nexit 0\\n\' >"$3/bin/pip"\nchmod +x "$3/bin/pip"\n',
};

describe(
  "install_my_app.sh run as Packer's shell provisioner " + 'runs it (rendered execute_command, Vars and script)',
  () => {
    let work: string;
    let repo: string;
    let stubDir: string;
    let commit: string;
    const template = readFileSync(join(packerDir, 'img-mgr.pkr.hcl'), 'utf8');

    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'img-mgr-provisioner-'));
      repo = join(work, 'fork');
      mkdirSync(repo);
      commit = initStandInAppRepository(repo);
      stubDir = join(work, 'stubs');
      mkdirSync(stubDir);
      for (const [name, text] of Object.entries(stubs)) {
        writeFileSync(join(stubDir, name), text);
        chmodSync(join(stubDir, name), 0o755);
      }
    });
    afterAll(() => {
      rmSync(work, { recursive: true, force: true });
    });

    /** Runs `provisioners` for one build: a fresh /tmp and install root, the fork at `ref`. */
    function bake(name: string, provisioners: string, ref: string, env: Record<string, string> = {}) {
      const remoteTmp = join(work, name, 'tmp');
      const installRoot = join(work, name, 'root');
      mkdirSync(remoteTmp, { recursive: true });
      mkdirSync(join(installRoot, 'etc/nginx'), { recursive: true });
      // The stock nginx.conf of the base image claims default_server (as older RHEL-family ones do).
      writeFileSync(
        join(installRoot, 'etc/nginx/nginx.conf'),
        'http {\n    server {\n        listen       80 default_server;\n ' +
          '       listen       [::]:80 default_server;\n    }\n}\n',
      );
      const run = runProvisioners(provisioners, {
        values: { 'path.root': packerDir, 'var.flask_repo': repo, 'var.flask_ref': ref, 'var.fingerprint': 'fp-1' },
        remoteTmp,
        env: {
          PATH: `${stubDir}:/usr/local/bin:/usr/bin:/bin`,
          HOME: join(work, name),
          // Test-only: install under a directory, with the stub python3.
          IMG_MGR_ROOT: installRoot,
          IMG_MGR_PYTHON: join(stubDir, 'python3'),
          ...env,
        },
      });
      return { run, installRoot, remoteTmp };
    }

    it("renders Vars as Packer does: sorted KEY='value' pairs with Packer's own, single quotes escaped", () => {
      expect(flattenedVars(["B=it's", 'A=1'], 'amazon-ebs', 'img-mgr')).toBe(
        `A='1' B='it'"'"'s' PACKER_BUILDER_TYPE='amazon-ebs' PACKER_BUILD_NAME='img-mgr' `,
      );
    });

    it(
      "the template runs install_my_app.sh itself as the shell provisioner's " +
        'script, after uploading configure_app.sh and health-check.sh',
      () => {
        const blocks = provisionerBlocks(template, {
          'path.root': packerDir,
          'var.flask_repo': 'R',
          'var.flask_ref': 'F',
          'var.fingerprint': 'P',
        });
        expect(blocks.map((block) => block.type)).toEqual(['file', 'shell']);
        expect(blocks[0]?.attributes.sources).toEqual([
          join(packerDir, 'configure_app.sh'),
          join(packerDir, 'health-check.sh'),
        ]);
        expect(blocks[1]?.attributes.script).toBe(join(packerDir, 'install_my_app.sh'));
        expect(blocks[1]?.attributes.inline).toBeUndefined();
      },
    );

    it(
      'reproduces the old fault with the inline ' + 'provisioner: a failed install still passed (status of rm -f)',
      () => {
        const { run } = bake('before-18', provisionersWithInlineInstall, 'no-such-ref');
        expect(run.scripts[0]).toBe(
          '#!/bin/sh -e\nbash ' +
            join(work, 'before-18', 'tmp') +
            '/install_my_app.sh\nrm -f ' +
            join(work, 'before-18', 'tmp') +
            '/install_my_app.sh\n',
        );
        expect(run.output).toContain("FLASK_REF 'no-such-ref' is not a branch, tag or commit");
        expect(run.status).toBe(0);
      },
    );

    it('fails the provisioner when a step of the install fails (a ref the fork does not have)', () => {
      const { run } = bake('bad-ref', template, 'main');
      expect(run.failed).toBe('shell');
      expect(run.status).not.toBe(0);
      expect(run.output).toContain("FLASK_REF 'main' is not a branch, tag or commit");
      expect(run.commands[0]).toMatch(
        new RegExp(
          String.raw`^chmod \+x \S+\/script_\d+\.sh; sudo -E env FLASK_REF='main' FLASK_REPO='[^']+' ` +
            String.raw`IMG_MGR_CONFIGURE_APP='[^']+\/configure_app\.sh' ` +
            String.raw`IMG_MGR_FINGERPRINT='fp-1' ` +
            String.raw`IMG_MGR_HEALTH_CHECK='[^']+\/health-check\.sh' ` +
            String.raw`PACKER_BUILDER_TYPE='amazon-ebs' PACKER_BUILD_NAME='img-mgr'  bash \S+\/script_\d+\.sh$`,
        ),
      );
    });

    it('with an empty flask_ref, bakes the default branch of the fork (no branch name is guessed)', () => {
      const { run, installRoot } = bake('default-branch', template, '');
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain('at its default branch');
      expect(readFileSync(join(installRoot, 'opt/img-mgr/REVISION'), 'utf8').trim()).toBe(commit);
    });

    it('fails the provisioner when nginx -t rejects the configuration, the last check of the bake', () => {
      const { run, installRoot } = bake('nginx-fails', template, UPSTREAM_DEFAULT_BRANCH, { STUB_NGINX_FAILS: '1' });
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('checking the nginx configuration (nginx -t)');
      expect(run.output).toContain('test failed');
      expect(existsSync(join(installRoot, 'opt/img-mgr/bin/run.sh'))).toBe(true);
    });

    it(
      'bakes the stand-in fork at master: configure_app.sh runs once ' +
        '(logged), health-check.sh is installed, nginx is the default server',
      () => {
        const { run, installRoot } = bake('good', template, UPSTREAM_DEFAULT_BRANCH);
        expect(run.status, run.output).toBe(0);
        expect(run.output.match(/configuring the app with /g)).toHaveLength(1);
        expect(run.output).toContain(
          `app.py: 'BUCKET = "${UPSTREAM_BUCKET}"' replaced by BUCKET = os.environ["IMG_MGR_BUCKET"]`,
        );
        const appPy = readFileSync(join(installRoot, 'opt/img-mgr/app/app.py'), 'utf8');
        expect(appPy).toMatch(/^BUCKET = os\.environ\["IMG_MGR_BUCKET"\]$/m);
        expect(appPy).not.toContain(UPSTREAM_BUCKET);
        expect(statSync(join(installRoot, 'opt/img-mgr/app/uploads')).isDirectory()).toBe(true);
        // The revision file Flask serves at /static/img-mgr.json: the baked commit and the bake's fingerprint.
        expect(readFileSync(join(installRoot, 'opt/img-mgr/app/static/img-mgr.json'), 'utf8')).toBe(
          `{"appRevision": "${commit}", "fingerprint": "fp-1"}\n`,
        );
        expect(statSync(join(installRoot, 'opt/img-mgr/bin/health-check.sh')).mode & 0o111).not.toBe(0);
        const nginx = readFileSync(join(installRoot, 'etc/nginx/conf.d/img-mgr.conf'), 'utf8');
        expect(nginx).toContain('listen 80 default_server;');
        expect(readFileSync(join(installRoot, 'etc/nginx/nginx.conf'), 'utf8')).not.toContain('default_server');
        expect(run.output).toContain('nginx.conf: default_server removed from the stock server block');
        expect(run.output).toContain('test is successful');
      },
    );
  },
);
