// @needs-tools moto_server shellcheck
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  UpdateStackCommand,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeAmi, runBundledAction, startMoto, toolPath, type Moto } from '@img-mgr/testbed';
import { cfnDir, root, runTool } from './helpers.js';
import { motoQuery, xmlValues } from './moto-query.js';

const goldenAmiParameter = '/common/img-mgr/golden-ami';
const vpcStack = 'img-mgr-vpc-dev';
const appStack = 'img-mgr-dev';

interface TrustPolicy {
  Statement: {
    Action: string;
    Condition: Record<string, Record<string, unknown>> & {
      StringEquals: Record<string, unknown>;
      StringLike: Record<string, unknown>;
    };
  }[];
}

/** A parameter file of cloudformation/parameters as CloudFormation parameters. */
function parameterFile(name: string, overrides: Record<string, string> = {}): Parameter[] {
  const map = {
    ...(JSON.parse(readFileSync(join(cfnDir, 'parameters', name), 'utf8')) as Record<string, string>),
    ...overrides,
  };
  return Object.entries(map).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/** Runs shellcheck on a script given as text. */
async function expectShellcheckClean(script: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-userdata-'));
  try {
    writeFileSync(join(dir, 'user-data.sh'), script);
    const run = await runTool(toolPath('shellcheck'), [join(dir, 'user-data.sh')]);
    expect(run.stdout + run.stderr, script).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the part of `userData` that adds the AMI id to the revision file, on a
 * copy of `revisionFile`, with a `curl` that answers as IMDSv2 does (a token,
 * then `amiId` only for that token). Resolves with the file afterwards.
 */
async function stampRevisionFile(userData: string, revisionFile: string, amiId: string): Promise<string> {
  const block = /^revision_file=\/opt\/img-mgr\/app\/static\/img-mgr\.json\n[\s\S]*?^fi\n/m.exec(userData)?.[0];
  expect(block, 'the user data block that writes the AMI id').toBeDefined();
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-stamp-'));
  try {
    const file = join(dir, 'img-mgr.json');
    writeFileSync(file, revisionFile);
    writeFileSync(
      join(dir, 'curl'),
      '#!/bin/sh\ncase "$*" in\n  *"-X PUT"*api/token*) echo tok-1 ;;\n' +
        `  *"X-aws-ec2-metadata-token: tok-1"*meta-data/ami-id*) echo ${amiId} ;;\n  *) exit 22 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const script = `set -euo pipefail\n${(block ?? '').replace('/opt/img-mgr/app/static/img-mgr.json', file)}`;
    const run = await runTool('bash', ['-c', script], { env: { PATH: `${dir}:${process.env.PATH ?? ''}` } });
    expect(run.code, run.stderr).toBe(0);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True once the deploy-stack bundle does more than the foundation's skeleton. */
function deployStackBundleIsReal(): boolean {
  const dist = join(root, 'actions/deploy-stack/dist');
  return readdirSync(dist)
    .filter((name) => name.endsWith('.js'))
    .some((name) => readFileSync(join(dist, name), 'utf8').includes('CreateChangeSet'));
}

describe('CloudFormation stacks on moto', () => {
  let moto: Moto;
  let cfn: CloudFormationClient;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
    cfn = new CloudFormationClient(moto.clientConfig);
    ec2 = new EC2Client(moto.clientConfig);
    ssm = new SSMClient(moto.clientConfig);
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  });
  afterAll(async () => {
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
  });

  /** Bakes a stand-in golden AMI in moto (testbed's: an instance of AL2023, imaged). */
  async function bakeAmi(name: string): Promise<string> {
    return (await makeAmi(ec2, name)).amiId;
  }

  async function publishAmi(amiId: string): Promise<void> {
    await ssm.send(
      new PutParameterCommand({
        Name: goldenAmiParameter,
        Value: amiId,
        Type: 'String',
        DataType: 'aws:ec2:image',
        Overwrite: true,
      }),
    );
  }

  async function waitForStack(name: string): Promise<Stack> {
    for (let attempt = 0; attempt < 150; attempt++) {
      const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`stack ${name} did not settle`);
  }

  async function createStack(name: string, template: string, parameters: Parameter[]): Promise<Stack> {
    await cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: readFileSync(join(cfnDir, template), 'utf8'),
        Parameters: parameters,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      }),
    );
    return waitForStack(name);
  }

  async function physicalIds(stackName: string): Promise<Record<string, string>> {
    const resources =
      (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    return Object.fromEntries(
      resources.filter((r) => r.LogicalResourceId).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
    );
  }

  function outputsOf(stack: Stack): Record<string, string> {
    return Object.fromEntries(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  }

  /** Checks what vpc.yaml made: 2 public + 2 private subnets in 2 AZs, IGW, routes, exports. */
  async function expectNetwork(
    stackName: string,
    natGateways: 'single' | 'one-per-az',
    checkExports = true,
  ): Promise<void> {
    const ids = await physicalIds(stackName);
    const vpcId = ids.Vpc ?? '';
    const subnets =
      (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? [];
    expect(subnets).toHaveLength(4);
    const publicIds = [ids.PublicSubnet1, ids.PublicSubnet2];
    const privateIds = [ids.PrivateSubnet1, ids.PrivateSubnet2];
    const azOf = (id: string | undefined) => subnets.find((subnet) => subnet.SubnetId === id)?.AvailabilityZone;
    expect(new Set(publicIds.map(azOf)).size).toBe(2);
    expect(new Set(privateIds.map(azOf)).size).toBe(2);

    const igws =
      (
        await ec2.send(
          new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
        )
      ).InternetGateways ?? [];
    expect(igws).toHaveLength(1);

    // moto does not list the subnet associations CloudFormation makes, so the
    // routes are checked per route table and the associations as resources.
    const routeTables =
      (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
        .RouteTables ?? [];
    const defaultRoute = (tableId: string | undefined) =>
      routeTables
        .find((table) => table.RouteTableId === tableId)
        ?.Routes?.find((route) => route.DestinationCidrBlock === '0.0.0.0/0');
    expect(defaultRoute(ids.PublicRouteTable)?.GatewayId).toBe(igws[0]?.InternetGatewayId);
    const nat1 = defaultRoute(ids.PrivateRouteTable1)?.NatGatewayId;
    const nat2 = defaultRoute(ids.PrivateRouteTable2)?.NatGatewayId;
    expect(nat1).toBe(ids.NatGateway1);
    expect(nat2).toBe(natGateways === 'single' ? ids.NatGateway1 : ids.NatGateway2);
    expect(nat2).toMatch(/^nat-/);
    for (const association of ['Public', 'Private'].flatMap((kind) =>
      [1, 2].map((n) => `${kind}Subnet${n}RouteTableAssociation`),
    )) {
      expect(ids[association], association).toBeTruthy();
    }

    if (!checkExports) return;
    const exports = Object.fromEntries(
      ((await cfn.send(new ListExportsCommand({}))).Exports ?? []).map((e) => [e.Name ?? '', e.Value ?? '']),
    );
    expect(exports[`${stackName}-VpcId`]).toBe(vpcId);
    expect(exports[`${stackName}-PublicSubnets`]).toBe(publicIds.join(','));
    expect(exports[`${stackName}-PrivateSubnets`]).toBe(privateIds.join(','));
  }

  /** Checks what img-mgr.yaml made, and that it runs `amiId`. */
  async function expectApp(stackName: string, networkStack: string, amiId: string): Promise<void> {
    const ids = await physicalIds(stackName);
    const network = await physicalIds(networkStack);

    // The launch template runs the resolved AMI with IMDSv2 only, and its user
    // data writes the env file (with this stack's bucket) and signals.
    const [version] =
      (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ids.LaunchTemplate })))
        .LaunchTemplateVersions ?? [];
    const data = version?.LaunchTemplateData;
    expect(data?.ImageId).toBe(amiId);
    expect(data?.MetadataOptions?.HttpTokens).toBe('required');
    const userData = Buffer.from(data?.UserData ?? '', 'base64').toString('utf8');
    expect(userData).toContain(`IMG_MGR_BUCKET=${ids.UploadsBucket}`);
    expect(userData).toContain('IMG_MGR_ENVIRONMENT=dev');
    expect(userData).toMatch(/cfn-signal --exit-code "\$status" --stack '[^']+' --resource AutoScalingGroup/);
    // Success is signalled only when the baked health check (page + bucket probe) passes.
    expect(userData).toMatch(
      new RegExp(
        String.raw`^status=0\nif ! systemctl restart img-mgr\.service nginx\.service \|\| ` +
          String.raw`! \/opt\/img-mgr\/bin\/health-check\.sh; then\n {2}status=1\nfi\n\/opt\/aws\/bin\/cfn-signal `,
        'm',
      ),
    );
    expect(userData).toContain('AWS_CONFIG_FILE=/etc/img-mgr/aws-config');
    expect(userData).toContain(
      "cat >/etc/img-mgr/aws-config <<'EOF'\n[default]\ns3 =\n  signature_version = s3v4\nEOF\n",
    );
    await expectShellcheckClean(userData);
    // Before the app starts, the revision file the bake wrote gets the AMI id IMDSv2 names.
    expect(
      JSON.parse(await stampRevisionFile(userData, '{"appRevision": "abc", "fingerprint": "f"}\n', amiId)),
    ).toEqual({ appRevision: 'abc', fingerprint: 'f', amiId });

    // The bucket exists.
    await expect(s3.send(new HeadBucketCommand({ Bucket: ids.UploadsBucket }))).resolves.toBeDefined();

    // Instances accept HTTP only from the load balancer's security group.
    const groups =
      (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.InstanceSecurityGroup ?? ''] })))
        .SecurityGroups ?? [];
    const ingress = groups[0]?.IpPermissions ?? [];
    expect(ingress).toHaveLength(1);
    expect(ingress[0]?.FromPort).toBe(80);
    expect(ingress[0]?.IpRanges ?? []).toEqual([]);
    expect(ingress[0]?.UserIdGroupPairs?.map((pair) => pair.GroupId)).toEqual([ids.LoadBalancerSecurityGroup]);

    // The ASG runs two instances of the AMI in the private subnets, behind the target group.
    const asgXml = await motoQuery(moto.endpoint, moto.region, 'autoscaling', 'DescribeAutoScalingGroups', {
      'AutoScalingGroupNames.member.1': ids.AutoScalingGroup ?? '',
    });
    expect(xmlValues(asgXml, 'DesiredCapacity')).toEqual(['2']);
    expect(xmlValues(asgXml, 'HealthCheckType')).toEqual(['ELB']);
    expect(asgXml).toContain(`<member>${ids.TargetGroup}</member>`);
    expect(xmlValues(asgXml, 'VPCZoneIdentifier')[0]?.split(',').sort()).toEqual(
      [network.PrivateSubnet1, network.PrivateSubnet2].sort(),
    );
    const instances = (
      (
        await ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: [ids.AutoScalingGroup ?? ''] }],
          }),
        )
      ).Reservations ?? []
    ).flatMap((reservation) => reservation.Instances ?? []);
    expect(instances).toHaveLength(2);
    for (const instance of instances) expect(instance.ImageId).toBe(amiId);

    // The target group checks the app's page; the listener forwards :80 to it.
    const tgXml = await motoQuery(moto.endpoint, moto.region, 'elasticloadbalancing', 'DescribeTargetGroups', {
      'TargetGroupArns.member.1': ids.TargetGroup ?? '',
    });
    expect(xmlValues(tgXml, 'HealthCheckPath')).toEqual(['/']);
    expect(xmlValues(tgXml, 'HttpCode')).toEqual(['200']);
    const listenerXml = await motoQuery(moto.endpoint, moto.region, 'elasticloadbalancing', 'DescribeListeners', {
      LoadBalancerArn: ids.LoadBalancer ?? '',
    });
    expect(xmlValues(listenerXml, 'Port')).toEqual(['80']);
    expect(xmlValues(listenerXml, 'TargetGroupArn')).toContain(ids.TargetGroup);
  }

  it('deploys vpc.yaml and img-mgr.yaml with CreateStack; the app takes its AMI from the SSM parameter', async () => {
    const amiId = await bakeAmi('img-mgr-golden-1');
    await publishAmi(amiId);

    const vpc = await createStack(vpcStack, 'vpc.yaml', parameterFile('vpc-dev-us-west-2.json'));
    expect(vpc.StackStatus).toBe('CREATE_COMPLETE');
    await expectNetwork(vpcStack, 'single');

    const app = await createStack(
      appStack,
      'img-mgr.yaml',
      parameterFile('dev-us-west-2.json', { NetworkStackName: vpcStack }),
    );
    expect(app.StackStatus).toBe('CREATE_COMPLETE');
    const imageParameter = app.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageId');
    expect(imageParameter?.ResolvedValue ?? imageParameter?.ParameterValue).toBe(amiId);
    const outputs = outputsOf(app);
    expect(outputs.ImageId).toBe(amiId);
    expect(outputs.Url).toMatch(/^http:\/\/.+\/$/);
    expect(outputs.AutoScalingGroupName).toBe((await physicalIds(appStack)).AutoScalingGroup);
    expect(outputs.BucketName).toBe((await physicalIds(appStack)).UploadsBucket);
    await expectApp(appStack, vpcStack, amiId);
  });

  it(
    'with one NAT gateway per AZ, picks up a newly published ' +
      'AMI on update; ImageIdOverride wins over the parameter',
    async () => {
      const first = await bakeAmi('img-mgr-golden-1');
      await publishAmi(first);
      await createStack(vpcStack, 'vpc.yaml', parameterFile('vpc-dev-us-west-2.json', { NatGateways: 'one-per-az' }));
      await expectNetwork(vpcStack, 'one-per-az');
      await createStack(appStack, 'img-mgr.yaml', parameterFile('dev-us-west-2.json', { NetworkStackName: vpcStack }));

      const second = await bakeAmi('img-mgr-golden-2');
      await publishAmi(second);
      await cfn.send(
        new UpdateStackCommand({
          StackName: appStack,
          UsePreviousTemplate: true,
          Parameters: parameterFile('dev-us-west-2.json', { NetworkStackName: vpcStack }),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      );
      const updated = await waitForStack(appStack);
      expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
      expect(outputsOf(updated).ImageId).toBe(second);

      await cfn.send(
        new UpdateStackCommand({
          StackName: appStack,
          UsePreviousTemplate: true,
          Parameters: parameterFile('dev-us-west-2.json', { NetworkStackName: vpcStack, ImageIdOverride: first }),
          Capabilities: ['CAPABILITY_IAM'],
        }),
      );
      expect(outputsOf(await waitForStack(appStack)).ImageId).toBe(first);
    },
  );

  it('deploys github-bake-role.yaml: the bake role trusts one repository on the chosen branch, for STS', async () => {
    const stack = await createStack(
      'img-mgr-github-oidc',
      'github-bake-role.yaml',
      parameterFile('github-bake-role.json'),
    );
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputsOf(stack).BakeRoleArn).toMatch(/:role\/img-mgr-github-bake$/);
    const roleXml = await motoQuery(moto.endpoint, moto.region, 'iam', 'GetRole', { RoleName: 'img-mgr-github-bake' });
    const trust = JSON.parse(
      decodeURIComponent(xmlValues(roleXml, 'AssumeRolePolicyDocument')[0] ?? ''),
    ) as TrustPolicy;
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement?.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    // The unused second branch slot is AWS::NoValue, which
    // CloudFormation drops from the list (moto leaves them as null).
    const subjects = statement?.Condition.StringLike['token.actions.githubusercontent.com:sub'] as (string | null)[];
    expect(subjects.filter((subject) => subject !== null)).toEqual([
      'repo:your-user@1234567/flask-aws-storage@890123456:ref:refs/heads/master',
    ]);
  });

  it.skipIf(!deployStackBundleIsReal())(
    'deploys both stacks through the deploy-stack bundle; the app resolves its AMI from SSM',
    async () => {
      const amiId = await bakeAmi('img-mgr-golden-action');
      await publishAmi(amiId);
      const env = { ...moto.env, GITHUB_WORKSPACE: root };

      const vpc = await runBundledAction('deploy-stack', {
        inputs: {
          'stack-name': vpcStack,
          template: 'cloudformation/vpc.yaml',
          'parameter-overrides': 'cloudformation/parameters/vpc-dev-us-west-2.json',
          'wait-timeout': '2m',
        },
        env,
        cwd: root,
      });
      expect(vpc.exitCode, vpc.log).toBe(0);
      expect(vpc.outputs.status).toBe('CREATE_COMPLETE');
      // moto does not rebuild outputs, hence exports, after ExecuteChangeSet:
      // the app stack gets the network as parameters instead of imports.
      await expectNetwork(vpcStack, 'single', false);
      const network = await physicalIds(vpcStack);

      const app = await runBundledAction('deploy-stack', {
        inputs: {
          'stack-name': appStack,
          template: 'cloudformation/img-mgr.yaml',
          'parameter-overrides': [
            'cloudformation/parameters/dev-us-west-2.json',
            `VpcId=${network.Vpc}`,
            `PublicSubnetIds="${network.PublicSubnet1},${network.PublicSubnet2}"`,
            `PrivateSubnetIds="${network.PrivateSubnet1},${network.PrivateSubnet2}"`,
          ].join('\n'),
          'wait-timeout': '2m',
        },
        env,
        cwd: root,
      });
      expect(app.exitCode, app.log).toBe(0);
      expect(app.outputs.status).toBe('CREATE_COMPLETE');
      const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: appStack }))).Stacks ?? [];
      const imageParameter = stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ImageId');
      expect(imageParameter?.ResolvedValue ?? imageParameter?.ParameterValue).toBe(amiId);
      await expectApp(appStack, vpcStack, amiId);
    },
  );
});
