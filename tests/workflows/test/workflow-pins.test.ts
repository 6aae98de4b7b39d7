/**
 * Static rules of the real platform that act and moto cannot show:
 * - every third-party action is pinned by full commit SHA with its tag as a
 *   comment, one pin per action across all workflows (Dependabot moves them
 *   together), to a major release whose runtime is recorded in
 *   .github/action-runtimes.json, and none runs on node20 or older (GitHub's
 *   runners have moved JavaScript actions to node24);
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
/** A third-party action's pin as a workflow writes it: `uses: repo@sha # tag`. */
interface Pin {
  file: string;
  repo: string;
  sha: string;
  tag: string;
}

const root = repoRoot();
/** `owner/name@vMAJOR` to runs.using, read from that release's action.yml when it was added. */
const runtimes = (
  JSON.parse(readFileSync(join(root, '.github', 'action-runtimes.json'), 'utf8')) as {
    runtimes: Record<string, string>;
  }
).runtimes;

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

/** Every third-party `uses:` of every workflow: not a local action, not img-mgr itself. */
function thirdPartyPins(): Pin[] {
  return workflowFiles().flatMap((file) =>
    usesOf(file)
      // img-mgr's own workflow and actions: by release tag on purpose (.github/zizmor.yml, README "Pinning").
      .filter(({ ref }) => !ref.startsWith('./') && !ref.startsWith('img-mgr/img-mgr-actions/'))
      .map(({ ref, comment }) => {
        const match = /^([\w.-]+\/[\w.-]+)(?:\/[^@]*)?@(.+)$/.exec(ref);
        expect(match, `${file}: ${ref}`).not.toBeNull();
        return { file, repo: match?.[1] ?? '', sha: match?.[2] ?? '', tag: comment };
      }),
  );
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
  it('every uses: is a local action, img-mgr itself, or a pin by full SHA with its tag as comment', () => {
    const pins = thirdPartyPins();
    expect(pins.length).toBeGreaterThan(0);
    for (const pin of pins) {
      expect(pin.sha, `${pin.file}: ${pin.repo} is not pinned by a full commit SHA`).toMatch(/^[0-9a-f]{40}$/);
      expect(pin.tag, `${pin.file}: ${pin.repo}@${pin.sha} should say its tag (vX.Y.Z)`).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });

  it('pins each action to one commit and tag in every workflow, so an update moves them all', () => {
    const versions = new Map<string, Set<string>>();
    for (const pin of thirdPartyPins()) {
      versions.set(pin.repo, (versions.get(pin.repo) ?? new Set()).add(`${pin.sha} # ${pin.tag}`));
    }
    for (const [repo, pinned] of versions) expect([...pinned], `${repo} is pinned differently`).toHaveLength(1);
  });

  it('records the runtime of each pinned major, none on node20 or older, and nothing unused', () => {
    const used = new Set(thirdPartyPins().map((pin) => `${pin.repo}@${/^v\d+/.exec(pin.tag)?.[0] ?? pin.tag}`));
    for (const major of used) {
      const using = runtimes[major];
      expect(using, `${major} is not in .github/action-runtimes.json: read its action.yml and add runs.using`).toMatch(
        /^(node\d+|composite|docker)$/,
      );
      expect(isRetiredRuntime(using ?? ''), `${major} runs on ${using}`).toBe(false);
    }
    expect(Object.keys(runtimes).sort(), 'entries of .github/action-runtimes.json no workflow uses').toEqual(
      [...used].sort(),
    );
  });

  it("act's offline stand-ins are mapped to exactly the pinned commits", () => {
    const pinned = new Map(thirdPartyPins().map((pin) => [pin.repo, pin.sha]));
    const actrc = readFileSync(join(root, 'workflows-example', 'act', '.actrc'), 'utf8');
    for (const [, repo = '', sha = ''] of actrc.matchAll(/^--local-repository ([\w.-]+\/[\w.-]+)@(\S+)=/gm)) {
      if (repo.startsWith('img-mgr/')) continue;
      expect(sha, `workflows-example/act/.actrc maps ${repo} at another commit than the workflows pin`).toBe(
        pinned.get(repo),
      );
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
