// @needs-tools moto_server packer
/**
 * bake-ami's variables-json reaches Packer as data (the bundled action, real
 * Packer 1.6.6, the project template packer/ against moto). The reusable
 * workflow used to paste the resolved flask URL into KEY=VALUE text, where a
 * URL with commas became extra variables (an SSH rule open to the world, a
 * bigger instance). Through variables-json each value is one `-var`
 * argument: the AMI's tags hold the whole values, the build instance keeps
 * its type, and moving the same variables from `variables` to
 * `variables-json` keeps the fingerprint, so an unchanged app is not baked
 * again.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeInstancesCommand, type Tag } from '@aws-sdk/client-ec2';
import { repoRoot, runBundledAction, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, type Clients } from './helpers.js';

let moto: Moto;
let aws: Clients;
let template = '';

beforeAll(async () => {
  moto = await startMoto();
  aws = clientsFor(moto);
  // Packer 1.6.6 cannot parse required_plugins: the plugin file stays out, as packer/README.md says.
  template = mkdtempSync(join(tmpdir(), 'packer-variables-'));
  cpSync(join(repoRoot(), 'packer'), template, {
    recursive: true,
    filter: (source) => !source.endsWith('plugins.pkr.hcl'),
  });
});
afterAll(async () => {
  rmSync(template, { recursive: true, force: true });
  await moto.stop();
});

const bake = (inputs: Record<string, string>) =>
  runBundledAction('bake-ami', {
    env: moto.env,
    inputs: {
      template,
      'var-files': join(template, 'test.pkrvars.hcl'),
      init: 'false',
      'app-revision': 'abc123',
      ...inputs,
    },
  });

const tagMap = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((tag): [string, string] => [tag.Key ?? '', tag.Value ?? '']));

describe(
  'Packer variables are data: variables-json (bundled bake-ami, real Packer, packer/)',
  { timeout: 120_000 },
  () => {
    it('a flask_repo with commas and =, a flask_ref with a line break and quotes: one variable each', async () => {
      const flaskRepo = 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge';
      const flaskRef = `master\ninstance_type=t3.2xlarge,"quoted",'single',\${var.region}`;
      const run = await bake({
        'variables-json': JSON.stringify({
          ec2_endpoint: moto.endpoint,
          skip_aws_checks: 'true',
          flask_repo: flaskRepo,
          flask_ref: flaskRef,
        }),
      });
      expect(run.errors, run.log).toEqual([]);
      expect(run.exitCode).toBe(0);
      const amiId = run.outputs['ami-id'] ?? '';
      const image = (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] }))).Images?.[0];
      expect(tagMap(image?.Tags)).toMatchObject({ 'flask-repo': flaskRepo, 'flask-ref': flaskRef });
      // The build instance kept the var file's type: no variable was split off the values.
      const runId = run.runner.state()['run-id'] ?? '';
      const reservations =
        (await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:run-id', Values: [runId] }] })))
          .Reservations ?? [];
      const instances = reservations.flatMap((reservation) => reservation.Instances ?? []);
      expect(instances.length).toBeGreaterThan(0);
      expect(instances.map((instance) => instance.InstanceType)).toEqual(instances.map(() => 't3.micro'));
    });

    it('the same variables in variables-json as in variables: the same fingerprint, so no second bake', async () => {
      const sha = 'fedcba9876543210fedcba9876543210fedcba98';
      const text = await bake({
        variables: [
          `ec2_endpoint=${moto.endpoint}`,
          'skip_aws_checks=true',
          'flask_repo=https://github.com/o/app.git',
          `flask_ref=${sha}`,
          'region=us-east-1',
        ].join('\n'),
      });
      expect(text.exitCode, text.log).toBe(0);
      expect(text.outputs.skipped).toBe('false');
      const json = await bake({
        variables: `ec2_endpoint=${moto.endpoint}\nskip_aws_checks=true`,
        'variables-json': JSON.stringify({
          flask_repo: 'https://github.com/o/app.git',
          flask_ref: sha,
          region: 'us-east-1',
        }),
      });
      expect(json.exitCode, json.log).toBe(0);
      expect(json.outputs).toMatchObject({
        skipped: 'true',
        fingerprint: text.outputs.fingerprint,
        'ami-id': text.outputs['ami-id'],
      });
    });
  },
);
