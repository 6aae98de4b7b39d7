import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '@img-mgr/kernel';
import { describe, expect, it } from 'vitest';
import {
  changeSetName,
  checkStackName,
  parseParameterOverrides,
  parseTags,
  parseTemplateSource,
  templateFacts,
  CHANGE_SET_NAME,
} from '../src/parsers.js';
import { formatEvent, rootCauses } from '../src/events.js';
import { readParameterDocument } from '../src/parameters.js';
import { classifyStatus } from '../src/status.js';
import { noEchoFacts, secretOutputKeys } from '../src/secrets.js';
import { changeRows, planMarkdown } from '../src/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'stack-deploy-parsers-'));
writeFileSync(
  join(dir, 'params.json'),
  JSON.stringify({ ImageId: 'ami-1', Subnets: ['subnet-a', 'subnet-b'], Count: 2 }),
);
writeFileSync(join(dir, 'params.yaml'), 'ImageId: ami-yaml\nEnvironment: prod\n');
writeFileSync(join(dir, 'list.json'), JSON.stringify([{ ParameterKey: 'ImageId', ParameterValue: 'ami-list' }]));
writeFileSync(join(dir, 'bad.json'), '{ "ImageId": ');
writeFileSync(join(dir, 'scalar.yaml'), 'just a string\n');
writeFileSync(join(dir, 'template.yaml'), 'Resources: {}\n');
writeFileSync(
  join(dir, 'as-written.yaml'),
  'Version: 1.10\nCode: 0012\nEnabled: yes\nDebug: true\n' +
    'Octal: 0o17\nZone: Norway\nEmpty: ""\nSubnets: [subnet-a, 1.50]\n',
);
writeFileSync(join(dir, 'as-written.json'), '{"Version": 1.10, "Count": 2, "Flag": false}');
writeFileSync(
  join(dir, 'previous.yaml'),
  '- ParameterKey: ImageId\n  UsePreviousValue: true\n- ParameterKey: Version\n  ParameterValue: 1.10\n' +
    '- {ParameterKey: Owner, ParameterValue: "team", UsePreviousValue: false}\n',
);
writeFileSync(join(dir, 'previous.json'), JSON.stringify([{ ParameterKey: 'Environment', UsePreviousValue: true }]));
writeFileSync(
  join(dir, 'both.json'),
  JSON.stringify([{ ParameterKey: 'ImageId', ParameterValue: 'ami-1', UsePreviousValue: true }]),
);
writeFileSync(join(dir, 'maybe.yaml'), '- ParameterKey: ImageId\n  UsePreviousValue: maybe\n');
writeFileSync(join(dir, 'nokey.yaml'), '- ParameterValue: ami-1\n');
writeFileSync(join(dir, 'novalue.yaml'), '- ParameterKey: ImageId\n');

const overrides = (text: string): Record<string, string> =>
  Object.fromEntries(parseParameterOverrides(text, { cwd: dir }));

