// @needs-tools moto_server packer
/**
 * The secrets catalogue: a secret value planted in every input of the three
 * bundled actions and in every flag of the CLI, then every log, step output,
 * job summary and moto tag is searched for it.
 *
 * The rule checked is the runner's: it masks only whole registered strings.
 * An input that holds a secret (`${{ secrets.X }}`) is registered whole, so
 * the check first masks every whole occurrence of the planted input value,
 * then looks for any piece of the secret left (8 characters or more): a piece
 * is what an unquoted comma, a cut or a re-spaced line would print. Values
 * the runner does not know are secret (NoEcho parameters, the outputs that
 * carry them, a token inside a URL) must never appear at all, except in the
 * `::add-mask::` line that registers them, which comes first.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeParametersCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readActionYaml, runBundledAction, startMoto, type ActionRun, type Moto } from '@img-mgr/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeInputs, runCli } from './helpers.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const GOOD_AMI = 'ami-0123456789abcdef0';

/** A distinctive secret, new for each planting. */
const secret = (label: string): string => `Sx${label}${randomBytes(6).toString('hex')}Tail`;
const ANY_SECRET = /Sx[a-z0-9]{2}[0-9a-f]{12}Tail/g;

/**
 * Inputs whose purpose is to be written into tags as given (a commit id that
 * names the app's revision): a value planted there is expected in the tag
 * of that name, and nowhere else in AWS.
 */
const PUBLIC_BY_PURPOSE: Record<string, string> = { 'bake-ami app-revision': 'app-revision' };
/** Where each planted secret went in: "bake-ami app-revision". */
const plantedIn = new Map<string, string>();

/**
 * The shapes a secret takes in an input: after an unquoted comma, too long
 * to print whole on one line, and as the token of a URL (which the runner
 * masks, but which would reach tags and descriptions whole).
 */
const SHAPES: [string, (value: string) => string][] = [
  ['after a comma', (value) => `pa55,${value}`],
  ['long', (value) => `${value}-${'x'.repeat(90)}`],
  ['in a URL', (value) => `https://x-access-token:${value}@github.com/me/app.git`],
];
const IN_URL = 'in a URL';

/** Pieces of `value` of `size` characters: any of them in a log is a leak that no mask covers. */
function pieces(value: string, size = 8): string[] {
  const result: string[] = [];
  for (let start = 0; start + size <= value.length; start++) result.push(value.slice(start, start + size));
  return result;
}

/** What is left of `secretValue` in `text` once the runner masked every whole `registered` string. */
function leftovers(text: string, secretValue: string, registered: string[]): string[] {
  let masked = text;
  for (const whole of [...registered].sort((a, b) => b.length - a.length)) masked = masked.split(whole).join('***');
  return pieces(secretValue).filter((piece) => masked.includes(piece));
}

/** Everything a run leaves where people can read it: log, outputs, summary. */
function published(run: ActionRun): string {
  return [run.log, JSON.stringify(run.outputs), run.summary].join('\n');
}

/** Lines that carry `value` other than the `::add-mask::` lines that register it. */
function unmaskedLines(text: string, value: string): string[] {
  return text.split('\n').filter((line) => line.includes(value) && !line.startsWith('::add-mask::'));
}

/** Every tag moto holds: EC2 (images, snapshots, instances, volumes), SSM parameters, stacks. */
async function allTags(moto: Moto): Promise<{ key: string; value: string }[]> {
  const ec2 = new EC2Client(moto.clientConfig);
  const ssm = new SSMClient(moto.clientConfig);
  const cfn = new CloudFormationClient(moto.clientConfig);
  const ec2Tags = (await ec2.send(new DescribeTagsCommand({}))).Tags ?? [];
  const ssmTags = [];
  for (const parameter of (await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }))).Parameters ?? []) {
    ssmTags.push(
      ...((
        await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: parameter.Name ?? '' }))
      ).TagList ?? []),
    );
  }
  const stackTags = ((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).flatMap((stack) => stack.Tags ?? []);
  return [...ec2Tags, ...ssmTags, ...stackTags].map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
}

type ActionName = 'bake-ami' | 'publish-ami' | 'deploy-stack';

