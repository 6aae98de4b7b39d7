/**
 * Static rules of the real platform that act and moto cannot show:
 * - every third-party action is pinned by full commit SHA to a release whose
 *   runtime is recorded in .github/pinned-actions.json, and none runs on
 *   node20 or older (GitHub's runners have moved JavaScript actions to node24);
 * - every AWS session lasts as long as its job may run, and the role's
 *   MaxSessionDuration allows that length (configure-aws-credentials asks for
 *   3600 s by default, and STS refuses more than MaxSessionDuration): the
 *   bake job's role in github-bake-role.yaml, the publish, deploy and revert jobs'
 *   in github-deploy-role.yaml, the plan job's in github-plan-role.yaml.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@img-mgr/testbed';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  'timeout-minutes'?: number;
  steps?: Step[];
}
interface Pin {
  repo: string;
  tag: string;
  sha: string;
  using: string;
  checked: string;
}

const root = repoRoot();
const pins = (JSON.parse(readFileSync(join(root, '.github', 'pinned-actions.json'), 'utf8')) as { actions: Pin[] })
  .actions;

/** Every workflow file: this repository's and the examples for a fork. */
function workflowFiles(): string[] {
  return [join('.github', 'workflows'), 'workflows-example'].flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => join(folder, file)),
  );
}

function jobsOf(file: string): Record<string, Job> {
  return (parse(readFileSync(join(root, file), 'utf8')) as { jobs: Record<string, Job> }).jobs;
}

/** Each `uses:` of a file (job level and step level), with the comment after it. */
function usesOf(file: string): { ref: string; comment: string }[] {
  return [
    ...readFileSync(join(root, file), 'utf8').matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)[ \t]*(?:#[ \t]*(.*))?$/gm),
  ].map((match) => ({
    ref: match[1] ?? '',
    comment: (match[2] ?? '').trim(),
  }));
}

/** True for runs.using values GitHub's runners no longer run: node20 and older. */
function isRetiredRuntime(using: string): boolean {
  const node = /^node(\d+)$/.exec(using);
  return node !== null && Number(node[1]) <= 20;
}

/** CloudFormation's short-form tags, read as plain data (the template is only inspected). */
const cfnTags: Tags = [
  'Ref',
  'Sub',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'ImportValue',
  'GetAZs',
  'Cidr',
].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    ...(kind === 'scalar' ? {} : { collection: kind }),
    resolve: (value: unknown) => ({ [`Fn::${name}`]: value }),
  })),
);

/**
 * The shortest MaxSessionDuration the template's roles that GitHub assumes
 * through OIDC (those whose trust policy names a federated principal) can
 * have: IAM's default 3600 when the property is absent, and when it is a
 * parameter, the parameter's MinValue (any value an administrator may choose
 * must allow the sessions). Undefined when the template does not exist.
 */
function oidcRoleMaxSession(template: string): number | undefined {
  const path = join(root, 'cloudformation', template);
  if (!existsSync(path)) return undefined;
  const { Resources: resources, Parameters: parameters = {} } = parse(readFileSync(path, 'utf8'), {
    customTags: cfnTags,
  }) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Parameters?: Record<string, { Default?: unknown; MinValue?: unknown }>;
  };
  const roles = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Role' &&
      JSON.stringify(resource.Properties.AssumeRolePolicyDocument ?? {}).includes('"Federated"'),
  );
  expect(roles.length, `${template}: roles assumed through OIDC`).toBeGreaterThan(0);
  const shortest = (value: unknown): number => {
    const ref = (value as { 'Fn::Ref'?: string } | undefined)?.['Fn::Ref'];
    if (ref === undefined) return Number(value ?? 3600);
    const parameter = parameters[ref];
    expect(parameter, `${template}: parameter ${ref}`).toBeDefined();
    return Number(parameter?.MinValue ?? parameter?.Default);
  };
  return Math.min(...roles.map((role) => shortest(role.Properties.MaxSessionDuration)));
}