describe('parseParameterOverrides', () => {
  it('reads KEY=VALUE items on lines and with commas, keeping = and commas in quoted values', () => {
    expect(overrides('ImageId=ami-1, Environment=prod\nSubnets="subnet-a,subnet-b"\nQuery=a=b')).toEqual({
      ImageId: 'ami-1',
      Environment: 'prod',
      Subnets: 'subnet-a,subnet-b',
      Query: 'a=b',
    });
  });
  it('reads a JSON map (lists joined with commas) and a YAML map', () => {
    expect(overrides('params.json')).toEqual({ ImageId: 'ami-1', Subnets: 'subnet-a,subnet-b', Count: '2' });
    expect(overrides('file://params.yaml')).toEqual({ ImageId: 'ami-yaml', Environment: 'prod' });
  });
  it('reads the CloudFormation [{ParameterKey, ParameterValue}] form', () => {
    expect(overrides('list.json')).toEqual({ ImageId: 'ami-list' });
  });
  it('keeps YAML and JSON scalars exactly as written: no number or boolean coercion', () => {
    expect(overrides('as-written.yaml')).toEqual({
      Version: '1.10',
      Code: '0012',
      Enabled: 'yes',
      Debug: 'true',
      Octal: '0o17',
      Zone: 'Norway',
      Empty: '',
      Subnets: 'subnet-a,1.50',
    });
    expect(overrides('as-written.json')).toEqual({ Version: '1.10', Count: '2', Flag: 'false' });
  });
  it('reads list-form UsePreviousValue: true as "keep the stack\'s value" (key left unset, later sources win)', () => {
    expect(overrides('previous.yaml')).toEqual({ Version: '1.10', Owner: 'team' });
    // An earlier item is dropped by a later UsePreviousValue, and a later item overrides it again.
    expect(overrides('Environment=dev\nImageId=ami-1\nprevious.json')).toEqual({ ImageId: 'ami-1' });
    expect(overrides('previous.json\nEnvironment=prod')).toEqual({ Environment: 'prod' });
    expect(readParameterDocument('previous.yaml', dir)).toEqual({
      values: new Map([
        ['Version', '1.10'],
        ['Owner', 'team'],
      ]),
      usePrevious: ['ImageId'],
    });
  });
  it('merges files and items in order, later ones winning', () => {
    expect(overrides('params.yaml\nImageId=ami-inline')).toEqual({ ImageId: 'ami-inline', Environment: 'prod' });
    expect(overrides('ImageId=ami-inline\nparams.yaml')).toEqual({ ImageId: 'ami-yaml', Environment: 'prod' });
  });
  it.each([
    ['ImageId', /has line 1 that is not KEY=VALUE/],
    ['=ami-1', /has line 1 that is not KEY=VALUE/],
    ['Image-Id=ami-1', /has line 1 whose key is not a parameter name \(only letters and digits\)/],
    ['ImageId="ami-1', /unclosed " quote on line 1/],
    ['missing.json', /names the file 'missing.json', which does not exist/],
    ['bad.json', /'bad.json', which is not valid JSON or YAML \(line 1, column \d+\)/],
    ['scalar.yaml', /must hold a map of KEY: VALUE or a list/],
    [
      'both.json',
      /file 'both.json' entry 1 \(ImageId\) sets both ParameterValue and UsePreviousValue: true; give one of them$/,
    ],
    ['maybe.yaml', /file 'maybe.yaml' entry 1 \(ImageId\) has UsePreviousValue 'maybe'; use true or false$/],
    ['nokey.yaml', /file 'nokey.yaml' entry 1 needs ParameterKey and ParameterValue \(or UsePreviousValue: true\)$/],
    ['novalue.yaml', /file 'novalue.yaml' entry 1 \(ImageId\) needs ParameterValue \(or UsePreviousValue: true\)$/],
  ])('rejects %j naming the request field', (text, problem) => {
    expect(() => overrides(text)).toThrow(InvalidRequestError);
    expect(() => overrides(text)).toThrow(/^'parameters' /);
    expect(() => overrides(text)).toThrow(problem);
  });
});

describe('no piece of a parameter value in an error line', () => {
  const SECRET = 'pa55,w0rd-TAIL';
  it.each([
    ['a wrapped continuation line', `DbPassword=pa55\n  w0rd-TAIL`, /line 2 that is not KEY=VALUE/],
    ['a continuation line with an =', `DbPassword=pa55\n  w0rd-TAIL=x`, /line 2 whose key is not a parameter name/],
    ['an unclosed quote', `A=1, DbPassword="pa55,w0rd-TAIL`, /unclosed " quote on line 1/],
    ['a value that opens a quote it does not close', `DbPassword='pa55 w0rd-TAIL`, /unclosed ' quote on line 1/],
  ])('%s: names the line and item only', (_why, text, problem) => {
    let message = '';
    try {
      overrides(text);
    } catch (error: unknown) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^'parameters' /);
    expect(message).toMatch(problem);
    for (const piece of ['pa55', 'w0rd', 'TAIL']) expect(message).not.toContain(piece);
  });
  it('an unquoted comma followed by no = keeps the value whole (the kernel grammar), so nothing is cut', () => {
    expect(overrides(`DbPassword=${SECRET}`)).toEqual({ DbPassword: SECRET });
  });
  it('a key set twice inline is an error, across lines too', () => {
    expect(() => overrides('ImageId=ami-1\nImageId=ami-2')).toThrow(/^'parameters' sets 'ImageId' more than once$/);
  });
  it('a # line is a comment, never a file name', () => {
    expect(overrides('# params.yaml\nImageId=ami-1')).toEqual({ ImageId: 'ami-1' });
  });
  it('names a YAML file error by line and column, without the parser quoting the line', () => {
    writeFileSync(join(dir, 'secret.yaml'), 'DbPassword: "pa55w0rd-TAIL\n  x: [\n');
    expect(() => overrides('secret.yaml')).toThrow(
      /'secret.yaml', which is not valid JSON or YAML \(line \d+, column \d+\)$/,
    );
    expect(() => overrides('secret.yaml')).not.toThrow(/TAIL/);
  });
  it('keeps where each inline item was written, so a later error can name it without its text', () => {
    const parsed = parseParameterOverrides('ImageId=ami-1, W0rd=tail\nparams.yaml', { cwd: dir });
    // ImageId is set again by the file, where it is a key for sure.
    expect(Object.fromEntries(parsed.places)).toEqual({ W0rd: 'line 1, item 2' });
  });
});

describe('NoEcho values and the outputs that carry them', () => {
  const template = [
    'Parameters:',
    '  DbPwd:',
    '    Type: String',
    '    NoEcho: true',
    '  ApiKey:',
    '    Type: String',
    "    NoEcho: 'true'",
    '    Default: dflt-key-123',
    '  Env:',
    '    Type: String',
    'Resources:',
    '  P:',
    '    Type: AWS::SSM::Parameter',
    'Outputs:',
    '  DbUrl:',
    '    Value: !Sub "postgres://admin:${DbPwd}@db.example:5432/app"',
    '  KeyEcho:',
    '    Value: !Ref ApiKey',
    '  Joined:',
    "    Value: !Join ['', [x, !Ref DbPwd]]",
    '  PrivateSubnets:',
    '    Value: subnet-1,subnet-2',
    '  EnvName:',
    '    Value: !Ref Env',
  ].join('\n');
  it("reads each Auto Scaling group's ServiceLinkedRoleARN: unset, a literal ARN, or an expression", () => {
    const role =
      'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_x';
    const facts = templateFacts(
      [
        'Resources:',
        '  Plain: { Type: AWS::AutoScaling::AutoScalingGroup, Properties: { MaxSize: "1" } }',
        `  Literal: { Type: AWS::AutoScaling::AutoScalingGroup, Properties: { ServiceLinkedRoleARN: "${role}" } }`,
        '  ByRef:',
        '    Type: AWS::AutoScaling::AutoScalingGroup',
        '    Properties: { ServiceLinkedRoleARN: !Ref RoleArn }',
        '  BySub:',
        '    Type: AWS::AutoScaling::AutoScalingGroup',
        '    Properties:',
        '      ServiceLinkedRoleARN: !Sub "arn:aws:iam::${AWS::AccountId}:role/aws-service-role/x/Y"',
        '  Topic: { Type: AWS::SNS::Topic }',
      ].join('\n'),
    );
    expect(facts && Object.fromEntries(facts.launchRoles)).toEqual({
      Plain: { kind: 'default' },
      Literal: { kind: 'arn', arn: role },
      ByRef: { kind: 'expression' },
      BySub: { kind: 'expression' },
    });
  });
  it('reads NoEcho (true or "true") and the default of a NoEcho parameter', () => {
    const facts = templateFacts(template);
    expect(facts && Object.fromEntries(facts.parameters)).toEqual({
      DbPwd: { hasDefault: false, noEcho: {} },
      ApiKey: { hasDefault: true, noEcho: { defaultValue: 'dflt-key-123' } },
      Env: { hasDefault: false },
    });
  });
  it('hides outputs carrying a NoEcho value or using a NoEcho parameter, shows the rest whatever their names', () => {
    const facts = templateFacts(template);
    if (!facts) throw new Error('template did not parse');
    const noEcho = noEchoFacts(
      facts.parameters,
      new Map([
        ['DbPwd', 'hunter2-long'],
        ['Env', 'prod'],
      ]),
    );
    expect(noEcho).toEqual({ names: ['DbPwd', 'ApiKey'], values: ['hunter2-long', 'dflt-key-123'] });
    const outputs = {
      DbUrl: 'postgres://admin:hunter2-long@db.example:5432/app',
      KeyEcho: 'dflt-key-123',
      Joined: 'xhunter2-long',
      PrivateSubnets: 'subnet-1,subnet-2',
      EnvName: 'prod',
      Unlisted: 'has hunter2-long inside',
    };
    expect(secretOutputKeys(outputs, noEcho, facts.outputs).sort()).toEqual(['DbUrl', 'Joined', 'KeyEcho', 'Unlisted']);
    // A kept (UsePreviousValue) NoEcho value is unknown here: the output's expression still gives it away.
    expect(
      secretOutputKeys(
        { DbUrl: 'postgres://admin:old-value@db' },
        noEchoFacts(facts.parameters, new Map()),
        facts.outputs,
      ),
    ).toEqual(['DbUrl']);
  });
});

describe('parseTags', () => {
  it('reads KEY=VALUE items, a JSON map and a JSON list', () => {
    expect(parseTags('team=platform, app="img mgr"')).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'app', Value: 'img mgr' },
    ]);
    expect(parseTags('{"team": "platform", "cost": 12}')).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'cost', Value: '12' },
    ]);
    expect(parseTags('[{"Key": "team", "Value": "platform"}]')).toEqual([{ Key: 'team', Value: 'platform' }]);
    expect(parseTags('  ')).toEqual([]);
  });
  it.each([
    ['team', /has line 1 that is not KEY=VALUE/],
    ['aws:owner=me', /reserved/],
    ['team=a,team=b', /more than once/],
    ['{"team": ', /is not JSON/],
    ['{"team": "a", "team": "b"}', /sets 'team' more than once/],
    ['[{"Key": "team"}]', /entry 1 needs a string Key and a string Value/],
    [`k=${'v'.repeat(257)}`, /longer than 256/],
    [
      'repo=https://x-access-token:ghp_abc123@github.com/me/app.git',
      /^'tags' holds a URL with credentials \(user:token@\), which would reach logs and tags; use a URL without them$/,
    ],
  ])('rejects %j instead of dropping it', (text, problem) => {
    expect(() => parseTags(text)).toThrow(InvalidRequestError);
    expect(() => parseTags(text)).toThrow(/^'tags' /);
    expect(() => parseTags(text)).toThrow(problem);
  });
});

