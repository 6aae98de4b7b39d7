// @needs-tools moto_server
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateImageCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeFilter,
  hclSourceAmi,
  jsonSourceAmi,
  pluginConstraints,
  readSourceAmiSpec,
  resolveSourceAmi,
} from '../src/index.js';
import { testContext } from './context.js';

const HCL = `
variable "source_ami_name" {
  type    = string
  default = "al2023-ami-2023.*-kernel-6.1-x86_64"
}

source "amazon-ebs" "app" {
  region = var.region
  source_ami_filter {
    filters = {
      name                = var.source_ami_name
      virtualization-type = "hvm"
      "root-device-type"  = "ebs"
    }
    owners      = ["amazon", var.extra_owner]
    most_recent = true
  }
}
`;

describe('source_ami_filter from the template', () => {
  it('reads filters, owners and most_recent of HCL and JSON templates', () => {
    expect(hclSourceAmi(HCL)).toEqual({
      kind: 'filter',
      filter: {
        filters: { name: 'var.source_ami_name', 'virtualization-type': 'hvm', 'root-device-type': 'ebs' },
        owners: ['amazon', 'var.extra_owner'],
        mostRecent: true,
      },
    });
    expect(hclSourceAmi('source "amazon-ebs" "x" {\n  source_ami = "ami-0123456789abcdef0"\n}\n')).toEqual({
      kind: 'literal',
      amiId: 'ami-0123456789abcdef0',
    });
    expect(hclSourceAmi('# source_ami_filter {\n')).toEqual({ kind: 'none' });
    expect(
      jsonSourceAmi(
        JSON.stringify({
          builders: [
            {
              type: 'amazon-ebs',
              source_ami_filter: { filters: { name: 'amzn2-*' }, owners: ['137112412989'], most_recent: true },
            },
          ],
        }),
      ),
    ).toEqual({ kind: 'filter', filter: { filters: { name: 'amzn2-*' }, owners: ['137112412989'], mostRecent: true } });
  });

  it('substitutes var.NAME from -var, then var files, then the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'source-ami-'));
    writeFileSync(join(dir, 'main.pkr.hcl'), HCL);
    writeFileSync(join(dir, 'vars.pkrvars.hcl'), 'extra_owner = "self"\nsource_ami_name = "from-file-*"\n');
    const spec = await readSourceAmiSpec([join(dir, 'main.pkr.hcl')], {}, []);
    expect(spec.kind === 'filter' && spec.filter.filters.name).toBe('al2023-ami-2023.*-kernel-6.1-x86_64');
    const fromFile = await readSourceAmiSpec([join(dir, 'main.pkr.hcl')], {}, [join(dir, 'vars.pkrvars.hcl')]);
    expect(fromFile.kind === 'filter' && fromFile.filter).toEqual({
      filters: { name: 'from-file-*', 'virtualization-type': 'hvm', 'root-device-type': 'ebs' },
      owners: ['amazon', 'self'],
      mostRecent: true,
    });
    const fromVar = await readSourceAmiSpec([join(dir, 'main.pkr.hcl')], { source_ami_name: 'from-var-*' }, [
      join(dir, 'vars.pkrvars.hcl'),
    ]);
    expect(fromVar.kind === 'filter' && fromVar.filter.filters.name).toBe('from-var-*');
    expect(fromFile.kind === 'filter' && describeFilter(fromFile.filter)).toBe(
      'filters[name=from-file-*,root-device-type=ebs,virtualization-type=hvm] owners[amazon,self] most_recent=true',
    );
  });

  it('reads required_plugins constraints', () => {
    expect(
      pluginConstraints(
        'packer {\n  required_plugins {\n    amazon = {\n      version = ">= 1.2.0"\n' +
          '      source  = "github.com/hashicorp/amazon"\n    }\n  }\n}\n',
      ),
    ).toEqual(['amazon github.com/hashicorp/amazon >= 1.2.0']);
    expect(pluginConstraints('source "x" "y" {}')).toEqual([]);
  });
});

describe('resolveSourceAmi (moto)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(moto.clientConfig);
  });
  afterAll(async () => {
    ec2.destroy();
    await moto.stop();
  });

  it("picks the newest of moto's Amazon-owned al2023 images, as Packer's most_recent does", async () => {
    const filter = {
      filters: { name: 'al2023-ami-2023.*-kernel-6.1-x86_64', 'virtualization-type': 'hvm' },
      owners: ['amazon'],
      mostRecent: true,
    };
    const all = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [filter.filters.name] }] }),
    );
    const newest = [...(all.Images ?? [])].sort((a, b) =>
      (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''),
    )[0];
    expect(newest?.ImageId).toMatch(/^ami-/);
    const context = testContext(moto.env);
    expect(await resolveSourceAmi(filter, 'us-east-1', context)).toBe(newest?.ImageId);
    expect(
      await resolveSourceAmi({ ...filter, filters: { name: 'no-such-image-*' } }, 'us-east-1', context),
    ).toBeUndefined();
  });

  it('a newer base image (a patch) resolves to a new id', async () => {
    const base = (
      await ec2.send(
        new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }),
      )
    ).Images?.[0]?.ImageId;
    const instance = (await ec2.send(new RunInstancesCommand({ ImageId: base, MinCount: 1, MaxCount: 1 })))
      .Instances?.[0]?.InstanceId;
    const filter = { filters: { name: 'patched-base-*' }, owners: ['self'], mostRecent: true };
    const first = (await ec2.send(new CreateImageCommand({ InstanceId: instance, Name: 'patched-base-1' }))).ImageId;
    const context = testContext(moto.env);
    expect(await resolveSourceAmi(filter, 'us-east-1', context)).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const patched = (await ec2.send(new CreateImageCommand({ InstanceId: instance, Name: 'patched-base-2' }))).ImageId;
    expect(await resolveSourceAmi(filter, 'us-east-1', context)).toBe(patched);
  });
});
