// @needs-tools moto_server
/** The bundled action against moto: what a workflow sees, read back through the SDK. */
import { CloudFormationClient, CreateStackCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHoldFunction, heldResourceTemplate, releaseHeld, startMoto, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TEMPLATE, APP_TEMPLATE_V2, cloudFormationState, deploy, describe as describeStack } from './helpers.js';

let moto: Moto;
let cfn: CloudFormationClient;
let ssm: SSMClient;
let serviceToken: string;

beforeAll(async () => {
  moto = await startMoto();
  cfn = new CloudFormationClient(moto.clientConfig);
  ssm = new SSMClient(moto.clientConfig);
  serviceToken = await createHoldFunction(moto);
});
afterAll(() => moto.stop());

const files = {
  'app.yaml': APP_TEMPLATE,
  'app-v2.yaml': APP_TEMPLATE_V2,
  'params.yaml': 'ImageId: ami-from-file\nEnvironment: staging\n',
};
const parameterValue = async (name: string): Promise<string | undefined> =>
  (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
const stackParameters = async (name: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    ((await describeStack(cfn, name))?.Parameters ?? []).map((parameter) => [
      parameter.ParameterKey ?? '',
      parameter.ParameterValue ?? '',
    ]),
  );

describe('deploy-stack against moto', () => {
  it('creates a stack through a change set, with tags, and reports it', async () => {
    const run = await deploy(
      moto,
      {
        'stack-name': 'create-me',
        template: 'app.yaml',
        'parameter-overrides': 'ImageId=ami-1',
        tags: 'team=platform, app="img mgr"',
      },
      { files },
    );
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const stack = await describeStack(cfn, 'create-me');
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'platform' },
        { Key: 'app', Value: 'img mgr' },
      ]),
    );
    expect(await stackParameters('create-me')).toEqual({ ImageId: 'ami-1', Environment: 'dev' });
    expect(await parameterValue('/test/create-me/ami')).toBe('ami-1');
    expect(run.outputs).toMatchObject({ 'stack-id': stack?.StackId, status: 'CREATE_COMPLETE', 'no-changes': 'false' });
    expect(run.outputs['change-set-name']).toMatch(
      new RegExp(`^deploy-r${run.runner.env.GITHUB_RUN_ID}-a1-[a-z0-9]+$`),
    );
    expect(run.outputs['change-set-id']).toMatch(/^arn:aws:cloudformation:us-east-1:\d+:changeSet\/deploy-r/);
    expect(run.log).toMatch(/CREATE_COMPLETE\s+AWS::CloudFormation::Stack\s+create-me/);
    expect(run.summary).toContain('<td>Add</td><td>GoldenAmi</td><td>AWS::SSM::Parameter</td>');
    expect(run.summary).toContain('**Status:** CREATE_COMPLETE');
    expect(run.log).toMatch(/Done: create-me is CREATE_COMPLETE; \d+ AWS API calls/);
  });

  // Tags on update are checked in the SDK-mock tests of packages/stack-deploy: moto drops the Tags of an
  // UPDATE change set.
  it('updates a stack (new resource) and leaves no change set behind', async () => {
    await deploy(
      moto,
      {
        'stack-name': 'update-me',
        template: 'app.yaml',
        'parameter-overrides': 'ImageId=ami-1\nEnvironment=prod',
        tags: 'team=platform',
      },
      { files },
    );
    const run = await deploy(
      moto,
      {
        'stack-name': 'update-me',
        template: 'app-v2.yaml',
        'parameter-overrides': 'ImageId=ami-2',
        tags: 'team=platform,tier=web',
      },
      { files },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('UPDATE_COMPLETE');
    expect(await parameterValue('/test/update-me/ami')).toBe('ami-2');
    expect(await parameterValue('/test/update-me/env')).toBe('prod'); // Environment kept its previous value
    expect(run.summary).toContain('<td>Add</td><td>EnvironmentName</td>');
    const changeSets = (await cfn.send(new ListChangeSetsCommand({ StackName: 'update-me' }))).Summaries ?? [];
    expect(changeSets.filter((changeSet) => changeSet.ExecutionStatus === 'AVAILABLE')).toEqual([]);
  });

  it('on a no-op update: no-changes=true and the outputs; a failure with fail-on-empty-changeset', async () => {
    // Created with CreateStack (timeout-in-minutes): moto builds no outputs after ExecuteChangeSet.
    await deploy(
      moto,
      { 'stack-name': 'no-op', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1', 'timeout-in-minutes': 5 },
      { files },
    );
    const before = await cloudFormationState(cfn);
    const run = await deploy(
      moto,
      { 'stack-name': 'no-op', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1' },
      { files },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs['no-changes']).toBe('true');
    expect(run.outputs.status).toBe('CREATE_COMPLETE');
    // The stack's outputs still, for the step after it (a smoke test reads the site's Url and bucket).
    expect(JSON.parse(run.outputs['outputs-json'] ?? '{}')).toEqual({ ImageId: 'ami-1' });
    expect(run.outputs.ImageId).toBe('ami-1');
    expect(run.log).toContain('No changes: ValidationError: No updates are to be performed.');
    const strict = await deploy(
      moto,
      {
        'stack-name': 'no-op',
        template: 'app.yaml',
        'parameter-overrides': 'ImageId=ami-1',
        'fail-on-empty-changeset': true,
      },
      { files },
    );
    expect(strict.exitCode).toBe(1);
    expect(strict.outputs['no-changes']).toBe('true');
    expect(strict.errors.at(-1)).toBe('Stack no-op has no changes to deploy and fail-on-empty-changeset is true');
    expect(await cloudFormationState(cfn)).toBe(before);
  });

  it('updates parameters only, keeping unset ones with UsePreviousValue (file and items merged)', async () => {
    await deploy(
      moto,
      { 'stack-name': 'params', template: 'app-v2.yaml', 'parameter-overrides': 'params.yaml' },
      { files },
    );
    expect(await stackParameters('params')).toEqual({ ImageId: 'ami-from-file', Environment: 'staging' });
    const run = await deploy(
      moto,
      { 'stack-name': 'params', template: 'app-v2.yaml', 'parameter-overrides': 'ImageId=ami-3' },
      { files },
    );
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain('Parameters keeping their previous value: Environment');
    expect(await stackParameters('params')).toEqual({ ImageId: 'ami-3', Environment: 'staging' });
    const merged = await deploy(
      moto,
      { 'stack-name': 'params', template: 'app-v2.yaml', 'parameter-overrides': 'params.yaml\nEnvironment=prod' },
      { files },
    );
    expect(merged.exitCode).toBe(0);
    expect(await stackParameters('params')).toEqual({ ImageId: 'ami-from-file', Environment: 'prod' });
  });

  it('plans without changing the stack, then executes the planned change set', async () => {
    await deploy(
      moto,
      { 'stack-name': 'planned', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1' },
      { files },
    );
    const plan = await deploy(moto, { 'stack-name': 'planned', template: 'app-v2.yaml', mode: 'plan' }, { files });
    expect(plan.exitCode).toBe(0);
    expect(plan.outputs['plan-markdown']).toContain('| Add | EnvironmentName | AWS::SSM::Parameter | - |');
    expect((await describeStack(cfn, 'planned'))?.StackStatus).toBe('CREATE_COMPLETE');
    const name = plan.outputs['change-set-name'] ?? '';
    const run = await deploy(moto, { 'stack-name': 'planned', mode: 'execute', 'change-set-name': name }, { files });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'UPDATE_COMPLETE', 'change-set-name': name });
    expect(await parameterValue('/test/planned/env')).toBe('dev');
  });

  it('waits for a stack held in CREATE_IN_PROGRESS, streaming its events, then updates it', async () => {
    const created = await cfn.send(
      new CreateStackCommand({ StackName: 'held', TemplateBody: heldResourceTemplate(serviceToken) }),
    );
    expect((await describeStack(cfn, 'held'))?.StackStatus).toBe('CREATE_IN_PROGRESS');
    let released: Promise<void> | undefined;
    const run = await deploy(
      moto,
      { 'stack-name': 'held', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-9' },
      {
        files,
        // Answer for the custom resource once the action says it is waiting: the release happens mid-run.
        cancel: {
          when: (log) => (
            (released ??= log.includes('Waiting for the running')
              ? releaseHeld(moto, created.StackId ?? '')
              : undefined),
            false
          ),
        },
      },
    );
    await released;
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(
      new RegExp(
        /Stack held is CREATE_IN_PROGRESS[\s\S]*Waiting for the running CREATE_IN_PROGRESS operation[\s\S]*/.source +
          /CREATE_COMPLETE\s+AWS::CloudFormation::Stack\s+held[\s\S]*Stack held is now CREATE_COMPLETE/.source,
      ),
    );
    expect(run.outputs.status).toBe('UPDATE_COMPLETE');
  });

  it('creates a stack with creation timeout and termination protection via CreateStack, streaming it', async () => {
    let released: Promise<void> | undefined;
    const run = await deploy(
      moto,
      { 'stack-name': 'held-create', template: 'held.json', 'timeout-in-minutes': 5, 'termination-protection': true },
      {
        files: { 'held.json': heldResourceTemplate(serviceToken) },
        cancel: {
          when: (log) => {
            released ??= /CREATE_IN_PROGRESS\s+AWS::CloudFormation::Stack\s+held-create/.test(log)
              ? describeStack(cfn, 'held-create').then((stack) => releaseHeld(moto, stack?.StackId ?? ''))
              : undefined;
            return false;
          },
        },
      },
    );
    await released;
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const stack = await describeStack(cfn, 'held-create');
    expect(stack).toMatchObject({
      StackStatus: 'CREATE_COMPLETE',
      EnableTerminationProtection: true,
      TimeoutInMinutes: 5,
    });
    expect(run.log).toContain('Creating the stack with CreateStack');
    expect(run.log).toMatch(
      new RegExp(
        /CREATE_IN_PROGRESS\s+AWS::CloudFormation::Stack\s+held-create\s+User Initiated[\s\S]*/.source +
          /CREATE_COMPLETE\s+AWS::CloudFormation::Stack\s+held-create/.source,
      ),
    );
    expect(run.summary).toContain('<td>Add</td><td>Hold</td><td>Custom::Hold</td>');
  });

  it('masks by meaning: NoEcho value and its outputs masked before any line; PrivateSubnets shown', async () => {
    const secret = 'Hunter2-NoEcho-Value';
    const template = APP_TEMPLATE.replace(
      'Parameters:\n',
      'Parameters:\n  DbPwd:\n    Type: String\n    NoEcho: true\n',
    ).replace(
      'Outputs:\n',
      "Outputs:\n  DbUrl:\n    Value: !Sub 'postgres://admin:${DbPwd}@db.example:5432/app'\n  PrivateSubnets:\n    Value: subnet-a,subnet-b\n  DbPassword:\n    Value: not-secret-by-name\n  Endpoint:\n    Value: !Sub 'https://${AWS::StackName}.example.com'\n",
    );
    const run = await deploy(
      moto,
      {
        'stack-name': 'with-outputs',
        template: 'outputs.yaml',
        'parameter-overrides': `ImageId=ami-7\nDbPwd=${secret}`,
        'timeout-in-minutes': 10,
      },
      { files: { 'outputs.yaml': template } },
    );
    expect(run.errors).toEqual([]);
    const dbUrl = `postgres://admin:${secret}@db.example:5432/app`;
    expect(run.outputs).toMatchObject({
      ImageId: 'ami-7',
      DbUrl: dbUrl,
      PrivateSubnets: 'subnet-a,subnet-b',
      DbPassword: 'not-secret-by-name',
    });
    // Both masks come before the first line that could carry the values (outputs-json is set after them).
    const lines = run.log.split('\n');
    const firstMask = lines.indexOf(`::add-mask::${secret}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(lines.findIndex((line) => !line.startsWith('::add-mask::') && line.includes(secret))).toBe(-1);
    expect(lines.slice(0, firstMask).some((line) => line.startsWith('Stack with-outputs'))).toBe(false);
    expect(lines).toContain(`::add-mask::${dbUrl}`);
    expect(run.log).toContain('DbUrl = *** (it carries a NoEcho parameter)');
    expect(run.log).toContain('PrivateSubnets = subnet-a,subnet-b');
    expect(run.log).toContain('DbPassword = not-secret-by-name');
    expect(run.summary).toContain('<td>DbUrl</td><td>*** (NoEcho)</td>');
    expect(run.summary).toContain('<td>PrivateSubnets</td><td>subnet-a,subnet-b</td>');
    expect(run.summary).not.toContain(secret);
  });

  it('treats a REVIEW_IN_PROGRESS stack (left by a plan) as not existing and creates it', async () => {
    const plan = await deploy(
      moto,
      { 'stack-name': 'reviewed', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1', mode: 'plan' },
      { files },
    );
    expect(plan.exitCode).toBe(0);
    expect((await describeStack(cfn, 'reviewed'))?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect(plan.outputs['plan-markdown']).toContain('### CloudFormation create plan for `reviewed`');
    const run = await deploy(
      moto,
      { 'stack-name': 'reviewed', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1' },
      { files },
    );
    expect(run.errors).toEqual([]);
    expect(run.log).toContain('Stack reviewed is REVIEW_IN_PROGRESS');
    expect(run.log).toMatch(/Change set deploy-r\S+ \(CREATE\)/);
    // The unexecuted stack is deleted first, so the name now holds the new stack alone.
    expect(run.log).toContain('deleting it to create it afresh');
    expect((await describeStack(cfn, 'reviewed'))?.StackId).toBe(run.outputs['stack-id']);
    expect((await describeStack(cfn, 'reviewed'))?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('exits within 5 s when cancelled during a held create, saying the create goes on', async () => {
    const run = await deploy(
      moto,
      { 'stack-name': 'cancel-create', template: 'held.json', 'timeout-in-minutes': 5 },
      {
        files: { 'held.json': heldResourceTemplate(serviceToken) },
        cancel: { when: (log) => /CREATE_IN_PROGRESS\s+AWS::CloudFormation::Stack\s+cancel-create/.test(log) },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.exitAfterCancelMs).toBeLessThan(5_000);
    expect(run.errors.at(-1)).toBe(
      'Cancelled while waiting for cancel-create: a stack creation cannot be cancelled; ' +
        'it goes on (delete the stack if it is not wanted)',
    );
    expect((await describeStack(cfn, 'cancel-create'))?.StackStatus).toBe('CREATE_IN_PROGRESS');
  });

  it('uploads a template over 51,200 bytes to template-bucket, and refuses it without one', async () => {
    const padding = `Description: ${'x'.repeat(52_000)}\n`;
    const large = { 'large.yaml': APP_TEMPLATE.replace('Description: img-mgr test stack\n', padding) };
    const before = await cloudFormationState(cfn);
    const refused = await deploy(
      moto,
      { 'stack-name': 'large', template: 'large.yaml', 'parameter-overrides': 'ImageId=ami-1' },
      { files: large },
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toEqual([
      expect.stringMatching(
        /^Input 'template' is \d+ bytes, over CloudFormation's inline limit of 51200; set template-bucket/,
      ),
    ]);
    expect(await cloudFormationState(cfn)).toBe(before);
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'templates-bucket' }));
    const run = await deploy(
      moto,
      {
        'stack-name': 'large',
        template: 'large.yaml',
        'parameter-overrides': 'ImageId=ami-1',
        'template-bucket': 'templates-bucket',
      },
      { files: large },
    );
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const key = /s3:\/\/templates-bucket\/(\S+)/.exec(run.log)?.[1] ?? '';
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: 'templates-bucket', Key: key }))).ContentLength,
    ).toBeGreaterThan(51_200);
    expect((await describeStack(cfn, 'large'))?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('deploys a template from an s3:// URL, checking its parameters with GetTemplateSummary', async () => {
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'url-templates' }));
    // moto's GetTemplateSummary answers 500 without AWSTemplateFormatVersion.
    const json = JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { ImageId: { Type: 'String' } },
      Resources: {
        GoldenAmi: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Name: '/test/from-url/ami', Type: 'String', Value: { Ref: 'ImageId' } },
        },
      },
    });
    await s3.send(new PutObjectCommand({ Bucket: 'url-templates', Key: 'stacks/app.json', Body: json }));
    const before = await cloudFormationState(cfn);
    const unknown = await deploy(moto, {
      'stack-name': 'from-url',
      template: 's3://url-templates/stacks/app.json',
      'parameter-overrides': 'ImageId=ami-5,Size=2',
    });
    expect(unknown.errors).toEqual([
      "Input 'parameter-overrides' sets a parameter the template does not declare at line 1, item 2 " +
        '(it declares ImageId; quote a value that holds a comma)',
    ]);
    expect(await cloudFormationState(cfn)).toBe(before);
    const run = await deploy(moto, {
      'stack-name': 'from-url',
      template: 's3://url-templates/stacks/app.json',
      'parameter-overrides': 'ImageId=ami-5',
    });
    expect(run.errors).toEqual([]);
    expect(run.log).toMatch(/AWS API calls: .*GetTemplateSummary=1/);
    expect(await parameterValue('/test/from-url/ami')).toBe('ami-5');
  });

  describe('bad inputs fail with one line naming the input and change nothing', () => {
    beforeAll(async () => {
      const created = await deploy(
        moto,
        { 'stack-name': 'bad-inputs', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1' },
        { files },
      );
      expect(created.exitCode).toBe(0);
    });

    it.each([
      [
        'a missing template file',
        { template: 'nope.yaml' },
        "Input 'template' names the file 'nope.yaml', which does not exist",
      ],
      [
        'malformed overrides',
        { 'parameter-overrides': 'ImageId' },
        "Input 'parameter-overrides' has line 1 that is not KEY=VALUE",
      ],
      [
        'a missing parameter file',
        { 'parameter-overrides': 'missing.yaml' },
        "Input 'parameter-overrides' names the file 'missing.yaml', which does not exist",
      ],
      [
        'an unknown parameter',
        { 'parameter-overrides': 'ImageId=ami-1,InstanceTyp=t3.large' },
        "Input 'parameter-overrides' sets a parameter the template does not declare at line 1, item 2 " +
          '(it declares ImageId, Environment; quote a value that holds a comma)',
      ],
      // 'team=platform,oops' is one tag in the kernel's KEY=VALUE grammar (a piece without '=' continues the value).
      ['a bad tag', { tags: 'team=platform,=oops' }, "Input 'tags' has line 1, item 2 that is not KEY=VALUE"],
      [
        'a reserved tag',
        { tags: 'aws:team=x' },
        "Input 'tags' has the tag key 'aws:team'; keys starting with 'aws:' are reserved",
      ],
      [
        'an invalid stack name',
        { 'stack-name': 'my_stack' },
        "Input 'stack-name' has an invalid value 'my_stack': " +
          'a stack name starts with a letter and has only letters, digits and hyphens (at most 128)',
      ],
      [
        'an unknown capability',
        { capabilities: 'CAPABILITY_IAM,CAPABILITY_ROOT' },
        "Input 'capabilities' has 'CAPABILITY_ROOT'; use CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND",
      ],
      [
        'a change set that does not exist',
        { mode: 'execute', 'change-set-name': 'deploy-nope' },
        "Input 'change-set-name' names 'deploy-nope', which does not exist for stack bad-inputs",
      ],
      [
        'a bad wait-timeout',
        { 'wait-timeout': 'soon' },
        "Input 'wait-timeout' must be a positive duration such as 600, 90s, 15m or 1h; got 'soon'",
      ],
    ])('%s', async (_what, inputs, message) => {
      const before = await cloudFormationState(cfn);
      const run = await deploy(
        moto,
        { 'stack-name': 'bad-inputs', template: 'app-v2.yaml', 'parameter-overrides': 'ImageId=ami-2', ...inputs },
        { files },
      );
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([message]);
      expect(run.log).not.toMatch(/\n\s+at /); // no stack trace
      expect(await cloudFormationState(cfn)).toBe(before);
    });
  });
});
