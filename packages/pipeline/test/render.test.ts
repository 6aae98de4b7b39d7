import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatElapsed,
  newReport,
  parseArgs,
  plainProgress,
  renderJson,
  renderSummary,
  secretOutputs,
  stackInputs,
  stackPlans,
  stamp,
  ttyProgress,
  wantsColor,
  type RunReport,
  type StackReport,
} from '../src/index.js';
import { packageDir } from './helpers.js';

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('plain progress', () => {
  it('prints one line per event with the elapsed time, the step label and the step duration at the end', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const progress = plainProgress({ write: (text) => lines.push(text), now: clock.now });
    progress.note('AWS: local AWS (moto) at http://127.0.0.1:5000 (us-east-1)');
    const bake = progress.step('bake', 'Packer build of packer/ in us-east-1');
    clock.advance(400);
    bake.detail('==> amazon-ebs.img-mgr: Creating temporary keypair');
    clock.advance(2_100);
    bake.done('ami-0123456789abcdef0 baked');
    const deploy = progress.step('deploy app', 'stack img-mgr-dev (img-mgr.yaml)');
    clock.advance(61_000);
    deploy.fail('deploy img-mgr-dev: ROLLBACK_COMPLETE');
    progress.warn('could not stop the local AWS');
    expect(lines.join('')).toBe(
      [
        '[   0.0s]                  AWS: local AWS (moto) at http://127.0.0.1:5000 (us-east-1)',
        '[   0.0s] bake             Packer build of packer/ in us-east-1',
        '[   0.4s] bake               ==> amazon-ebs.img-mgr: Creating temporary keypair',
        '[   2.5s] bake             done in 2.5s: ami-0123456789abcdef0 baked',
        '[   2.5s] deploy app       stack img-mgr-dev (img-mgr.yaml)',
        '[  63.5s] deploy app       FAILED after 1m01s: deploy img-mgr-dev: ROLLBACK_COMPLETE',
        '[  63.5s]                  warning: could not stop the local AWS',
        '',
      ].join('\n'),
    );
  });

  it('marks a step with nothing to do as skipped', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const step = plainProgress({ write: (text) => lines.push(text), now: clock.now }).step(
      'publish',
      '/common/img-mgr/golden-ami ← ami-1',
    );
    clock.advance(80);
    step.skip('version 4 already holds ami-1');
    expect(lines[1]).toBe('[   0.1s] publish          skipped (80ms): version 4 already holds ami-1\n');
  });
});

