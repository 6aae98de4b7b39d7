/** Shared fixtures for the deploy-stack action tests: templates, a runner with files (the held stack is testbed's). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListChangeSetsCommand,
  ListStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { createRunnerEnv, runBundledAction, type ActionRun, type Moto, type RunActionOptions } from '@img-mgr/testbed';

/** The app stack in miniature: resources moto really creates, a parameter with and one without a default. */
export const APP_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: img-mgr test stack
Parameters:
  ImageId:
    Type: String
  Environment:
    Type: String
    Default: dev
Resources:
  GoldenAmi:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/test/\${AWS::StackName}/ami'
      Type: String
      Value: !Ref ImageId
Outputs:
  ImageId:
    Value: !Ref ImageId
`;

/** APP_TEMPLATE plus one more resource: a real update. */
export const APP_TEMPLATE_V2 = APP_TEMPLATE.replace(
  'Outputs:',
  `  EnvironmentName:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/test/\${AWS::StackName}/env'
      Type: String
      Value: !Ref Environment
Outputs:`,
);

/** The stack, or undefined when it does not exist. */
export async function describe(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

/** Everything moto holds for CloudFormation, to prove a failed run changed nothing. */
export async function cloudFormationState(cfn: CloudFormationClient): Promise<string> {
  const stacks = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
  const changeSets = await Promise.all(
    stacks
      .filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE')
      .map(async (stack) => (await cfn.send(new ListChangeSetsCommand({ StackName: stack.StackId }))).Summaries ?? []),
  );
  return JSON.stringify({
    stacks: stacks.map((stack) => [stack.StackName, stack.StackStatus, stack.LastUpdatedTime?.toISOString()]),
    changeSets: changeSets.flat().map((changeSet) => [changeSet.ChangeSetName, changeSet.ExecutionStatus]),
  });
}

/** Runs the bundled action with files written into its workspace first. */
export function deploy(
  moto: Moto,
  inputs: Record<string, string | number | boolean>,
  options: { files?: Record<string, string> } & Omit<RunActionOptions, 'inputs' | 'env'> = {},
): Promise<ActionRun> {
  const runner = options.runner ?? createRunnerEnv(`${Date.now()}${Math.floor(Math.random() * 1000)}`);
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(runner.dir, name), text);
  return runBundledAction('deploy-stack', { timeoutMs: 60_000, ...options, runner, inputs, env: moto.env });
}
