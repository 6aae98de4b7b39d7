// @needs-tools packer moto_server
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
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

  it(
    'runs the file and shell provisioners with the ssh ' + 'communicator, and skips them only with communicator none',
    async () => {
      const real = await runTool(toolPath('packer'), ['inspect', dir]);
      expect(real.code).toBe(0);
      expect(real.stdout).toMatch(/provisioners:\s+file\s+shell/);
      expect(real.stdout).toContain('local.skip_provisioning: "[]"');
      const test = await runTool(toolPath('packer'), ['inspect', `-var-file=${testVars}`, dir]);
      expect(test.code).toBe(0);
      expect(test.stdout).toMatch(/local\.skip_provisioning: "\[.*amazon-ebs\.img-mgr.*\]"/);
    },
  );

  it('packer validate rejects a flask_repo that is not an https URL', async () => {
    const run = await runTool(toolPath('packer'), [
      'validate',
      '-var',
      'flask_repo=git@github.com:you/flask-aws-storage.git',
      dir,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('flask_repo variable must be an https:// git URL');
  });

  it('packer validate rejects an unknown communicator', async () => {
    const run = await runTool(toolPath('packer'), ['validate', '-var', 'communicator=winrm', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('communicator variable must be ssh or none');
  });

  it(
    'flask_ref defaults to master (the upstream app has no ' +
      'main), and main appears nowhere in packer/ as a default',
    async () => {
      const run = await runTool(toolPath('packer'), ['inspect', dir]);
      expect(run.stdout).toContain('var.flask_ref: "master"');
      for (const name of readdirSync(packerDir)) {
        expect(readFileSync(join(packerDir, name), 'utf8'), name).not.toMatch(
          /\bmain\b["'}]|=\s*"?main"?\s*$|:-main\b/m,
        );
      }
    },
  );

  it('accepts subnet_id, vpc_id, ssh_source_cidr and kms_key_id, each optional', async () => {
    const run = await runTool(toolPath('packer'), [
      'validate',
      ...[
        'subnet_id=subnet-0abc1234',
        'vpc_id=vpc-0abc1234',
        'ssh_source_cidr=203.0.113.7/32',
        'kms_key_id=alias/img-mgr-ami',
      ].flatMap((pair) => ['-var', pair]),
      dir,
    ]);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each([
    ['subnet_id', 'sn-123', 'The subnet_id variable must be empty or a subnet id'],
    ['vpc_id', 'default', 'The vpc_id variable must be empty or a VPC id'],
    ['ssh_source_cidr', '203.0.113.7', 'The ssh_source_cidr variable must be an IPv4 CIDR'],
    ['kms_key_id', 'my key', 'The kms_key_id variable must be empty, a key id, alias/NAME or a KMS key ARN'],
  ])('packer validate names the variable for a malformed %s', async (name, value, message) => {
    const run = await runTool(toolPath('packer'), ['validate', '-var', `${name}=${value}`, dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(message);
  });

  describe('packer build against moto with test.pkrvars.hcl', () => {
    let moto: Moto;
    beforeAll(async () => {
      moto = await startMoto();
    });
    afterAll(async () => {
      await moto.stop();
    });

    it(
      'bakes an AMI from the newest AL2023 image, with a ' + 'unique name and the app, run and fingerprint tags',
      async () => {
        const ec2 = new EC2Client(moto.clientConfig);
        const build = await runTool(
          toolPath('packer'),
          [
            'build',
            '-machine-readable',
            `-var-file=${testVars}`,
            '-var',
            `ec2_endpoint=${moto.endpoint}`,
            '-var',
            'app_revision=0123abc',
            dir,
          ],
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
          'flask-ref': 'master',
        });

        // The base image Packer chose is the newest standard AL2023 x86_64 image.
        const sourceAmi = /Found Image ID: (ami-[0-9a-f]+)/.exec(build.stdout)?.[1];
        const candidates =
          (
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
        const newestDate = candidates
          .map((candidate) => candidate.CreationDate ?? '')
          .sort()
          .at(-1);
        const newest = candidates
          .filter((candidate) => candidate.CreationDate === newestDate)
          .map((candidate) => candidate.ImageId);
        expect(newest).toContain(sourceAmi);
        const source = candidates.find((candidate) => candidate.ImageId === sourceAmi);
        expect(source?.Name).toMatch(/^al2023-ami-2023\.[0-9.]+-kernel-[0-9.]+-x86_64$/);

        // The build instance carried the run tags and was cleaned up.
        const reservations =
          (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:run-id', Values: ['test-1'] }] })))
            .Reservations ?? [];
        const instances = reservations.flatMap((reservation) => reservation.Instances ?? []);
        expect(instances.length).toBeGreaterThan(0);
        for (const instance of instances) expect(instance.State?.Name).toBe('terminated');
        // The temporary security group admits ssh_source_cidr only (default 0.0.0.0/0).
        expect(build.stdout).toMatch(/Authorizing access to port \d+ from \[0\.0\.0\.0\/0\]/);
      },
    );

    it(
      'builds in subnet_id (its VPC found by Packer) and ' + 'limits the temporary security group to ssh_source_cidr',
      async () => {
        const ec2 = new EC2Client(moto.clientConfig);
        const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.77.0.0/16' }))).Vpc;
        const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc?.VpcId, CidrBlock: '10.77.1.0/24' })))
          .Subnet;
        const build = await runTool(
          toolPath('packer'),
          [
            'build',
            `-var-file=${testVars}`,
            ...[
              'run_id=subnet-1',
              `ec2_endpoint=${moto.endpoint}`,
              `subnet_id=${subnet?.SubnetId}`,
              'ssh_source_cidr=203.0.113.7/32',
            ].flatMap((pair) => ['-var', pair]),
            dir,
          ],
          { env: moto.env },
        );
        expect(build.code, build.stdout + build.stderr).toBe(0);
        expect(build.stdout).toMatch(/Authorizing access to port \d+ from \[203\.0\.113\.7\/32\]/);
        const reservations =
          (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:run-id', Values: ['subnet-1'] }] })))
            .Reservations ?? [];
        const instances = reservations.flatMap((reservation) => reservation.Instances ?? []);
        expect(instances.map((instance) => instance.SubnetId)).toEqual([subnet?.SubnetId]);
      },
    );

    it(
      'a subnet that does not exist fails the build before anything ' +
        'is created (Packer names the subnet, not the variable)',
      async () => {
        const ec2 = new EC2Client(moto.clientConfig);
        await moto.reset();
        const build = await runTool(
          toolPath('packer'),
          [
            'build',
            `-var-file=${testVars}`,
            ...['run_id=subnet-2', `ec2_endpoint=${moto.endpoint}`, 'subnet_id=subnet-0123dead'].flatMap((pair) => [
              '-var',
              pair,
            ]),
            dir,
          ],
          { env: moto.env },
        );
        expect(build.code).not.toBe(0);
        expect(build.stdout + build.stderr).toContain(
          'Describing the subnet: subnet-0123dead returned error: InvalidSubnetID.NotFound',
        );
        expect((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).toEqual([]);
        const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
        expect(groups.filter((group) => group.GroupName !== 'default')).toEqual([]);
        const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
        expect(reservations.flatMap((reservation) => reservation.Instances ?? [])).toEqual([]);
      },
    );
  });
});
