/**
 * Every string input of the reusable workflow is checked against its
 * documented shape in the resolve job, before any AWS call: a value that
 * holds a separator (`,` a line break `=`), a quote or `${...}` is refused in
 * one line naming the input, so it never reaches a job output, a KEY=VALUE
 * text or Packer as more than the one value it claims to be.
 */
import { InputError } from '@img-mgr/kernel';
import { describe, expect, it } from 'vitest';
import { CALLER_INPUTS, callerInputProblem, checkCallerInputs, type CallerInput } from '../src/index.js';

/** A value of each input that the workflow accepts (what workflows-example passes). */
const VALID: Record<CallerInput, string> = {
  'flask-repo': 'https://github.com/o/app.git',
  'flask-ref': 'release/1.2',
  'trusted-branch': 'master',
  'aws-region': 'us-west-2',
  'role-to-assume': 'arn:aws:iam::123456789012:role/img-mgr-deploy-dev',
  'bake-role-to-assume': 'arn:aws:iam::123456789012:role/img-mgr-github-bake',
  'cloudformation-role-arn': 'arn:aws:iam::123456789012:role/img-mgr-cfn-exec',
  'parameter-name': '/common/img-mgr/golden-ami',
  'stack-name': 'img-mgr-dev',
  'subnet-id': 'subnet-0123456789abcdef0',
  'network-stack-name': 'img-mgr-vpc-dev',
  'launch-kms-key': 'alias/img-mgr-ami',
  template: '.img-mgr/cloudformation/img-mgr.yaml',
  'parameter-file': 'deploy/dev.json',
  environment: 'dev',
  'rollback-to': 'app-0123abc',
  'promote-from': '/common/img-mgr/golden-ami',
  'smoke-samples': '5',
  'smoke-timeout': '5m',
  'smoke-url': 'https://img-mgr.example.com/',
  targets: 'deploy/targets.yml',
};

/** What a caller could append to a valid value to smuggle in more. */
const SMUGGLED = [
  [',', ',ssh_source_cidr=0.0.0.0/0'],
  ['a line break', '\nImageIdOverride=ami-0123456789abcdef0'],
  ['=', '=x'],
  ['a double quote', '"'],
  ['a single quote', "'"],
  ['${...}', '${{ secrets.TOKEN }}'],
  ['a space', ' x'],
] as const;

/** IAM names may hold `,` and `=`: a role ARN keeps them (it always travels alone), and refuses the rest. */
const ROLE_INPUTS: readonly CallerInput[] = ['role-to-assume', 'bake-role-to-assume', 'cloudformation-role-arn'];

const cases = CALLER_INPUTS.flatMap((input) =>
  SMUGGLED.filter(([what]) => !(ROLE_INPUTS.includes(input) && (what === ',' || what === '='))).map(
    ([what, tail]) => [input, what, `${VALID[input]}${tail}`] as const,
  ),
);

