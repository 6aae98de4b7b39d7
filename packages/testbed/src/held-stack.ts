/**
 * moto holds a CreateStack in CREATE_IN_PROGRESS while a `Custom::` resource
 * backed by a Lambda function waits for its answer; the test answers with
 * `releaseHeld`. That is the one way to keep a stack operation in progress
 * on moto (updates and change sets complete at once).
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Moto } from './moto.js';

/** Creates the Lambda function a held custom resource points at (once per moto); returns its ARN. */
export async function createHoldFunction(moto: Moto, name = 'hold'): Promise<string> {
  const cfn = new CloudFormationClient(moto.clientConfig);
  const template = {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: `${name}-role`,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: name,
          Runtime: 'python3.12',
          Handler: 'index.handler',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Code: { ZipFile: 'def handler(e, c): pass' },
        },
      },
    },
    Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
  };
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: `${name}-function`,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: `${name}-function` }))).Stacks?.[0];
    const arn = stack?.Outputs?.find((output) => output.OutputKey === 'Arn')?.OutputValue;
    if (!arn) throw new Error(`testbed: the ${name}-function stack has no Arn output`);
    return arn;
  } finally {
    cfn.destroy();
  }
}

/** A template whose `Hold` resource keeps its stack's creation in progress until released. */
export function heldResourceTemplate(serviceToken: string, extraResources: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Resources: { ...extraResources, Hold: { Type: 'Custom::Hold', Properties: { ServiceToken: serviceToken } } },
  });
}

/** Answers SUCCESS for a held custom resource, as its Lambda function would. */
export async function releaseHeld(moto: Moto, stackId: string, logicalId = 'Hold'): Promise<void> {
  const response = await fetch(
    `${moto.endpoint}/cloudformation_${moto.region}/cfnresponse?stack=${encodeURIComponent(stackId)}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Status: 'SUCCESS', StackId: stackId, LogicalResourceId: logicalId, Data: {} }),
    },
  );
  if (!response.ok) throw new Error(`testbed: cfnresponse answered ${response.status}`);
}
