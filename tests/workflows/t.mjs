import { createNetworkStack, createAppStack, createForkWorkspace } from './lib/index.js';
import { CloudFormationClient, CreateChangeSetCommand, ExecuteChangeSetCommand, UpdateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
const config = { region: 'us-east-1', endpoint: 'http://127.0.0.1:5078', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const root = '/work/wt/workflows';
const fork = createForkWorkspace({ root });
const mode = process.argv[2];
try {
  await createNetworkStack(root, 'img-mgr-vpc-dev', config);
  const s = await createAppStack(root, fork.dir, 'img-mgr-dev', config);
  console.log('created', s.StackStatus);
  await new SSMClient(config).send(new PutParameterCommand({ Name: '/common/img-mgr/golden-ami', Value: 'ami-12345678', Type: 'String' }));
  const params = { ...JSON.parse(readFileSync(fork.dir + '/deploy/dev.json', 'utf8')), ImageId: '/common/img-mgr/golden-ami', ImageIdOverride: 'ami-12345678' };
  const P = Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
  const cfn = new CloudFormationClient(config);
  const TemplateBody = readFileSync(root + '/cloudformation/img-mgr.yaml', 'utf8');
  if (mode === 'update') await cfn.send(new UpdateStackCommand({ StackName: 'img-mgr-dev', TemplateBody, Parameters: P, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
  else { const cs = await cfn.send(new CreateChangeSetCommand({ StackName: 'img-mgr-dev', ChangeSetName: 'c', ChangeSetType: 'UPDATE', TemplateBody, Parameters: P, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] })); await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: cs.Id })); }
  console.log('RESULT ok', (await cfn.send(new DescribeStacksCommand({ StackName: 'img-mgr-dev' }))).Stacks[0].StackStatus);
} catch (e) { console.log('RESULT ERR', e.name, e.message); } finally { fork.cleanup(); }