describe('names', () => {
  it('accepts valid stack names and rejects others naming the request field', () => {
    expect(checkStackName('img-mgr-dev')).toBe('img-mgr-dev');
    for (const bad of ['1stack', 'my_stack', 'a'.repeat(129), 'stack!']) {
      expect(() => checkStackName(bad)).toThrow(/^'stackName' has an invalid value/);
    }
  });
  it('makes change-set names unique per run and attempt, and valid', () => {
    const first = changeSetName({ runId: '123456', runAttempt: '1' }, 1_000);
    const retry = changeSetName({ runId: '123456', runAttempt: '2' }, 1_000);
    const other = changeSetName({ runId: '123457', runAttempt: '1' }, 1_000);
    expect(new Set([first, retry, other]).size).toBe(3);
    expect(first).toContain('r123456-a1');
    for (const name of [first, retry, other, changeSetName({}, 1_000), changeSetName({ runId: 'x'.repeat(200) })]) {
      expect(name).toMatch(CHANGE_SET_NAME);
    }
  });
});

describe('templates', () => {
  it('classifies files and URLs; an s3:// URL becomes the https form', () => {
    expect(parseTemplateSource('template.yaml', { cwd: dir, region: 'eu-west-1' })).toEqual({
      kind: 'file',
      path: join(dir, 'template.yaml'),
    });
    expect(parseTemplateSource('s3://bucket/path/t.yaml', { cwd: dir, region: 'eu-west-1' })).toEqual({
      kind: 'url',
      url: 'https://bucket.s3.eu-west-1.amazonaws.com/path/t.yaml',
    });
    expect(parseTemplateSource('https://example.com/t.yaml', { cwd: dir, region: 'eu-west-1' }).kind).toBe('url');
    expect(() => parseTemplateSource('nope.yaml', { cwd: dir, region: 'eu-west-1' })).toThrow(
      "'template' names the file 'nope.yaml', which does not exist",
    );
    expect(() => parseTemplateSource('ftp://x/t.yaml', { cwd: dir, region: 'eu-west-1' })).toThrow(/^'template' /);
  });
  it('reads parameters and resources of a YAML template with short-form tags', () => {
    const facts = templateFacts(
      'Parameters:\n  A:\n    Type: String\n  B:\n    Type: String\n    Default: x\n' +
        'Resources:\n  R:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: !Ref A\n' +
        '      Name: !Sub "/${A}"\n      Tags: !If [c, !Ref B, !Ref AWS::NoValue]\n',
    );
    expect(facts && Object.fromEntries(facts.parameters)).toEqual({
      A: { hasDefault: false },
      B: { hasDefault: true },
    });
    expect(facts && Object.fromEntries(facts.outputs)).toEqual({});
    expect(facts && Object.fromEntries(facts.resources)).toEqual({ R: 'AWS::SSM::Parameter' });
    expect(templateFacts('Resources: [unclosed')).toBeUndefined();
  });
});

