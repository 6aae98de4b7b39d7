// @needs-tools moto_server packer
/**
 * The whole chain, for real: the CLI starts moto itself, bakes with the real
 * Packer through @img-mgr/packer-bake, publishes through @img-mgr/ami-publish
 * and deploys both stacks through @img-mgr/stack-deploy. Every step reads the
 * resulting state back from moto with the SDK.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { initStandInAppRepository } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/index.js';
import { buildCli, runCli, runMain } from './helpers.js';

const PARAMETER = '/common/img-mgr/golden-ami';
const VPC_STACK = 'img-mgr-vpc-dev';
const APP_STACK = 'img-mgr-dev';

interface Clients {
  ssm: SSMClient;
  cfn: CloudFormationClient;
  ec2: EC2Client;
}

function clientsFor(endpoint: string): Clients {
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return { ssm: new SSMClient(config), cfn: new CloudFormationClient(config), ec2: new EC2Client(config) };
}

/**
 * Runs the CLI with --json against the test's state folder and returns its report (the preview has its own test
 * file).
 */
async function pipeline(
  stateDir: string,
  ...args: string[]
): Promise<{ code: number; report: RunReport; stderr: string }> {
  const preview = args[0] === 'run' ? ['--no-preview'] : [];
  const run = await runMain([...args, ...preview, '--json', '--state-dir', stateDir]);
  return { code: run.code, report: JSON.parse(run.stdout) as RunReport, stderr: run.stderr };
}

async function parameterValue(clients: Clients): Promise<{ value: string; version: number }> {
  const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: PARAMETER }));
  return { value: Parameter?.Value ?? '', version: Parameter?.Version ?? 0 };
}

async function stackStatus(clients: Clients, name: string): Promise<string> {
  return (await clients.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus ?? '';
}

/** The AMI the app stack's launch template holds now (what new instances boot). */
async function launchTemplateAmi(clients: Clients): Promise<string> {
  const stack = (await clients.cfn.send(new DescribeStacksCommand({ StackName: APP_STACK }))).Stacks?.[0];
  const id = stack?.Outputs?.find((output) => output.OutputKey === 'LaunchTemplateId')?.OutputValue ?? '';
  const versions = await clients.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Latest'] }),
  );
  return versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId ?? '';
}

async function bakedImages(clients: Clients): Promise<string[]> {
  const images = await clients.ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:application', Values: ['img-mgr'] }] }),
  );
  return (images.Images ?? []).map((image) => image.ImageId ?? '').sort();
}

// The last two suites run the built cli.js as a child process.
beforeAll(() => buildCli());