describe('secrets catalogue', () => {
  let moto: Moto;
  let ec2Endpoint: string;
  const baseInputs = (action: ActionName, index: number): Record<string, string> => {
    switch (action) {
      case 'deploy-stack':
        return { 'stack-name': `secrets-${index}`, template: join(fixtures, 'one-parameter.yaml') };
      case 'publish-ami':
        return { 'ami-id': GOOD_AMI, 'wait-timeout': '5s' };
      case 'bake-ami':
        return bakeInputs(ec2Endpoint);
    }
  };

  beforeAll(async () => {
    moto = await startMoto();
    ec2Endpoint = moto.endpoint;
  });
  afterAll(async () => {
    await moto.stop();
  });

  const plantings = (['deploy-stack', 'publish-ami', 'bake-ami'] as const).flatMap((action) =>
    Object.keys(readActionYaml(action).inputs ?? {}).flatMap((input) =>
      SHAPES.map(([shape, make]) => {
        const planted = secret('in');
        plantedIn.set(planted, `${action} ${input}`);
        return { action, input, shape, planted, value: make(planted) };
      }),
    ),
  );

  it('plants a secret in every input of the three actions', () => {
    expect(new Set(plantings.map((planting) => planting.action)).size).toBe(3);
    expect(plantings.length).toBeGreaterThanOrEqual(120);
  });

  it.each(
    plantings.map(
      (planting, index) => [`${planting.action} ${planting.input} (${planting.shape})`, planting, index] as const,
    ),
  )('no piece of a secret in %s: log, outputs and summary', async (_title, planting, index) => {
    const inputs = { ...baseInputs(planting.action, index), [planting.input]: planting.value };
    const run = await runBundledAction(planting.action, { inputs, env: moto.env, timeoutMs: 60_000 });
    expect(leftovers(published(run), planting.planted, [planting.value]), run.log).toEqual([]);
    // A token in a URL is refused without being repeated, whatever the input.
    if (planting.shape === IN_URL) expect(unmaskedLines(published(run), planting.planted), run.log).toEqual([]);
  });

  it(
    'deploy-stack: a NoEcho override, and the output that ' + 'embeds it, are masked before any line and never printed',
    async () => {
      const noEcho = secret('ne');
      const template = [
        'Parameters:',
        '  DbPwd: { Type: String, NoEcho: true }',
        '  Greeting: { Type: String, Default: hello }',
        'Resources:',
        '  Value:',
        '    Type: AWS::SSM::Parameter',
        '    Properties: { Name: /secrets/greeting, Type: String, Value: !Ref Greeting }',
        'Outputs:',
        "  DbUrl: { Value: !Sub 'postgres://admin:${DbPwd}@db.example:5432/app' }",
        "  PrivateSubnets: { Value: 'subnet-a,subnet-b' }",
      ].join('\n');
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'noecho.yaml');
      writeFileSync(file, template);
      const run = await runBundledAction('deploy-stack', {
        inputs: {
          'stack-name': 'secrets-noecho',
          template: file,
          'parameter-overrides': `DbPwd=${noEcho}`,
          'timeout-in-minutes': '5',
          tags: 'team=platform',
        },
        env: moto.env,
      });
      expect(run.errors, run.log).toEqual([]);
      const lines = run.log.split('\n');
      expect(lines.findIndex((line) => line === `::add-mask::${noEcho}`)).toBe(
        lines.findIndex((line) => line.includes(noEcho)),
      );
      expect(unmaskedLines(run.log, noEcho)).toEqual([]);
      expect(run.summary).not.toContain(noEcho);
      expect(run.summary).toContain('subnet-a,subnet-b');
      // The outputs that carry it are for the next steps; the runner masks them (both registered above).
      const carrying = Object.entries(run.outputs)
        .filter(([, value]) => value.includes(noEcho))
        .map(([key]) => key)
        .sort();
      expect(carrying).toEqual(['DbUrl', 'outputs-json']);
      expect(lines).toContain(`::add-mask::postgres://admin:${noEcho}@db.example:5432/app`);
    },
  );

  it(
    'bake-ami: a token in a repository URL is refused in ' + 'one line that does not repeat it, and tags nothing',
    async () => {
      const token = secret('tk');
      for (const url of [
        `https://x-access-token:${token}@github.com/me/app.git`,
        `https://${token}@github.com/me/app.git`,
      ]) {
        const run = await runBundledAction('bake-ami', {
          inputs: bakeInputs(ec2Endpoint, [`flask_repo=${url}`]),
          env: moto.env,
          timeoutMs: 60_000,
        });
        expect(run.exitCode).not.toBe(0);
        expect(run.errors).toEqual([
          "Input 'variables' sets 'flask_repo' to a URL with credentials (user:token@), which would reach Packer's " +
            "log and the AMI's tags; use a URL without them (a public repository, or a deploy key on the instance)",
        ]);
        expect(published(run)).not.toContain(token);
      }
    },
  );

  it(
    'bake-ami: a token in a URL in a var file is refused ' + 'in one line that does not repeat it, and tags nothing',
    async () => {
      const token = secret('vf');
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const varFile = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'token.pkrvars.hcl');
      writeFileSync(varFile, `source_ami_name = "https://x-access-token:${token}@github.com/me/app.git"\n`);
      const inputs = bakeInputs(ec2Endpoint);
      const run = await runBundledAction('bake-ami', {
        inputs: { ...inputs, 'var-files': `${inputs['var-files'] ?? ''}\n${varFile}` },
        env: moto.env,
        timeoutMs: 60_000,
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.errors).toEqual([
        `Input 'var-files' names '${varFile}', which holds a URL with credentials (user:token@) ` +
          "that would reach Packer's log and the AMI's tags; use a URL without them",
      ]);
      expect(published(run)).not.toContain(token);
    },
  );

  it('bake-ami: github-token is masked before anything else is printed', async () => {
    const token = secret('gh');
    const run = await runBundledAction('bake-ami', {
      inputs: { ...bakeInputs(ec2Endpoint), 'github-token': token },
      env: moto.env,
      timeoutMs: 60_000,
    });
    expect(run.log.split('\n').filter((line) => line.includes(token))).toEqual([`::add-mask::${token}`]);
    expect(run.summary).not.toContain(token);
  });

  const CLI_FLAGS: [string, string[]][] = [
    ['--region', ['status']],
    ['--timeout', ['status']],
    ['--flask-repo', ['bake']],
    ['--flask-ref', ['bake']],
    ['--ami-id', ['publish']],
    ['--to', ['rollback']],
    ['--parameter-name', ['status']],
    ['--env', ['deploy']],
    ['--vpc-stack', ['status']],
    ['--app-stack', ['status']],
    ['--state-dir', ['status']],
  ];
  const cliPlantings = CLI_FLAGS.flatMap(([flag, command]) =>
    SHAPES.map(([shape, make]) => {
      const planted = secret('cl');
      plantedIn.set(planted, `img-mgr-pipeline ${flag}`);
      return { flag, command, shape, planted, value: make(planted) };
    }),
  );

  it.each(
    cliPlantings.map(
      (planting) => [`${planting.command.join(' ')} ${planting.flag} (${planting.shape})`, planting] as const,
    ),
  )('no piece of a secret in img-mgr-pipeline %s', async (_title, planting) => {
    const run = await runCli([...planting.command, planting.flag, planting.value, '--endpoint', moto.endpoint], {
      timeoutMs: 60_000,
    });
    expect(leftovers(`${run.stdout}\n${run.stderr}`, planting.planted, [planting.value]), run.stderr).toEqual([]);
    if (planting.shape === IN_URL) expect(`${run.stdout}${run.stderr}`).not.toContain(planting.planted);
  });

  it('img-mgr-pipeline: a token in --flask-repo is refused in one line that does not repeat it', async () => {
    const token = secret('cl');
    const run = await runCli([
      'bake',
      '--flask-repo',
      `https://x-access-token:${token}@github.com/me/app.git`,
      '--endpoint',
      moto.endpoint,
    ]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr.trim()).toBe(
      'img-mgr-pipeline: error: --flask-repo must not carry credentials (user:token@); use a URL without them',
    );
    expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  });

  it('leaves no planted secret in any tag moto holds (EC2, SSM, stacks), but in the tag an input is for', async () => {
    const tags = await allTags(moto);
    const found = new Map<string, Set<string>>();
    for (const tag of tags) {
      for (const planted of tag.value.match(ANY_SECRET) ?? []) {
        const input = plantedIn.get(planted) ?? `an unplanted value ${planted}`;
        found.set(input, (found.get(input) ?? new Set()).add(tag.key));
      }
    }
    const where = Object.fromEntries([...found].map(([input, keys]) => [input, [...keys].sort()]));
    expect(where).toEqual(Object.fromEntries(Object.entries(PUBLIC_BY_PURPOSE).map(([input, key]) => [input, [key]])));
    // No piece either: an input's value is tagged whole or not at all. Whole
    // planted values (the one tag meant for them, checked above) are blanked
    // first: two secrets can share a piece such as their last hex digits and
    // "Tail", which is a collision, not a leak.
    const withoutWholeSecrets = tags.map((tag) => `${tag.key}=${tag.value.replace(ANY_SECRET, '***')}`).join('\n');
    for (const planted of plantedIn.keys()) expect(leftovers(withoutWholeSecrets, planted, [])).toEqual([]);
  });
});