describe('stack states', () => {
  it.each([
    [undefined, 'absent'],
    ['REVIEW_IN_PROGRESS', 'absent'],
    ['ROLLBACK_COMPLETE', 'failed-create'],
    ['UPDATE_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['UPDATE_ROLLBACK_COMPLETE', 'ready'],
    ['CREATE_COMPLETE', 'ready'],
    ['UPDATE_ROLLBACK_FAILED', 'stuck'],
    ['DELETE_FAILED', 'stuck'],
  ])('%s is %s', (status, kind) => {
    expect(classifyStatus(status).kind).toBe(kind);
  });
  it('tells what to do with UPDATE_ROLLBACK_FAILED', () => {
    const state = classifyStatus('UPDATE_ROLLBACK_FAILED');
    expect(state.kind === 'stuck' && state.hint).toMatch(/continue-update-rollback/);
  });
});

describe('events and root cause', () => {
  it('formats one aligned line per event', () => {
    const line = formatEvent(
      {
        Timestamp: new Date('2026-01-02T03:04:05Z'),
        ResourceStatus: 'CREATE_FAILED',
        ResourceType: 'AWS::EC2::Instance',
        LogicalResourceId: 'Web',
        ResourceStatusReason: 'No\nspace',
      },
      'Net/',
    );
    expect(line).toBe(
      `03:04:05  ${'CREATE_FAILED'.padEnd(27)} ${'AWS::EC2::Instance'.padEnd(34)} ${'Net/Web'.padEnd(28)} No space`,
    );
  });
  it('keeps failed resources with reasons and drops the cancellation noise', () => {
    const causes = rootCauses([
      {
        LogicalResourceId: 'Web',
        ResourceType: 'AWS::EC2::Instance',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Instance type t9.huge is not supported',
      },
      {
        LogicalResourceId: 'Db',
        ResourceType: 'AWS::RDS::DBInstance',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Resource creation cancelled',
      },
      {
        LogicalResourceId: 'app',
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'ROLLBACK_IN_PROGRESS',
        ResourceStatusReason: 'The following resource(s) failed to create: [Web, Db].',
      },
      { LogicalResourceId: 'Bucket', ResourceType: 'AWS::S3::Bucket', ResourceStatus: 'CREATE_COMPLETE' },
    ]);
    expect(causes).toEqual([
      {
        logicalId: 'Web',
        type: 'AWS::EC2::Instance',
        status: 'CREATE_FAILED',
        reason: 'Instance type t9.huge is not supported',
      },
    ]);
  });
});

describe('outputs and plans', () => {
  it('renders the change set as a markdown table', () => {
    const rows = changeRows([
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Asg',
          ResourceType: 'AWS::AutoScaling::AutoScalingGroup',
          Replacement: 'False',
        },
      },
      {
        Type: 'Resource',
        ResourceChange: { Action: 'Add', LogicalResourceId: 'Lt|x', ResourceType: 'AWS::EC2::LaunchTemplate' },
      },
    ]);
    const markdown = planMarkdown({
      stackName: 'app',
      changeSetName: 'cs',
      changeSetType: 'UPDATE',
      rows,
      noChanges: false,
    });
    expect(markdown).toContain('1 to modify, 1 to add');
    expect(markdown).toContain('| Modify | Asg | AWS::AutoScaling::AutoScalingGroup | False |');
    expect(markdown).toContain('| Add | Lt\\|x | AWS::EC2::LaunchTemplate | - |');
  });
});
