// @needs-tools moto_server packer python
/**
 * The local preview: after a local run, the baked revision of
 * the stand-in fork really serves on 127.0.0.1 with the stack's bucket, on
 * the CLI's own moto with the real Packer. Every claim is read back: the
 * page over HTTP, the upload in the bucket with the S3 SDK, the process
 * after `down`.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { commitStandInBreak, initStandInAppRepository, UPSTREAM_DEFAULT_BRANCH } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/index.js';
import { appEnvFromUserData, instanceFilesFromUserData, localInstanceEnv } from '../src/instance-env.js';
import { pythonProblem, UPLOAD_PAGE_HEADING } from '../src/preview-step.js';
import { runMain } from './helpers.js';

const APP_STACK = 'img-mgr-dev';
const PARAMETER = '/common/img-mgr/golden-ami';

let work: string;
let repo: string;
let master: string;
let stateDir: string;

/** The CLI with --json against this file's state folder. */
async function pipeline(...args: string[]): Promise<{ code: number; report: RunReport; stderr: string }> {
  const run = await runMain([...args, '--json', '--state-dir', stateDir]);
  return { code: run.code, report: JSON.parse(run.stdout) as RunReport, stderr: run.stderr };
}

function clients(endpoint: string): { s3: S3Client; ssm: SSMClient; cfn: CloudFormationClient } {
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ssm: new SSMClient(config),
    cfn: new CloudFormationClient(config),
  };
}

async function bucketKeys(endpoint: string, bucket: string): Promise<string[]> {
  const listed = await clients(endpoint).s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

/** What the AWS side holds: the parameter's version and each stack's status and last update. */
async function awsSide(endpoint: string): Promise<unknown> {
  const { ssm, cfn } = clients(endpoint);
  const parameter = (await ssm.send(new GetParameterCommand({ Name: '/common/img-mgr/golden-ami' }))).Parameter;
  const stacks = (await cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
  return {
    parameter: [parameter?.Value, parameter?.Version],
    stacks: stacks
      .map((stack) => [stack.StackName, stack.StackStatus, stack.LastUpdatedTime?.toISOString() ?? ''])
      .sort(),
  };
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    async (response) => {
      await response.body?.cancel();
      return true;
    },
    () => false,
  );
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'img-mgr-preview-'));
  stateDir = join(work, 'state');
  repo = join(work, 'flask-aws-storage');
  master = initStandInAppRepository(repo);
  // A branch whose app dies at import, as a broken push would.
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  git('checkout', '--quiet', '-b', 'crash');
  appendFileSync(join(repo, 'app.py'), '\nraise RuntimeError("the app cannot start")\n');
  git('commit', '--quiet', '-am', 'break the app');
  git('checkout', '--quiet', UPSTREAM_DEFAULT_BRANCH);
});
afterAll(async () => {
  await runMain(['down', '--state-dir', stateDir]);
  rmSync(work, { recursive: true, force: true });
});