describe('img-mgr-pipeline end to end on its embedded moto, with real Packer', () => {
  let stateDir: string;
  let clients: Clients;
  let endpoint: string;
  let firstAmi: string;
  let secondAmi: string;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'img-mgr-pipeline-e2e-'));
  });
  afterAll(async () => {
    await runMain(['down', '--state-dir', stateDir]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('run --keep: bakes with Packer, publishes version 1, creates both stacks from SSM, keeps moto', async () => {
    const { code, report, stderr } = await pipeline(stateDir, 'run', '--keep');
    expect(code, stderr).toBe(0);
    expect(report).toMatchObject({
      ok: true,
      command: 'run',
      target: { kind: 'local', region: 'us-east-1', kept: true },
    });
    expect(report.ami?.skipped).toBe(false);
    expect(report.ami?.id).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(report.parameter).toMatchObject({ name: PARAMETER, version: 1, changed: true });
    expect(report.stacks.map((stack) => [stack.name, stack.status])).toEqual([
      [VPC_STACK, 'CREATE_COMPLETE'],
      [APP_STACK, 'CREATE_COMPLETE'],
    ]);
    expect(report.appUrl).toMatch(/^http:\/\/.+\.elb\.amazonaws\.com\/$/);
    // Plain progress on stderr: Packer's stages and the stacks' events with elapsed times.
    expect(stderr).toMatch(/^\[ +\d+\.\ds\] bake +.*Creating temporary (key ?pair|keypair)/im);
    expect(stderr).toMatch(/^\[ +\d+\.\ds\] deploy app +.*CREATE_COMPLETE +AWS::CloudFormation::Stack +img-mgr-dev/m);

    firstAmi = report.ami?.id ?? '';
    endpoint = report.target.endpoint ?? '';
    const state = JSON.parse(readFileSync(join(stateDir, 'local-aws.json'), 'utf8')) as {
      endpoint: string;
      pid: number;
      kept: boolean;
    };
    expect(state).toMatchObject({ endpoint, kept: true });
    clients = clientsFor(endpoint);
    expect(await parameterValue(clients)).toEqual({ value: firstAmi, version: 1 });
    expect(await stackStatus(clients, VPC_STACK)).toBe('CREATE_COMPLETE');
    expect(await stackStatus(clients, APP_STACK)).toBe('CREATE_COMPLETE');
    expect(await launchTemplateAmi(clients)).toBe(firstAmi);
    expect(await bakedImages(clients)).toEqual([firstAmi]);
  });

  it('a second run reuses the kept moto, finds the AMI baked, skips Packer; no new image, no new version', async () => {
    const { code, report, stderr } = await pipeline(stateDir, 'run');
    expect(code, stderr).toBe(0);
    expect(report.target.endpoint).toBe(endpoint);
    expect(report.ami).toMatchObject({ id: firstAmi, skipped: true });
    expect(stderr).toContain('Skipping Packer');
    expect(stderr).not.toContain('packer build: started');
    expect(report.parameter).toMatchObject({ version: 1, changed: false });
    expect(await bakedImages(clients)).toEqual([firstAmi]);
    expect(await parameterValue(clients)).toEqual({ value: firstAmi, version: 1 });
  });

  it('run --force bakes a new AMI, publishes it as version 2 and the app stack takes it', async () => {
    const { code, report, stderr } = await pipeline(stateDir, 'run', '--force');
    expect(code, stderr).toBe(0);
    secondAmi = report.ami?.id ?? '';
    expect(report.ami?.skipped).toBe(false);
    expect(secondAmi).not.toBe(firstAmi);
    expect(report.parameter).toMatchObject({ version: 2, changed: true, previousAmiId: firstAmi });
    expect(report.stacks.find((stack) => stack.name === APP_STACK)).toMatchObject({
      status: 'UPDATE_COMPLETE',
      imageId: secondAmi,
    });
    expect(await parameterValue(clients)).toEqual({ value: secondAmi, version: 2 });
    expect(await launchTemplateAmi(clients)).toBe(secondAmi);
  });

  it('rollback puts the previous AMI back as version 3, redeploys; status shows it (parameter, stack)', async () => {
    const rollback = await pipeline(stateDir, 'rollback');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.report.parameter).toMatchObject({ amiId: firstAmi, version: 3, rolledBackTo: 1 });
    expect(await parameterValue(clients)).toEqual({ value: firstAmi, version: 3 });
    expect(await launchTemplateAmi(clients)).toBe(firstAmi);
    const history = (await clients.ssm.send(new GetParameterHistoryCommand({ Name: PARAMETER }))).Parameters ?? [];
    expect(history.map((entry) => [entry.Version, entry.Value, entry.Labels ?? []])).toEqual([
      [1, firstAmi, []],
      [2, secondAmi, []],
      [3, firstAmi, ['rollback-from-v2']],
    ]);

    const { code, report } = await pipeline(stateDir, 'status');
    expect(code).toBe(0);
    expect(report.status?.parameter.current).toMatchObject({ version: 3, value: firstAmi });
    expect(report.status?.parameter.history.map((entry) => entry.value)).toEqual([firstAmi, secondAmi, firstAmi]);
    const app = report.status?.stacks.find((stack) => stack.name === APP_STACK);
    expect(app).toMatchObject({ exists: true, status: 'UPDATE_COMPLETE', launchTemplateAmi: firstAmi });
    expect(app?.outputs.Url).toBe(report.appUrl);
    expect(report.status?.stacks.find((stack) => stack.name === VPC_STACK)?.outputs.VpcId).toMatch(/^vpc-/);
  });

  it('publishing an AMI that does not exist exits 5 and leaves the parameter as it was', async () => {
    const { code, report } = await pipeline(stateDir, 'publish', '--ami-id', 'ami-0000000000000dead');
    expect(code).toBe(5);
    expect(report.error?.message).toContain('ami-0000000000000dead');
    expect(await parameterValue(clients)).toEqual({ value: firstAmi, version: 3 });
  });

  it('down stops the kept moto and removes its record', async () => {
    const state = JSON.parse(readFileSync(join(stateDir, 'local-aws.json'), 'utf8')) as { pid: number };
    const run = await runMain(['down', '--state-dir', stateDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`stopped the local AWS at ${endpoint}`);
    expect(existsSync(join(stateDir, 'local-aws.json'))).toBe(false);
    const alive = existsSync(`/proc/${state.pid}`) && !/\) Z /.test(readFileSync(`/proc/${state.pid}/stat`, 'utf8'));
    expect(alive).toBe(false);
    const after = await runMain(['status', '--state-dir', stateDir]);
    expect(after.code).toBe(3);
  });
});

