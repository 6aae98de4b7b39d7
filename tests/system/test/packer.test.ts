import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, toolPath, type Moto } from '@img-mgr/testbed';
import { packerDir, packerTemplateCopy, runTool } from './helpers.js';

const testVars = join(packerDir, 'test.pkrvars.hcl');

describe('packer template (Packer 1.6.6, without plugins.pkr.hcl)', () => {
  let dir: string;
  beforeAll(() => {
    dir = packerTemplateCopy();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('packer fmt -check passes on every file of packer/', async () => {
    const run = await runTool(toolPath('packer'), ['fmt', '-check', packerDir]);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('packer validate passes with the defaults and with test.pkrvars.hcl', async () => {
    const plain = await runTool(toolPath('packer'), ['validate', dir]);
    expect(plain.stdout + plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const withTestVars = await runTool(toolPath('packer'), ['validate', `-var-file=${testVars}`, dir]);
    expect(withTestVars.code).toBe(0);
  });

  it('runs the file and shell provisioners with the ssh communicator, and skips them only with communicator none', async () => {
    const real = await runTool(toolPath('packer'), ['inspect', dir]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/provisioners:\s+file\s+shell/);
    expect(real.stdout).toContain('local.skip_provisioning: "[]"');
    const test = await runTool(toolPath('packer'), ['inspect', `-var-file=${testVars}`, dir]);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/local\.skip_provisioning: "\[.*amazon-ebs\.img-mgr.*\]"/);
  });

  it('packer validate rejects a flask_repo that is not an https URL', async () => {
    const run = await runTool(toolPath('packer'), ['validate', '-var', 'flask_repo=git@github.com:you/flask-aws-storage.git', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('flask_repo variable must be an https:// git URL');
  });

  it('packer validate rejects an unknown communicator', async () => {
    const run = await runTool(toolPath('packer'), ['validate', '-var', 'communicator=winrm', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('communicator variable must be ssh or none');
  });

  describe('packer build against moto with test.pkrvars.hcl', () => {
    let moto: Moto;
    beforeAll(async () => {
      moto = await startMoto();
    });
    afterAll(async () => {
      await moto.stop();
    });

    it('bakes an AMI from the newest AL2023 image, with a unique name and the app, run and fingerprint tags', async () => {
      const ec2 = new EC2Client(moto.clientConfig);
      const build = await runTool(
        toolPath('packer'),
        ['build', '-machine-readable', `-var-file=${testVars}`, '-var', `ec2_endpoint=${moto.endpoint}`, '-var', 'app_revision=0123abc', dir],
        { env: moto.env },
      );
      expect(build.code, build.stdout + build.stderr).toBe(0);
      const artifact = /artifact,0,id,([a-z0-9-]+):(ami-[0-9a-f]+)/.exec(build.stdout);
      expect(artifact?.[1]).toBe('us-east-1');
      const amiId = artifact?.[2] ?? '';

      const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images ?? [];
      expect(image?.Name).toMatch(/^img-mgr-\d{8}-\d{6}-test-1$/);
      const tags = Object.fromEntries((image?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
      expect(tags).toMatchObject({
        application: 'img-mgr',
        'created-by': 'packer',
        'app-revision': '0123abc',
        fingerprint: 'test-fingerprint',
        'run-id': 'test-1',
        'flask-ref': 'main',
      });

      // The base image Packer chose is the newest standard AL2023 x86_64 image.
      const sourceAmi = /Found Image ID: (ami-[0-9a-f]+)/.exec(build.stdout)?.[1];
      const candidates = (
        await ec2.send(
          new DescribeImagesCommand({
            Owners: ['amazon'],
            Filters: [
              { Name: 'name', Values: ['al2023-ami-2023.*-kernel-*-x86_64'] },
              { Name: 'architecture', Values: ['x86_64'] },
            ],
          }),
        )
      ).Images ?? [];
      // moto gives its images one creation date, so "newest" may be a tie.
      const newestDate = candidates.map((candidate) => candidate.CreationDate ?? '').sort().at(-1);
      const newest = candidates.filter((candidate) => candidate.CreationDate === newestDate).map((candidate) => candidate.ImageId);
      expect(newest).toContain(sourceAmi);
      const source = candidates.find((candidate) => candidate.ImageId === sourceAmi);
      expect(source?.Name).toMatch(/^al2023-ami-2023\.[0-9.]+-kernel-[0-9.]+-x86_64$/);

      // The build instance carried the run tags and was cleaned up.
      const reservations = (
        await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:run-id', Values: ['test-1'] }] }))
      ).Reservations ?? [];
      const instances = reservations.flatMap((reservation) => reservation.Instances ?? []);
      expect(instances.length).toBeGreaterThan(0);
      for (const instance of instances) expect(instance.State?.Name).toBe('terminated');
    });
  });
});