describe('img-mgr-pipeline run: the local preview of the baked app', () => {
  let endpoint: string;
  let url: string;
  let bucket: string;

  it('run --keep serves the baked commit with the stack bucket: upload page answers, uploads land there', async () => {
    const { code, report, stderr } = await pipeline('run', '--keep', '--flask-repo', repo);
    expect(code, stderr).toBe(0);
    endpoint = report.target.endpoint ?? '';
    const outputs = report.stacks.find((stack) => stack.name === APP_STACK)?.outputs ?? {};
    bucket = outputs.BucketName ?? '';
    expect(bucket).not.toBe('');
    expect(report.preview).toMatchObject({
      running: true,
      checked: true,
      kept: true,
      repo,
      ref: UPSTREAM_DEFAULT_BRANCH,
      commit: master,
      bucket,
    });
    url = report.preview?.url ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // The configuration step of the bake ran on the checkout: the bucket comes from IMG_MGR_BUCKET.
    expect(stderr).toContain(
      `configure_app: app.py: 'BUCKET = "lats-image-data"' replaced by BUCKET = os.environ["IMG_MGR_BUCKET"]`,
    );

    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(UPLOAD_PAGE_HEADING);
    // The run's own check object was removed again; a user's upload lands in the stack's bucket.
    expect(await bucketKeys(endpoint, bucket)).toEqual([]);
    const form = new FormData();
    form.append('file', new Blob(['a picture\n']), 'picture.txt');
    const upload = await fetch(new URL('upload', url), { method: 'POST', body: form, redirect: 'manual' });
    expect(upload.status).toBe(302);
    expect(await bucketKeys(endpoint, bucket)).toEqual(['uploads/picture.txt']);
    // /pics presigns with SigV4, as the instance does through the aws-config its user data writes.
    const pics = await (await fetch(new URL('pics', url))).text();
    expect(pics).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
  });

  it('status shows the running preview', async () => {
    const { code, report } = await pipeline('status');
    expect(code).toBe(0);
    expect(report.preview).toMatchObject({ running: true, url, commit: master, bucket });
    const table = await runMain(['status', '--state-dir', stateDir]);
    expect(table.stdout).toMatch(
      new RegExp(
        `^ {2}App \\(local preview\\) +${url.replace(/[.]/g, '\\.')} ` +
          `\\(master @ ${master.slice(0, 12)}; runs until img-mgr-pipeline down\\)$`,
        'm',
      ),
    );
    expect(table.stdout).toMatch(
      /^ {2}Load balancer +http:\/\/\S+\.elb\.amazonaws\.com\/ \(the emulator's made-up name; it does not answer\)$/m,
    );
  });

  it('a commit that loses uploads: the smoke test fails the run (exit 8) and the CLI reverts it', async () => {
    const broken = commitStandInBreak(repo, 'lose-uploads', 'upload-lost');
    const { ssm } = clients(endpoint);
    const before = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter;
    const run = await runMain([
      'run',
      '--keep',
      '--flask-repo',
      repo,
      '--flask-ref',
      'lose-uploads',
      '--json',
      '--state-dir',
      stateDir,
    ]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(run.code, run.stderr).toBe(8);
    // One line naming the URL and what failed; the hint says what the revert did.
    expect(report.error?.message).toMatch(
      new RegExp(
        String.raw`^preview: smoke test of http://127\.0\.0\.1:\d+/: POST /upload answered 302 but ` +
          String.raw`s3://\S+/uploads/img-mgr-smoke-\S+\.txt is not there \(NoSuchKey\)`,
      ),
    );
    const rejected = report.ami?.id ?? '';
    expect(rejected).not.toBe(before?.Value);
    expect(report.revert).toMatchObject({
      rejectedAmi: rejected,
      restoredAmi: before?.Value,
      redeployed: true,
      preview: { commit: master, passed: true },
    });
    expect(report.error?.hint).toContain(`parameter back on ${before?.Value ?? ''}`);
    expect(report.error?.hint).toContain(`the preview serves ${master.slice(0, 12)} again and passed its smoke test`);

    // Read back: the parameter holds the previous AMI again (publish, then the revert's republish) ...
    const after = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter;
    expect([after?.Value, after?.Version]).toEqual([before?.Value, (before?.Version ?? 0) + 2]);
    // ... the broken AMI is marked rejected ...
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [rejected] }))).Images?.[0];
    expect(image?.Tags?.some((tag) => tag.Key === 'img-mgr:rejected')).toBe(true);
    // ... the app stack was redeployed on it ...
    expect(report.stacks.find((stack) => stack.name === APP_STACK)?.imageId).toBe(before?.Value);
    // ... and the preview serves the previous revision again, through the front door.
    const revision = await fetch(new URL('static/img-mgr.json', report.preview?.url ?? ''));
    expect(((await revision.json()) as { appRevision: string }).appRevision).toBe(master);
    expect(broken).not.toBe(master);

    // The timeline says the same: the failed smoke test, then the revert and its own passing smoke test.
    expect(report.timeline?.outcome).toBe('reverted; the reverted site passed its smoke test');
    expect(report.timeline?.entries.map((entry) => entry.step).slice(-3)).toEqual(['smoke', 'revert', 'revert']);
  });

  it('a commit whose app serves no revision file: caught by the smoke test (exit 8) and reverted', async () => {
    commitStandInBreak(repo, 'no-static', 'no-static');
    const { ssm } = clients(endpoint);
    const before = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter;
    const run = await runMain([
      'run',
      '--flask-repo',
      repo,
      '--flask-ref',
      'no-static',
      '--json',
      '--state-dir',
      stateDir,
    ]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(run.code, run.stderr).toBe(8);
    expect(report.error?.message).toMatch(
      /^preview: smoke test of http:\/\/127\.0\.0\.1:\d+\/: \/static\/img-mgr\.json is missing \(404\)/,
    );
    expect(report.revert).toMatchObject({ restoredAmi: before?.Value, preview: { commit: master, passed: true } });
    const after = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter;
    expect(after?.Value).toBe(before?.Value);
  });

  it('a revert whose own smoke test fails is reported loudly, once, and not retried', async () => {
    // A broken revision that went live without a preview (--no-preview), then a second broken one on top.
    commitStandInBreak(repo, 'upload-500', 'upload-fails');
    const homeBroken = commitStandInBreak(repo, 'home-500', 'home-fails');
    expect((await pipeline('run', '--flask-repo', repo, '--flask-ref', 'upload-500', '--no-preview')).code).toBe(0);
    const run = await runMain(['run', '--flask-repo', repo, '--flask-ref', 'home-500', '--state-dir', stateDir]);
    expect(run.code).toBe(8);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('img-mgr-pipeline: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^img-mgr-pipeline: error: preview: smoke test of http:\/\/127\.0\.0\.1:\d+\/: GET \/ answered 500/,
    );
    // The reverted preview (upload-500) failed its own smoke test: said in the hint, a warning and the timeline.
    expect(errors[0]).toMatch(
      /REVERT FAILED \(not retried\): the reverted preview: smoke test of \S+: POST \/upload answered 500; see \S+$/,
    );
    expect(run.stderr).toMatch(/ warning: the revert failed and is not retried: the reverted preview: /);
    expect(run.stderr.match(/ revert +\S+ failed the smoke test: going back$/gm)).toHaveLength(1);
    expect(run.stdout).toMatch(/^ {2}\d\d:\d\d:\d\d {2}revert +!! smoke test of the reverted site .*not retried/m);
    expect(run.stdout).toMatch(/^ {2}=> revert failed: the reverted preview: /m);
    expect(homeBroken).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a --preview-port that is taken: exit 8, one line with the end of the app log; AWS side untouched', async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    try {
      // A warm run first, so that what the chain itself does on a rerun is in `before`.
      expect((await pipeline('run', '--flask-repo', repo, '--no-preview')).code).toBe(0);
      const before = await awsSide(endpoint);
      const { code, report } = await pipeline('run', '--flask-repo', repo, '--preview-port', String(port));
      expect(code).toBe(8);
      expect(report.error?.message).toMatch(
        /^preview: the app exited at start \(exit 1\); its log ends: .*(in use|Address already in use)/,
      );
      expect(report.error?.message).not.toContain('\n');
      expect(report.preview?.running ?? false).toBe(false);
      expect(await awsSide(endpoint)).toEqual(before);
      expect(existsSync(join(stateDir, 'preview.json'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('an app that crashes at start: exit 8 with the end of its traceback; the stacks stay as deployed', async () => {
    const run = await runMain(['run', '--flask-repo', repo, '--flask-ref', 'crash', '--state-dir', stateDir]);
    expect(run.code).toBe(8);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('img-mgr-pipeline: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /preview: the app exited at start \(exit \d+\); its log ends: .*RuntimeError: the app cannot start/,
    );
    expect(run.stdout).toMatch(/^ {2}Stack img-mgr-dev +UPDATE_COMPLETE/m);
    expect(existsSync(join(stateDir, 'preview.json'))).toBe(false);
  });

  it('a repository that cannot be reached: the run succeeds and one line says why the preview is off', async () => {
    const run = await runMain(['run', '--flask-repo', join(work, 'gone'), '--state-dir', stateDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^ {2}App \\(local preview\\) +off: could not reach ${join(work, 'gone')} to check out the app \\(.+\\)$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^ {2}Result +OK in /m);
    // The rollout timeline ends the output: bake, publish, the app stack's events, the preview that was off.
    expect(run.stdout).toMatch(/^Rollout timeline \(UTC\):\n {2}\d\d:\d\d:\d\d {2}bake /m);
    expect(run.stdout).toMatch(/^ {2}\d\d:\d\d:\d\d {2}stack +img-mgr-dev UPDATE_COMPLETE$/m);
    expect(run.stdout).toMatch(/^ {2}=> deployed \(smoke test off\)$/m);
  });

  it('down stops the preview and the local AWS', async () => {
    const { code, report } = await pipeline('run', '--flask-repo', repo);
    expect(code).toBe(0);
    const previewUrl = report.preview?.url ?? '';
    const pid = (JSON.parse(readFileSync(join(stateDir, 'preview.json'), 'utf8')) as { pid: number }).pid;
    expect(await answers(previewUrl)).toBe(true);
    const down = await runMain(['down', '--state-dir', stateDir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`stopped the local preview of the app at ${previewUrl} (pid ${pid})`);
    expect(down.stdout).toContain(`stopped the local AWS at ${endpoint}`);
    expect(await answers(previewUrl)).toBe(false);
    expect(existsSync(join(stateDir, 'preview.json'))).toBe(false);
  });
});

describe('the preview parts that need no AWS', () => {
  it('a tools Python without Flask turns the preview off with the reason and the command installing it', async () => {
    const venv = join(work, 'empty-venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    expect(await pythonProblem(join(venv, 'bin', 'python'))).toMatch(
      new RegExp(
        /^the tools Python cannot run the app /.source +
          /\(ModuleNotFoundError: No module named '(flask|boto3|werkzeug)'\); /.source +
          /install flask and boto3 with 'npm run tools -- python'$/.source,
      ),
    );
    expect(await pythonProblem(join(work, 'nothing', 'python'))).toBe(
      `the tools Python ${join(work, 'nothing', 'python')} is missing; install it with 'npm run tools -- python'`,
    );
  });

  it("reads the app's environment from the here-document the user data writes to /etc/img-mgr/app.env", () => {
    const userData = readFileSync(new URL('../../../cloudformation/img-mgr.yaml', import.meta.url), 'utf8');
    const block = /cat >\/etc\/img-mgr\/app\.env <<'EOF'\n[\s\S]*?\n\s*EOF\n/.exec(userData)?.[0] ?? '';
    const rendered = block
      .replace(/^ +/gm, '')
      .replace('${UploadsBucket}', 'b-1')
      .replace('${Environment}', 'dev')
      .replace('${AWS::Region}', 'us-east-1');
    expect(appEnvFromUserData(`#!/bin/bash\n${rendered}systemctl restart img-mgr.service\n`)).toEqual({
      IMG_MGR_BUCKET: 'b-1',
      IMG_MGR_ENVIRONMENT: 'dev',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/etc/img-mgr/aws-config',
    });
    expect(appEnvFromUserData('#!/bin/bash\necho no env\n')).toBeUndefined();
  });

  it('writes the user data files under /etc/img-mgr into the preview, points the env at them (SigV4 for /pics)', () => {
    const template = readFileSync(new URL('../../../cloudformation/img-mgr.yaml', import.meta.url), 'utf8');
    const script =
      /cat >\/etc\/img-mgr\/app\.env <<'EOF'\n[\s\S]*?cat >\/etc\/img-mgr\/aws-config <<'EOF'\n[\s\S]*?\n\s*EOF\n/.exec(
        template,
      )?.[0] ?? '';
    const userData = script
      .replace(/^ {12}/gm, '')
      .replace('${UploadsBucket}', 'b-1')
      .replace('${Environment}', 'dev')
      .replace('${AWS::Region}', 'us-east-1');
    const files = instanceFilesFromUserData(userData);
    expect([...files.keys()]).toEqual(['app.env', 'aws-config']);
    const dir = join(work, 'preview-etc');
    const env = localInstanceEnv({ env: appEnvFromUserData(userData) ?? {}, files }, dir);
    expect(env.AWS_CONFIG_FILE).toBe(join(dir, 'aws-config'));
    expect(readFileSync(join(dir, 'aws-config'), 'utf8')).toMatch(/^s3 =\n {2}signature_version = s3v4$/m);
    expect(env.IMG_MGR_BUCKET).toBe('b-1');
  });
});
