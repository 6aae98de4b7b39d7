// Benchmarks of the deploy-stack action against moto. Prints numbers; asserts nothing.
//   node bench/deploy-stack/bench.mjs        (turbo: npm run bench, from actions/deploy-stack)
// 1. wall time of a no-op deploy, 2. time from the held custom resource's release
// (the stack reaching CREATE_COMPLETE) to the event line and to the action's exit,
// 3. AWS API calls per deploy, 4. bundle size and load time.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createRunnerEnv, repoRoot, runBundledAction, startMoto } from '@img-mgr/testbed';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TEMPLATE = `Parameters:
  ImageId:
    Type: String
Resources:
  GoldenAmi:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Ref ImageId
`;

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median} ms (min ${sorted[0]}, max ${sorted.at(-1)}, n=${sorted.length})`;
};
const apiCalls = (log) => /AWS API calls: (.*)/.exec(log)?.[1] ?? '?';
const totalCalls = (log) => /; (\d+) AWS API calls/.exec(log)?.[1] ?? '?';

function deploy(moto, inputs, files = {}, options = {}) {
  const runner = createRunnerEnv(`${Date.now()}${Math.floor(Math.random() * 1000)}`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(runner.dir, name), text);
  return runBundledAction('deploy-stack', { timeoutMs: 60_000, ...options, runner, inputs, env: moto.env });
}

const moto = await startMoto();
const cfn = new CloudFormationClient(moto.clientConfig);
try {
  // 3 + 1: calls of a create, an update and a no-op; then the no-op wall time.
  const files = { 'app.yaml': TEMPLATE };
  const create = await deploy(
    moto,
    { 'stack-name': 'bench', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-1' },
    files,
  );
  const update = await deploy(
    moto,
    { 'stack-name': 'bench', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-2' },
    files,
  );
  const noOps = [];
  let noOpLog = '';
  for (let i = 0; i < RUNS; i++) {
    const run = await deploy(
      moto,
      { 'stack-name': 'bench', template: 'app.yaml', 'parameter-overrides': 'ImageId=ami-2' },
      files,
    );
    if (run.exitCode !== 0 || run.outputs['no-changes'] !== 'true') throw new Error(`no-op deploy failed:\n${run.log}`);
    noOps.push(run.durationMs);
    noOpLog = run.log;
  }
  console.log(`no-op deploy wall time (bundled action, moto): ${stats(noOps)}`);
  console.log(`API calls, create via change set: ${totalCalls(create.log)} (${apiCalls(create.log)})`);
  console.log(`API calls, update via change set: ${totalCalls(update.log)} (${apiCalls(update.log)})`);
  console.log(`API calls, no-op update:          ${totalCalls(noOpLog)} (${apiCalls(noOpLog)})`);

  // 2: the held custom resource. A Lambda function must exist for moto to accept its ServiceToken.
  await cfn.send(
    new CreateStackCommand({
      StackName: 'hold-function',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      TemplateBody: JSON.stringify({
        Resources: {
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: 'hold-role',
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
                ],
              },
            },
          },
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              FunctionName: 'hold',
              Runtime: 'python3.12',
              Handler: 'index.handler',
              Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
              Code: { ZipFile: 'def handler(e, c): pass' },
            },
          },
        },
        Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
      }),
    }),
  );
  const token = (await cfn.send(new DescribeStacksCommand({ StackName: 'hold-function' }))).Stacks[0].Outputs[0]
    .OutputValue;
  const held = JSON.stringify({ Resources: { Hold: { Type: 'Custom::Hold', Properties: { ServiceToken: token } } } });
  const toEvent = [];
  const toExit = [];
  let heldCalls = '';
  for (let i = 0; i < RUNS; i++) {
    const name = `held-${i}`;
    let releasedAt;
    let eventAt;
    /** @type {Promise<void> | undefined} */
    let releasing;
    const holdMs = 3_000; // let the action settle into its slowest polling interval first
    const run = await deploy(
      moto,
      { 'stack-name': name, template: 'held.json', 'timeout-in-minutes': 5 },
      { 'held.json': held },
      {
        cancel: {
          when: (log) => {
            if (!releasing && new RegExp(`CREATE_IN_PROGRESS\\s+AWS::CloudFormation::Stack\\s+${name}`).test(log)) {
              releasing = new Promise((resolve) => setTimeout(resolve, holdMs)).then(async () => {
                const stackId = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks[0].StackId;
                const response = await fetch(
                  `${moto.endpoint}/cloudformation_${moto.region}/cfnresponse?stack=${encodeURIComponent(stackId)}`,
                  {
                    method: 'POST',
                    headers: { 'content-type': 'application/json' },
                    body: JSON.stringify({ Status: 'SUCCESS', StackId: stackId, LogicalResourceId: 'Hold', Data: {} }),
                  },
                );
                if (!response.ok) throw new Error(`releasing the held resource answered ${response.status}`);
                releasedAt = Date.now();
              });
              // Awaited after the deploy; until then a failure must not become an unhandled rejection.
              releasing.catch(() => undefined);
            }
            if (
              eventAt === undefined &&
              new RegExp(`CREATE_COMPLETE\\s+AWS::CloudFormation::Stack\\s+${name}`).test(log)
            )
              eventAt = Date.now();
            return false;
          },
        },
      },
    );
    await releasing;
    const exitAt = Date.now();
    if (run.exitCode !== 0 || releasedAt === undefined) throw new Error(`held deploy failed:\n${run.log}`);
    toEvent.push(eventAt - releasedAt);
    toExit.push(exitAt - releasedAt);
    heldCalls = `${totalCalls(run.log)} (${apiCalls(run.log)})`;
  }
  console.log(`held create: final state -> CREATE_COMPLETE event line in the log: ${stats(toEvent)}`);
  console.log(`held create: final state -> action exit: ${stats(toExit)}`);
  console.log(`API calls, held create waiting ~3 s: ${heldCalls}`);

  // 4: bundle size and load time.
  const dist = join(repoRoot(), 'actions', 'deploy-stack', 'dist');
  const files4 = readdirSync(dist).filter((file) => file.endsWith('.js'));
  const sizes = files4.map((file) => [file, statSync(join(dist, file)).size]);
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  console.log(
    `bundle: ${(total / 1024).toFixed(0)} KiB in ${files4.length} files ` +
      `(${sizes.map(([file, size]) => `${file} ${(size / 1024).toFixed(0)} KiB`).join(', ')})`,
  );
  const bad = [];
  const full = [];
  const large = { 'large.yaml': `Description: ${'x'.repeat(52_000)}\n${TEMPLATE}` };
  for (let i = 0; i < RUNS; i++) {
    // Start, read inputs, fail on the first one: the main chunk only.
    bad.push((await deploy(moto, { 'stack-name': 'bad_name' })).durationMs);
    // Start, read inputs, load the AWS SDK chunk, fail before the first AWS call (template too large, no bucket).
    full.push((await deploy(moto, { 'stack-name': 'bench', template: 'large.yaml' }, large)).durationMs);
  }
  console.log(`load time, bad input (main chunk only, no AWS SDK): ${stats(bad)}`);
  console.log(`load time, with the AWS SDK chunk (fails before any AWS call): ${stats(full)}`);
} finally {
  await moto.stop();
}