describe('tty progress', () => {
  it("redraws its block in place: cursor up over the last frame, then steps with the running step's details", () => {
    const clock = fakeClock();
    let screen = '';
    const progress = ttyProgress({ write: (text) => (screen += text), now: clock.now, columns: () => 80 });
    const bake = progress.step('bake', 'Packer build');
    bake.detail('Creating temporary keypair');
    const beforeDone = screen.length;
    clock.advance(1_500);
    bake.done('ami-1 baked');
    progress.close();
    const lastFrame = screen.slice(beforeDone);
    expect(lastFrame.startsWith('\u001b[2A\r\u001b[0J')).toBe(true); // two lines drawn before: the step and its detail
    expect(lastFrame).toContain('bake');
    expect(lastFrame).toContain('1.5s  ami-1 baked');
    expect(lastFrame).not.toContain('Creating temporary keypair'); // details go away when the step ends
  });

  it('cuts lines to the terminal width so the redraw never miscounts wrapped lines', () => {
    let screen = '';
    const progress = ttyProgress({ write: (text) => (screen += text), now: () => 0, columns: () => 30 });
    progress.step('deploy app', 'x'.repeat(200)).detail('y'.repeat(200));
    progress.close();
    for (const line of screen.split('\n'))
      expect(line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').length).toBeLessThanOrEqual(30);
  });
});

describe('NO_COLOR (https://no-color.org)', () => {
  /** A whole run of the display: a step with a detail that is done, one that fails, a note and a warning. */
  function screenOf(color: boolean | undefined): string {
    let screen = '';
    const progress = ttyProgress({
      write: (text) => (screen += text),
      now: () => 0,
      columns: () => 80,
      ...(color === undefined ? {} : { color }),
    });
    const bake = progress.step('bake', 'Packer build');
    bake.detail('Creating temporary keypair');
    bake.done('ami-1 baked');
    progress.step('deploy app', 'stack').fail('ROLLBACK_COMPLETE');
    progress.note('AWS: local');
    progress.warn('slow');
    progress.close();
    return screen;
  }
  const SGR = /\u001b\[[0-9;]*m/;

  it('a set, non-empty NO_COLOR turns colour off; unset or empty leaves it on', () => {
    expect(wantsColor({ NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ NO_COLOR: 'false' })).toBe(false);
    expect(wantsColor({ NO_COLOR: '' })).toBe(true);
    expect(wantsColor({})).toBe(true);
  });

  it('without colour the display has no SGR sequence but still redraws in place with the same text', () => {
    const plain = screenOf(false);
    expect(plain).not.toMatch(SGR);
    expect(plain).toContain('\u001b[2A\r\u001b[0J'); // cursor movement is not colour
    expect(plain).toContain('✔ bake');
    expect(plain).toContain('✖ deploy app');
    expect(plain).toContain('warning: slow');
    const colored = screenOf(undefined);
    expect(colored).toMatch(SGR);
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });
});

describe('formatting helpers', () => {
  it('formats durations and stamps', () => {
    expect(formatElapsed(850)).toBe('850ms');
    expect(formatElapsed(12_340)).toBe('12.3s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(stamp(3_456)).toBe('[   3.5s]');
  });
});

/** A finished `run` as main() records it. */
function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    ...newReport('run'),
    ok: true,
    exitCode: 0,
    target: { kind: 'local', region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', kept: true },
    ami: {
      id: 'ami-0123456789abcdef0',
      region: 'us-east-1',
      amis: { 'us-east-1': 'ami-0123456789abcdef0' },
      skipped: true,
      fingerprint: 'f'.repeat(64),
      durationMs: 120,
    },
    parameter: {
      name: '/common/img-mgr/golden-ami',
      region: 'us-east-1',
      amiId: 'ami-0123456789abcdef0',
      version: 2,
      changed: true,
      previousAmiId: 'ami-00000000000000001',
      previousVersion: 1,
    },
    stacks: [
      { name: 'img-mgr-vpc-dev', status: 'CREATE_COMPLETE', noChanges: true, outputs: {} },
      {
        name: 'img-mgr-dev',
        status: 'UPDATE_COMPLETE',
        imageId: 'ami-0123456789abcdef0',
        outputs: { Url: 'http://lb.example/' },
      },
    ],
    appUrl: 'http://lb.example/',
    durationMs: 3_200,
    ...overrides,
  };
}

describe('summary table', () => {
  it("shows AMI, parameter version, stacks, local preview, emulator's load balancer name, where it ran, result", () => {
    const text = renderSummary(
      runReport({
        preview: {
          running: true,
          url: 'http://127.0.0.1:5001/',
          ref: 'master',
          commit: 'c'.repeat(40),
          checked: true,
          kept: true,
        },
      }),
    );
    expect(text.split('\n')).toEqual([
      'img-mgr-pipeline run',
      `  ${'─'.repeat(72)}`,
      '  AMI                    ami-0123456789abcdef0 (us-east-1; already baked, Packer skipped)',
      '  Fingerprint            ffffffffffffffff',
      '  Parameter              /common/img-mgr/golden-ami = ami-0123456789abcdef0',
      '  Version                2 (was ami-00000000000000001 (version 1))',
      '  Stack img-mgr-vpc-dev  CREATE_COMPLETE (no changes)',
      '  Stack img-mgr-dev      UPDATE_COMPLETE (AMI ami-0123456789abcdef0)',
      '  App (local preview)    http://127.0.0.1:5001/ (upload page and an upload checked; master @ cccccccccccc; runs until img-mgr-pipeline down)',
      "  Load balancer          http://lb.example/ (the emulator's made-up name; it does not answer)",
      '  AWS                    local AWS (moto) at http://127.0.0.1:5000, us-east-1 (kept running; stop it with img-mgr-pipeline down)',
      '  Result                 OK in 3.2s',
      '',
    ]);
  });

  it('says in one row why the preview is off, and that a preview without --keep stopped with the local AWS', () => {
    expect(
      renderSummary(
        runReport({
          preview: {
            running: false,
            off: 'could not reach https://example.invalid/app.git to check out the app (offline)',
          },
        }),
      ),
    ).toContain(
      '  App (local preview)    off: could not reach https://example.invalid/app.git to check out the app (offline)\n',
    );
    expect(
      renderSummary(
        runReport({ preview: { running: true, url: 'http://127.0.0.1:5001/', checked: true, kept: false } }),
      ),
    ).toContain(
      '  App (local preview)    http://127.0.0.1:5001/ (upload page and an upload checked; stopped with the local AWS; use --keep to keep it)\n',
    );
  });

  it('a rollout in waves lists every region with its wave and what it runs now, a later wave as untouched', () => {
    const text = renderSummary(
      runReport({
        regions: [
          {
            region: 'us-east-1',
            wave: 1,
            home: true,
            amiId: 'ami-0123456789abcdef0',
            outcome: 'deployed',
            runs: 'ami-0123456789abcdef0',
            parameterVersion: 2,
          },
          {
            region: 'eu-west-1',
            wave: 2,
            home: false,
            amiId: 'ami-0aaaaaaaaaaaaaaa1',
            copied: true,
            outcome: 'reverted',
            runs: 'ami-0bbbbbbbbbbbbbbb1',
            parameterVersion: 3,
            error: 'deploy img-mgr-dev: refused',
            revert: 'reverted: ami-0aaaaaaaaaaaaaaa1 rejected',
          },
          { region: 'ap-south-1', wave: 3, home: false, amiId: 'ami-0ccccccccccccccc1', outcome: 'not reached' },
        ],
      }),
    );
    expect(text).toContain(
      '  Region us-east-1 (wave 1)   deployed, runs ami-0123456789abcdef0; home region, baked here; ' +
        'parameter version 2\n',
    );
    expect(text).toContain(
      '  Region eu-west-1 (wave 2)   reverted, runs ami-0bbbbbbbbbbbbbbb1; copied; parameter version 3; ' +
        'failed: deploy img-mgr-dev: refused; reverted: ami-0aaaaaaaaaaaaaaa1 rejected\n',
    );
    expect(text).toContain('  Region ap-south-1 (wave 3)  not reached (untouched)\n');
  });

  it('on real AWS the stack URL is the app URL (there is no preview)', () => {
    const text = renderSummary(runReport({ target: { kind: 'aws', region: 'us-west-2' } }));
    expect(text).toContain('  App URL                http://lb.example/\n');
    expect(text).not.toContain('Load balancer');
  });

  it('keeps what was done when a later step failed, and ends with the exit code, the reason and the hint', () => {
    const text = renderSummary(
      runReport({
        ok: false,
        exitCode: 6,
        error: {
          message: 'deploy img-mgr-dev: stack is UPDATE_ROLLBACK_FAILED',
          hint: 'continue the rollback in the console',
        },
        stacks: [{ name: 'img-mgr-vpc-dev', status: 'CREATE_COMPLETE', outputs: {} }],
        appUrl: undefined,
        target: { kind: 'aws', region: 'us-west-2' },
      }),
    );
    expect(text).toContain('Stack img-mgr-vpc-dev  CREATE_COMPLETE');
    expect(text).not.toContain('App URL');
    expect(text).toContain('AWS                    your AWS account, us-west-2');
    expect(text).toContain(
      'Result                 FAILED (exit 6) after 3.2s: ' +
        'deploy img-mgr-dev: stack is UPDATE_ROLLBACK_FAILED. continue the rollback in the console',
    );
  });

  it('renders status: the pointer, its history newest first with labels, each stack with its AMI and outputs', () => {
    const text = renderSummary({
      ...newReport('status'),
      ok: true,
      exitCode: 0,
      target: { kind: 'endpoint', region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' },
      status: {
        parameter: {
          name: '/common/img-mgr/golden-ami',
          region: 'us-east-1',
          exists: true,
          current: { version: 3, value: 'ami-0000000000000000a', labels: ['rollback-from-v2'] },
          history: [
            { version: 1, value: 'ami-0000000000000000a', labels: [] },
            { version: 2, value: 'ami-0000000000000000b', labels: [] },
            { version: 3, value: 'ami-0000000000000000a', labels: ['rollback-from-v2'] },
          ],
        },
        stacks: [
          { name: 'img-mgr-vpc-dev', exists: false, status: 'DOES_NOT_EXIST', outputs: {} },
          {
            name: 'img-mgr-dev',
            exists: true,
            status: 'UPDATE_COMPLETE',
            imageId: 'ami-0000000000000000a',
            launchTemplateAmi: 'ami-0000000000000000a',
            outputs: { Url: 'http://lb/' },
          },
        ],
      },
      durationMs: 300,
    });
    expect(text).toContain('Parameter  /common/img-mgr/golden-ami = ami-0000000000000000a (version 3)');
    const history = text.slice(text.indexOf('History'), text.indexOf('Stack img-mgr-vpc-dev'));
    expect(history.indexOf('v3 *')).toBeLessThan(history.indexOf('v2'));
    expect(history).toContain('v3 *  ami-0000000000000000a  [rollback-from-v2]');
    expect(text).toMatch(/Stack img-mgr-vpc-dev\n.*\n {2}Status +does not exist/);
    expect(text).toContain('Launch template AMI  ami-0000000000000000a');
    expect(text).toContain('Output Url           http://lb/');
    expect(text).toContain('AWS emulator at http://127.0.0.1:5000, us-east-1');
  });

  it('--json is one parseable document with the same facts', () => {
    const parsed = JSON.parse(renderJson(runReport())) as RunReport;
    expect(parsed).toMatchObject({
      command: 'run',
      ok: true,
      exitCode: 0,
      ami: { id: 'ami-0123456789abcdef0', skipped: true },
      parameter: { version: 2, changed: true },
      appUrl: 'http://lb.example/',
    });
    expect(parsed.stacks.map((stack) => [stack.name, stack.status])).toEqual([
      ['img-mgr-vpc-dev', 'CREATE_COMPLETE'],
      ['img-mgr-dev', 'UPDATE_COMPLETE'],
    ]);
  });
});

describe("masking outputs by meaning (deploy-stack's NoEcho rule), not by name", () => {
  /** A status report holding only `stacks`, rendered as `img-mgr-pipeline status` prints it. */
  const renderStacks = (stacks: StatusStack[]): string =>
    renderSummary({
      ...newReport('status'),
      ok: true,
      exitCode: 0,
      target: { kind: 'endpoint', region: 'us-west-2', endpoint: 'http://127.0.0.1:5000' },
      status: {
        parameter: { name: '/common/img-mgr/golden-ami', region: 'us-west-2', exists: false, history: [] },
        stacks,
      },
      durationMs: 10,
    });
  type StatusStack = StackReport & { exists: boolean };

  it('the real vpc.yaml stack: PrivateSubnets and every other output are shown', async () => {
    const root = join(packageDir, '..', '..');
    const [vpc] = stackPlans(parseArgs(['status']), root, 'us-west-2', () => new Map());
    if (!vpc) throw new Error('no vpc plan');
    const outputs = { VpcId: 'vpc-0abc', PrivateSubnets: 'subnet-0a,subnet-0b', PublicSubnets: 'subnet-0c,subnet-0d' };
    const secret = await secretOutputs(await stackInputs(vpc, root), outputs);
    expect(secret).toEqual([]);
    const text = renderStacks([
      { name: vpc.name, exists: true, status: 'CREATE_COMPLETE', outputs, secretOutputs: secret },
    ]);
    expect(text).toMatch(/Output PrivateSubnets +subnet-0a,subnet-0b/);
    expect(text).not.toContain('***');
  });

  it('an output that embeds a NoEcho value (parameter file, Default) or uses a NoEcho parameter is ***', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-mgr-mask-'));
    try {
      const template = join(dir, 'app.yaml');
      writeFileSync(
        template,
        [
          'Parameters:',
          '  DbPassword: { Type: String, NoEcho: true }',
          '  ApiKey: { Type: String, NoEcho: "true", Default: k3y-default-value }',
          '  PrivateSubnetIds: { Type: String, Default: "" }',
          'Resources:',
          '  Topic: { Type: AWS::SNS::Topic }',
          'Outputs:',
          '  PrivateSubnets: { Value: !Ref PrivateSubnetIds }',
          '  ConnectionString: { Value: !Sub "postgres://app:${DbPassword}@db" }',
          '  Banner: { Value: "welcome" }',
          '  Copied: { Value: "static" }',
          '',
        ].join('\n'),
      );
      const parameterFile = join(dir, 'dev-us-west-2.json');
      writeFileSync(parameterFile, JSON.stringify({ DbPassword: 'hunter2-from-file' }));
      const plan = {
        role: 'app' as const,
        name: 'img-mgr-dev',
        template,
        parameterFile,
        overrides: { PrivateSubnetIds: 'subnet-0a,subnet-0b', NotDeclared: 'x' },
      };
      const inputs = await stackInputs(plan, dir);
      expect([...inputs.parameters]).toEqual([
        ['DbPassword', 'hunter2-from-file'],
        ['PrivateSubnetIds', 'subnet-0a,subnet-0b'],
      ]);
      // Values as a deployed stack reports them: Banner and Copied carry the secrets although their
      // expressions do not name a NoEcho parameter (an edited template, a value copied elsewhere).
      const outputs = {
        PrivateSubnets: 'subnet-0a,subnet-0b',
        ConnectionString: 'postgres://app:hunter2-from-file@db',
        Banner: 'key k3y-default-value inside',
        Copied: 'pw=hunter2-from-file',
      };
      const secret = await secretOutputs(inputs, outputs);
      expect(secret.sort()).toEqual(['Banner', 'ConnectionString', 'Copied']);
      const text = renderStacks([
        { name: plan.name, exists: true, status: 'UPDATE_COMPLETE', outputs, secretOutputs: secret },
      ]);
      expect(text).toMatch(/Output PrivateSubnets +subnet-0a,subnet-0b/);
      expect(text).toMatch(/Output ConnectionString +\*\*\*/);
      expect(text).toMatch(/Output Banner +\*\*\*/);
      expect(text).not.toMatch(/hunter2|k3y-default/);
      const json = renderJson({
        ...newReport('status'),
        stacks: [{ name: plan.name, status: 'UPDATE_COMPLETE', outputs, secretOutputs: secret }],
      });
      expect(json).not.toMatch(/hunter2|k3y-default/);
      expect((JSON.parse(json) as { stacks: { outputs: Record<string, string> }[] }).stacks[0]?.outputs).toEqual({
        PrivateSubnets: 'subnet-0a,subnet-0b',
        ConnectionString: '***',
        Banner: '***',
        Copied: '***',
      });
      const status = renderJson({
        ...newReport('status'),
        status: {
          parameter: { name: '/p', region: 'us-east-1', exists: false, history: [] },
          stacks: [{ name: plan.name, exists: true, status: 'UPDATE_COMPLETE', outputs, secretOutputs: secret }],
        },
      });
      expect(status).not.toMatch(/hunter2|k3y-default/);
      expect(status).toContain('"PrivateSubnets": "subnet-0a,subnet-0b"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