describe('third-party actions', () => {
  it('the record lists each pin once, by full SHA, checked against its action.yml, none on node20 or older', () => {
    expect(pins.length).toBeGreaterThan(0);
    expect(new Set(pins.map((pin) => pin.repo)).size).toBe(pins.length);
    for (const pin of pins) {
      expect(pin.sha, pin.repo).toMatch(/^[0-9a-f]{40}$/);
      expect(pin.tag, pin.repo).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(pin.checked, pin.repo).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(pin.using, pin.repo).toMatch(/^(node\d+|composite|docker)$/);
      expect(isRetiredRuntime(pin.using), `${pin.repo}@${pin.tag} runs on ${pin.using}`).toBe(false);
    }
  });

  it('every uses: is a local action, img-mgr itself, or a recorded pin by full SHA with its tag as comment', () => {
    const used = new Set<string>();
    for (const file of workflowFiles()) {
      for (const { ref, comment } of usesOf(file)) {
        if (ref.startsWith('./')) continue;
        // img-mgr's own workflow and actions: by release tag on purpose (.github/zizmor.yml, README "Pinning").
        if (ref.startsWith('img-mgr/img-mgr-actions/')) continue;
        const match = /^([\w.-]+\/[\w.-]+)(?:\/[^@]*)?@(.+)$/.exec(ref);
        expect(match, `${file}: ${ref}`).not.toBeNull();
        const [, repo = '', version = ''] = match ?? [];
        expect(version, `${file}: ${ref} is not pinned by a full commit SHA`).toMatch(/^[0-9a-f]{40}$/);
        const pin = pins.find((candidate) => candidate.repo === repo);
        expect(pin, `${file}: ${repo} is not in .github/pinned-actions.json`).toBeDefined();
        expect(version, `${file}: ${repo} is pinned to another commit than the record's`).toBe(pin?.sha);
        expect(comment, `${file}: ${ref} should say its tag`).toBe(pin?.tag);
        used.add(repo);
      }
    }
    expect([...used].sort(), 'entries of the record that no workflow uses').toEqual(pins.map((pin) => pin.repo).sort());
  });

  it("act's offline stand-ins are mapped to exactly the recorded commits", () => {
    const actrc = readFileSync(join(root, 'workflows-example', 'act', '.actrc'), 'utf8');
    for (const [, repo = '', sha = ''] of actrc.matchAll(/^--local-repository ([\w.-]+\/[\w.-]+)@(\S+)=/gm)) {
      if (repo.startsWith('img-mgr/')) continue;
      expect(sha, repo).toBe(pins.find((pin) => pin.repo === repo)?.sha);
    }
  });

  it('tells node20 and older apart from current runtimes', () => {
    expect(['node12', 'node16', 'node20'].map(isRetiredRuntime)).toEqual([true, true, true]);
    expect(['node24', 'node26', 'composite', 'docker'].map(isRetiredRuntime)).toEqual([false, false, false, false]);
  });
});

describe('AWS sessions', () => {
  const credentialSteps = workflowFiles().flatMap((file) =>
    Object.entries(jobsOf(file)).flatMap(([name, job]) =>
      (job.steps ?? [])
        .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .map((step) => ({ where: `${file} ${name}`, file, job, step })),
    ),
  );

  it('every credentials step asks for a session at least as long as its job may run', () => {
    expect(credentialSteps.length).toBeGreaterThanOrEqual(4);
    for (const { where, job, step } of credentialSteps) {
      const timeout = job['timeout-minutes'];
      expect(timeout, `${where}: timeout-minutes`).toBeTypeOf('number');
      expect(Number(step.with?.['role-duration-seconds']), `${where}: role-duration-seconds`).toBeGreaterThanOrEqual(
        (timeout ?? Infinity) * 60,
      );
    }
  });

  // The roles: bake in github-bake-role.yaml; publish, deploy, revert in github-deploy-role.yaml; plan in
  // github-plan-role.yaml.
  it("and the role's MaxSessionDuration allows that length (each role's template)", () => {
    const limits = {
      bake: oidcRoleMaxSession('github-bake-role.yaml') ?? 0,
      deploy: oidcRoleMaxSession('github-deploy-role.yaml') ?? 0,
      // The plan role is a template of its own; until it exists, IAM's default applies.
      plan: oidcRoleMaxSession('github-plan-role.yaml') ?? 3600,
    };
    expect(limits.bake).toBeGreaterThan(0);
    expect(limits.deploy).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const { where, step } of credentialSteps) {
      const role = String(step.with?.['role-to-assume']);
      const kind = role.includes('AWS_PLAN_ROLE_ARN')
        ? 'plan'
        : role.includes('bake-role-to-assume')
          ? 'bake'
          : 'deploy';
      seen.add(kind);
      const max = limits[kind];
      expect(
        Number(step.with?.['role-duration-seconds']),
        `${where}: more than the ${kind} role's MaxSessionDuration ${max}`,
      ).toBeLessThanOrEqual(max);
    }
    expect([...seen].sort()).toEqual(['bake', 'deploy', 'plan']);
  });
});