describe('img-mgr-pipeline run without --keep (the built cli.js, as `npm run pipeline -- run` runs it)', () => {
  let stateDir: string;
  let fork: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'img-mgr-pipeline-once-'));
    fork = join(stateDir, 'fork');
    initStandInAppRepository(fork);
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('completes the chain, prints the summary, stops preview and the moto it started, removes records', async () => {
    const run = await runCli(['run', '--flask-repo', fork, '--state-dir', stateDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}AMI +ami-[0-9a-f]{17} \(us-east-1; baked by Packer in /m);
    expect(run.stdout).toMatch(/^ {2}Version +1 \(new parameter\)$/m);
    expect(run.stdout).toMatch(/^ {2}Stack img-mgr-vpc-dev +CREATE_COMPLETE$/m);
    expect(run.stdout).toMatch(/^ {2}Stack img-mgr-dev +CREATE_COMPLETE \(AMI ami-[0-9a-f]{17}\)$/m);
    const preview =
      new RegExp(
        /^ {2}App \(local preview\) +(http:\/\/127\.0\.0\.1:\d+\/) \(upload page and an upload checked; /.source +
          /master @ [0-9a-f]{12}; stopped with the local AWS; use --keep to keep it\)$/.source,
        'm',
      ).exec(run.stdout)?.[1] ?? '';
    expect(preview).not.toBe('');
    expect(run.stdout).toMatch(
      /^ {2}Load balancer +http:\/\/\S+ \(the emulator's made-up name; it does not answer\)$/m,
    );
    expect(run.stdout).toMatch(/^ {2}Result +OK in /m);
    expect(run.stderr).toContain(`stopped the local preview of the app at ${preview}`);
    expect(existsSync(join(stateDir, 'preview.json'))).toBe(false);
    const endpoint = /started a local AWS at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr)?.[1] ?? '';
    expect(endpoint).not.toBe('');
    expect(run.stderr).toContain(`stopped the local AWS at ${endpoint}`);
    expect(existsSync(join(stateDir, 'local-aws.json'))).toBe(false);
    for (const url of [endpoint, preview]) {
      const answered = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(2_000) }).then(
        () => true,
        () => false,
      );
      expect(answered, url).toBe(false);
    }
  });
});

describe('Ctrl-C during a local run', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'img-mgr-pipeline-cancel-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('SIGINT while Packer builds: exit 130, the step says cancelled, the moto it started is stopped', async () => {
    let sent = false;
    const run = await runCli(['run', '--no-preview', '--state-dir', stateDir], {
      onStderr: (stderr, child) => {
        if (!sent && stderr.includes('packer build: started')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping');
    expect(run.stderr).toContain('img-mgr-pipeline: error: bake: cancelled');
    const endpoint = /started a local AWS at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr)?.[1] ?? '';
    expect(run.stderr).toContain(`stopped the local AWS at ${endpoint}`);
    expect(existsSync(join(stateDir, 'local-aws.json'))).toBe(false);
  });
});
