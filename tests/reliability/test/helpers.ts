/** Shared pieces of the reliability suite: clients, fixtures, the CLI runner and state checks. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  type ChangeSetSummary,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { pathWithTools, repoRoot, type Moto } from '@img-mgr/testbed';

export interface Clients {
  ssm: SSMClient;
  cfn: CloudFormationClient;
  ec2: EC2Client;
}

/** SDK clients that talk to moto directly (never through a fault proxy). */
export function clientsFor(moto: Moto, region = moto.region): Clients {
  const config = { ...moto.clientConfig, region };
  return { ssm: new SSMClient(config), cfn: new CloudFormationClient(config), ec2: new EC2Client(config) };
}

/** The bake-ami tests' Packer 1.6.6 template for moto (communicator none; `pause_seconds` holds the build). */
export const BAKE_TEMPLATE = join(repoRoot(), 'actions', 'bake-ami', 'test', 'fixtures', 'packer');

/** bake-ami inputs for BAKE_TEMPLATE with Packer's EC2 calls sent to `ec2Endpoint`. */
export function bakeInputs(
  ec2Endpoint: string,
  variables: string[] = [],
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    template: BAKE_TEMPLATE,
    'var-files': join(BAKE_TEMPLATE, 'test.pkrvars.hcl'),
    init: 'false',
    ...extra,
    variables: [`ec2_endpoint=${ec2Endpoint}`, ...variables].join('\n'),
  };
}

/** A small app template: a parameter without a default feeds an SSM parameter; V2 adds a second resource. */
export const APP_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: reliability app stack
Parameters:
  ImageId:
    Type: String
Resources:
  GoldenAmi:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/reliability/\${AWS::StackName}/ami'
      Type: String
      Value: !Ref ImageId
`;
export const APP_TEMPLATE_V2 = `${APP_TEMPLATE}  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/reliability/\${AWS::StackName}/v2'
      Type: String
      Value: v2
`;

/**
 * Lines in which our clients announce a retry
 * ("Retrying SSM.PutParameter (attempt 2 of 6) after Throttling 400; backed off 120 ms").
 */
export function retryLines(log: string): string[] {
  return log.split('\n').filter((line) => /Retrying \S+ \(attempt \d+ of \d+\) (in \d+ ms )?after/.test(line));
}

/** Every version of a parameter, oldest first (empty when it does not exist). */
export async function parameterHistory(
  ssm: SSMClient,
  name: string,
): Promise<{ version: number; value: string; labels: string[] }[]> {
  try {
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50 }));
    return (page.Parameters ?? []).map((entry) => ({
      version: entry.Version ?? 0,
      value: entry.Value ?? '',
      labels: [...(entry.Labels ?? [])].sort(),
    }));
  } catch (error: unknown) {
    if ((error as { name?: string }).name === 'ParameterNotFound') return [];
    throw error;
  }
}

/** The stack's status, or undefined when it does not exist. */
export async function stackStatus(cfn: CloudFormationClient, name: string): Promise<string | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus;
  } catch (error: unknown) {
    if (/does not exist/.test(String((error as { message?: string }).message))) return undefined;
    throw error;
  }
}

/** The template body CloudFormation holds for the stack. */
export async function stackTemplate(cfn: CloudFormationClient, name: string): Promise<string> {
  return (await cfn.send(new GetTemplateCommand({ StackName: name }))).TemplateBody ?? '';
}

/** Change sets of the stack that were created but never executed: what a clean run must not leave. */
export async function unexecutedChangeSets(cfn: CloudFormationClient, stack: string): Promise<ChangeSetSummary[]> {
  const summaries = (await cfn.send(new ListChangeSetsCommand({ StackName: stack }))).Summaries ?? [];
  return summaries.filter((summary) => summary.ExecutionStatus !== 'EXECUTE_COMPLETE');
}

/** What a Packer run may leave: instances not terminated, temporary key pairs and security groups. */
export async function packerLeftovers(
  ec2: EC2Client,
): Promise<{ running: string[]; keyPairs: string[]; securityGroups: string[] }> {
  const reservations =
    (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['run-id'] }] })))
      .Reservations ?? [];
  const running = reservations
    .flatMap((reservation) => reservation.Instances ?? [])
    .filter((instance) => instance.State?.Name !== 'terminated')
    .map((instance) => instance.InstanceId ?? '');
  const keyPairs = ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? [])
    .map((pair) => pair.KeyName ?? '')
    .filter((name) => name.startsWith('packer'));
  const securityGroups = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
    .map((group) => group.GroupName ?? '')
    .filter((name) => name.startsWith('packer'));
  return { running, keyPairs, securityGroups };
}

/** The pipeline CLI as `npm run pipeline` runs it. */
export const CLI = join(repoRoot(), 'packages', 'pipeline', 'lib', 'cli.js');

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs `node cli.js ...args` with CI set (plain progress) and the test tools on PATH. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('AWS_')) env[key] = value;
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...env, PATH: pathWithTools(env.PATH), CI: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      resolve({ exitCode, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}