describe("the reusable workflow's caller inputs", () => {
  it('accept the values workflows-example passes', () => {
    expect(() => checkCallerInputs(VALID)).not.toThrow();
    for (const input of CALLER_INPUTS) expect(callerInputProblem(input, VALID[input])).toBeUndefined();
  });

  it.each(cases)('%s with %s is refused in one line naming the input', (input, _what, value) => {
    let error: unknown;
    try {
      checkCallerInputs({ ...VALID, [input]: value });
    } catch (thrown: unknown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message.startsWith(`Input '${input}' `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it.each(ROLE_INPUTS)('%s: IAM allows , and = in a role name, which stays one value', (input) => {
    expect(callerInputProblem(input, `${VALID[input]},x=y`)).toBeUndefined();
  });

  it('the comma URL of the known attack is refused naming flask-repo, before anything resolves it', () => {
    expect(() =>
      checkCallerInputs({
        'flask-repo': 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge',
        'flask-ref': 'fedcba9876543210fedcba9876543210fedcba98',
      }),
    ).toThrow(
      "Input 'flask-repo' has 'https://github.com/o/app.git,ssh_source_cidr=0.0.0.0/0,instance_type=t3.2xlarge', " +
        'which is neither owner/name nor an https:// git URL',
    );
  });

  it.each([
    ['flask-repo', 'you/app'],
    ['flask-repo', 'https://git.example.com:8443/team/app'],
    ['flask-ref', ''],
    ['flask-ref', 'fedcba9876543210fedcba9876543210fedcba98'],
    ['flask-ref', 'v1.2.3+build'],
    ['trusted-branch', 'release/*'],
    ['template', 'https://example.com/templates/app.yaml'],
    ['template', 's3://my-bucket/templates/app.yaml'],
    ['parameter-file', ''],
    ['parameter-file', 'deploy/prod.yml'],
    ['environment', ''],
    ['rollback-to', 'previous'],
    ['rollback-to', '12'],
    ['promote-from', ''],
    ['subnet-id', ''],
    ['subnet-id', 'subnet-0123abcd'],
    ['launch-kms-key', ''],
    ['launch-kms-key', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['launch-kms-key', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
    ['launch-kms-key', 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['smoke-samples', '1'],
    ['smoke-samples', '100'],
    ['smoke-timeout', '90'],
    ['smoke-timeout', '1m30s'],
    ['smoke-timeout', '30m'],
    ['smoke-url', ''],
    ['smoke-url', 'http://img-mgr-dev-alb-123.us-west-2.elb.amazonaws.com/'],
    ['smoke-url', 'http://127.0.0.1:8080'],
    ['smoke-url', 'https://cdn.example.com/img-mgr/'],
  ] as const)('%s accepts %j', (input, value) => {
    expect(callerInputProblem(input, value)).toBeUndefined();
  });

  it.each([
    ['flask-ref', 'a..b'],
    ['flask-ref', '-upload-pack=x'],
    ['flask-ref', 'main.lock'],
    ['flask-ref', 'a//b'],
    ['flask-ref', `release-${'x'.repeat(95)}`],
    ['template', '../outside.yaml'],
    ['template', '/etc/passwd'],
    ['parameter-file', 'deploy/dev.txt'],
    ['aws-region', 'us-nowhere-9'],
    ['aws-region', ''],
    ['stack-name', ''],
    ['parameter-name', ''],
    ['rollback-to', ' previous'],
    ['subnet-id', 'subnet-xyz'],
    ['subnet-id', 'vpc-0123456789abcdef0'],
    ['launch-kms-key', 'key/1234'],
    ['launch-kms-key', 'alias/a b'],
    ['network-stack-name', ''],
    ['smoke-samples', ''],
    ['smoke-samples', '0'],
    ['smoke-samples', '101'],
    ['smoke-samples', '2.5'],
    ['smoke-samples', '-3'],
    ['smoke-timeout', ''],
    ['smoke-timeout', '0s'],
    ['smoke-timeout', '31m'],
    ['smoke-timeout', 'forever'],
    ['smoke-timeout', '5 m'],
    ['smoke-url', 'ftp://example.com/'],
    ['smoke-url', 'https://example.com/?next=https://evil.example'],
    ['smoke-url', 'https://example.com/#x'],
    ['smoke-url', 'example.com'],
  ] as const)('%s refuses %j', (input, value) => {
    expect(callerInputProblem(input, value)).toMatch(/\S/);
  });

  it('a value with a line break is named by its length, never printed over two lines', () => {
    expect(callerInputProblem('parameter-file', 'deploy/dev.json\nImageIdOverride=ami-0123456789abcdef0')).toBe(
      'has (53 characters, not shown), which holds a line break or another control character.',
    );
  });
});

describe('the smoke-test inputs', () => {
  it('a smoke-url with credentials is refused without repeating them', () => {
    const problem = callerInputProblem('smoke-url', 'https://user:s3cret@cdn.example.com/') ?? '';
    expect(problem).toContain('credentials');
    expect(problem).not.toContain('s3cret');
  });

  it('a smoke-timeout names the bounds and the grammar in one line', () => {
    expect(() => checkCallerInputs({ 'smoke-timeout': '2h' })).toThrow(
      "Input 'smoke-timeout' has '2h', which is not a duration from 1s to 30m " +
        '(seconds, or parts such as 90s, 5m, 1m30s).',
    );
  });
});
