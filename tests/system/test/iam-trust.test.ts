/**
 * The OIDC trust of github-bake-role.yaml (the bake role), github-deploy-role.yaml
 * (one per environment) and github-plan-role.yaml, evaluated the
 * way IAM does (a real policy evaluator) against a table of GitHub token
 * claims. moto does not enforce trust conditions at all, so no moto test can
 * show any of this.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfnDir } from './helpers.js';
import { loadTemplate, renderTemplate, roleArn, trustPolicy, type Rendered } from './iam-render.js';
import { ENVIRONMENTS, renderDeployRole } from './iam-roles.js';
import { assumeWithToken } from './iam-simulate.js';

const OWNER = 'your-user';
const OWNER_ID = '1234567';
const REPO = 'flask-aws-storage';
const REPO_ID = '890123456';
const IDS = `repo:${OWNER}@${OWNER_ID}/${REPO}@${REPO_ID}`;
/** The spelling GitHub's changelog of 2026-04-23 showed. */
const DASHED = `repo:${OWNER}-${OWNER_ID}/${REPO}-${REPO_ID}`;
const LEGACY = `repo:${OWNER}/${REPO}`;

const oidc = loadTemplate(join(cfnDir, 'github-bake-role.yaml'));
const plan = loadTemplate(join(cfnDir, 'github-plan-role.yaml'));

function renderOidc(parameters: Record<string, string>): Rendered {
  return renderTemplate(oidc, {
    stackName: 'img-mgr-github-oidc',
    parameters: { GitHubRepository: `${OWNER}/${REPO}`, ...parameters },
  });
}

function verdict(rendered: Rendered, logicalId: string, sub: string, aud?: string): string {
  return assumeWithToken(trustPolicy(rendered, logicalId), roleArn(rendered, logicalId), {
    sub,
    ...(aud ? { aud } : {}),
  });
}

const byIds = { GitHubOwnerId: OWNER_ID, GitHubRepositoryId: REPO_ID };
const byPrefix = { SubjectPrefix: DASHED };

describe(
  'github-bake-role.yaml: the bake role trusts the branches only, ' +
    'judged by an IAM evaluator (moto enforces no trust condition)',
  () => {
    const allowed: [string, Record<string, string>, string][] = [
      ['the trusted branch, immutable-ID subject', byIds, `${IDS}:ref:refs/heads/master`],
      ['the trusted branch, the SubjectPrefix the repository reports', byPrefix, `${DASHED}:ref:refs/heads/master`],
      ['the @ form given as SubjectPrefix', { SubjectPrefix: IDS }, `${IDS}:ref:refs/heads/master`],
      ['a second branch', { ...byIds, SecondBranch: 'release' }, `${IDS}:ref:refs/heads/release`],
      ['the legacy form, when LegacySubject=true', { LegacySubject: 'true' }, `${LEGACY}:ref:refs/heads/master`],
    ];
    it.each(allowed)('allows %s', (_name, parameters, sub) => {
      expect(verdict(renderOidc(parameters), 'GitHubBakeRole', sub)).toBe('Allowed');
    });

    const denied: [string, Record<string, string>, string, string?][] = [
      ['another branch', byIds, `${IDS}:ref:refs/heads/feature`],
      ['a branch that only starts like the trusted one', byIds, `${IDS}:ref:refs/heads/master-evil`],
      ['a tag', byIds, `${IDS}:ref:refs/tags/master`],
      ['a pull request', byIds, `${IDS}:pull_request`],
      ['a pull request (SubjectPrefix)', byPrefix, `${DASHED}:pull_request`],
      ["an environment job (a deploy role's subject)", byIds, `${IDS}:environment:dev`],
      ['the prod environment', byIds, `${IDS}:environment:prod`],
      ['an environment job (SubjectPrefix)', byPrefix, `${DASHED}:environment:dev`],
      [
        'another owner with the same repository name',
        byIds,
        `repo:someone-else@7654321/${REPO}@${REPO_ID}:ref:refs/heads/master`,
      ],
      [
        'a re-created repository with the same name and a new id',
        byIds,
        `repo:${OWNER}@${OWNER_ID}/${REPO}@999999999:ref:refs/heads/master`,
      ],
      [
        'a re-created repository (SubjectPrefix)',
        byPrefix,
        `repo:${OWNER}-${OWNER_ID}/${REPO}-999999999:ref:refs/heads/master`,
      ],
      ['the legacy form when LegacySubject is false', byIds, `${LEGACY}:ref:refs/heads/master`],
      ['the other spelling when only the ids are given', byIds, `${DASHED}:ref:refs/heads/master`],
      ['a token for another audience', byIds, `${IDS}:ref:refs/heads/master`, 'https://github.com/your-user'],
      ['a workflow on main (the upstream app has only master)', byIds, `${IDS}:ref:refs/heads/main`],
    ];
    it.each(denied)('denies %s', (_name, parameters, sub, aud) => {
      expect(verdict(renderOidc(parameters), 'GitHubBakeRole', sub, aud)).not.toBe('Allowed');
    });

    it('never trusts a pull_request subject, whatever the parameters', () => {
      const all = renderOidc({ ...byIds, SubjectPrefix: DASHED, LegacySubject: 'true', SecondBranch: '*' });
      for (const prefix of [IDS, DASHED, LEGACY]) {
        expect(verdict(all, 'GitHubBakeRole', `${prefix}:pull_request`)).not.toBe('Allowed');
        // Nor an environment, even with a wildcard branch.
        expect(verdict(all, 'GitHubBakeRole', `${prefix}:environment:prod`)).not.toBe('Allowed');
      }
    });

    it('the legacy form cannot tell a re-created repository from yours: that is why it is an explicit choice', () => {
      const legacy = renderOidc({ LegacySubject: 'true' });
      // The same owner/name subject, whoever owns the name now.
      expect(verdict(legacy, 'GitHubBakeRole', `${LEGACY}:ref:refs/heads/master`)).toBe('Allowed');
      expect(verdict(legacy, 'GitHubBakeRole', `${IDS}:ref:refs/heads/master`)).not.toBe('Allowed');
    });

    it('outputs TrustedSubjects: exactly the subjects of the trust policy, to compare with a token', () => {
      const rendered = renderOidc({ ...byIds, SubjectPrefix: DASHED, SecondBranch: 'release' });
      const statement = trustPolicy(rendered, 'GitHubBakeRole').Statement[0] as {
        Condition: { StringLike: Record<string, string[]> };
      };
      const subjects = statement.Condition.StringLike['token.actions.githubusercontent.com:sub'];
      expect(rendered.outputs.TrustedSubjects).toBe(subjects?.join(','));
      expect(subjects).toEqual([
        `${IDS}:ref:refs/heads/master`,
        `${IDS}:ref:refs/heads/release`,
        `${DASHED}:ref:refs/heads/master`,
        `${DASHED}:ref:refs/heads/release`,
      ]);
    });

    it('the defaults trust master, allow 2-hour sessions and create no OIDC provider (most accounts have one)', () => {
      const rendered = renderOidc(byIds);
      expect(rendered.parameters.AllowedBranch).toBe('master');
      expect(rendered.resources.GitHubOidcProvider).toBeUndefined();
      // The bake job may run 120 minutes: the role must allow sessions that long.
      expect(Number(rendered.resources.GitHubBakeRole?.Properties.MaxSessionDuration)).toBeGreaterThanOrEqual(120 * 60);
      expect(renderOidc({ ...byIds, CreateOidcProvider: 'true' }).resources.GitHubOidcProvider).toBeDefined();
    });

    it('refuses, through its Rules, a configuration that trusts nothing, naming the parameters', () => {
      const nothing = renderOidc({});
      expect(nothing.failedRules).toHaveLength(1);
      expect(nothing.failedRules[0]).toMatch(/GitHubOwnerId and GitHubRepositoryId.*SubjectPrefix.*LegacySubject=true/);
      expect(renderOidc({ GitHubRepositoryId: REPO_ID }).failedRules).toEqual([
        expect.stringMatching(/GitHubOwnerId and GitHubRepositoryId are given together/),
      ]);
      expect(renderOidc(byIds).failedRules).toEqual([]);
      expect(renderOidc(byPrefix).failedRules).toEqual([]);
    });

    it(
      'refuses ids that are not numbers, and a SubjectPrefix ' +
        'with wildcards, by AllowedPattern (naming the parameter)',
      () => {
        expect(() => renderOidc({ ...byIds, GitHubOwnerId: 'your-user' })).toThrow(/^parameter GitHubOwnerId: /);
        expect(() => renderOidc({ ...byIds, GitHubRepositoryId: '12a' })).toThrow(/^parameter GitHubRepositoryId: /);
        expect(() => renderOidc({ SubjectPrefix: 'repo:your-user/*' })).toThrow(/^parameter SubjectPrefix: /);
        expect(() => renderOidc({ SubjectPrefix: `${IDS}:ref:refs/heads/master` })).toThrow(
          /^parameter SubjectPrefix: /,
        );
      },
    );
  },
);

describe('github-deploy-role.yaml: each deploy role trusts its environment only (IAM evaluator)', () => {
  const EXECUTION = 'arn:aws:iam::123456789012:role/img-mgr/deploy/x';
  const deploy = (environment: 'dev' | 'prod', parameters: Record<string, string> = byIds) =>
    renderDeployRole({ ...ENVIRONMENTS[environment], ...parameters }, EXECUTION);

  it.each([
    ['dev, immutable-ID subject', 'dev', byIds, `${IDS}:environment:dev`],
    ['prod, immutable-ID subject', 'prod', byIds, `${IDS}:environment:prod`],
    ['prod, SubjectPrefix', 'prod', byPrefix, `${DASHED}:environment:prod`],
    ['prod, legacy form when LegacySubject=true', 'prod', { LegacySubject: 'true' }, `${LEGACY}:environment:prod`],
  ] as const)('allows %s', (_name, environment, parameters, sub) => {
    expect(verdict(deploy(environment, parameters), 'GitHubDeployRole', sub)).toBe('Allowed');
  });

  it.each([
    ["a push to the trusted branch (the bake job's subject)", 'prod', `${IDS}:ref:refs/heads/master`],
    ['a push to the trusted branch, dev role', 'dev', `${IDS}:ref:refs/heads/master`],
    ['the dev environment', 'prod', `${IDS}:environment:dev`],
    ['the prod environment', 'dev', `${IDS}:environment:prod`],
    ['an environment whose name only starts like prod', 'prod', `${IDS}:environment:prod-evil`],
    ['an environment named like a wildcard', 'prod', `${IDS}:environment:*`],
    ['a pull request', 'prod', `${IDS}:pull_request`],
    ['a re-created repository', 'prod', `repo:${OWNER}@${OWNER_ID}/${REPO}@999999999:environment:prod`],
    ['another owner', 'prod', `repo:someone-else@7654321/${REPO}@${REPO_ID}:environment:prod`],
    ['the legacy form when LegacySubject is false', 'prod', `${LEGACY}:environment:prod`],
  ] as const)('denies %s', (_name, environment, sub) => {
    expect(verdict(deploy(environment), 'GitHubDeployRole', sub)).not.toBe('Allowed');
  });

  it('denies a token for another audience', () => {
    expect(
      verdict(deploy('prod'), 'GitHubDeployRole', `${IDS}:environment:prod`, 'https://github.com/your-user'),
    ).not.toBe('Allowed');
  });

  it(
    'outputs TrustedSubjects as the trust policy has them; ' + 'one role per environment, 2-hour sessions by default',
    () => {
      const rendered = deploy('prod', { ...byIds, SubjectPrefix: DASHED });
      const statement = trustPolicy(rendered, 'GitHubDeployRole').Statement[0] as {
        Condition: { StringEquals: Record<string, string[]> };
      };
      const subjects = statement.Condition.StringEquals['token.actions.githubusercontent.com:sub'];
      expect(subjects).toEqual([`${IDS}:environment:prod`, `${DASHED}:environment:prod`]);
      expect(rendered.outputs.TrustedSubjects).toBe(subjects?.join(','));
      expect(roleArn(rendered, 'GitHubDeployRole')).toBe('arn:aws:iam::123456789012:role/img-mgr-github-deploy-prod');
      expect(roleArn(deploy('dev'), 'GitHubDeployRole')).toBe(
        'arn:aws:iam::123456789012:role/img-mgr-github-deploy-dev',
      );
      // The deploy job may run 90 minutes.
      expect(Number(rendered.resources.GitHubDeployRole?.Properties.MaxSessionDuration)).toBeGreaterThanOrEqual(
        90 * 60,
      );
    },
  );

  it(
    'takes the subject parameters of github-bake-role.yaml, with ' +
      'the same patterns, and refuses what trusts nothing',
    () => {
      const oidcParameters = loadTemplate(join(cfnDir, 'github-bake-role.yaml')).Parameters ?? {};
      const deployParameters = loadTemplate(join(cfnDir, 'github-deploy-role.yaml')).Parameters ?? {};
      for (const name of [
        'GitHubRepository',
        'GitHubOwnerId',
        'GitHubRepositoryId',
        'SubjectPrefix',
        'LegacySubject',
        'StackNamePrefix',
        'DeployRegions',
      ]) {
        const spec = (parameter: unknown) =>
          Object.fromEntries(
            Object.entries(parameter as Record<string, unknown>).filter(([key]) => key !== 'Description'),
          );
        expect(spec(deployParameters[name]), name).toEqual(spec(oidcParameters[name]));
      }
      expect(deploy('prod', { GitHubOwnerId: '', GitHubRepositoryId: '' }).failedRules[0]).toMatch(
        /GitHubOwnerId and GitHubRepositoryId.*SubjectPrefix.*LegacySubject=true/,
      );
      expect(deploy('prod', { GitHubOwnerId: '', GitHubRepositoryId: REPO_ID }).failedRules).toEqual([
        expect.stringMatching(/given together/),
      ]);
      expect(() => deploy('prod', { ...byIds, Environment: 'prod:*' })).toThrow(/^parameter Environment: /);
    },
  );
});

describe('github-plan-role.yaml trust: pull requests of this repository only (IAM evaluator)', () => {
  const renderPlan = (parameters: Record<string, string>) =>
    renderTemplate(plan, {
      stackName: 'img-mgr-github-plan',
      parameters: { GitHubRepository: `${OWNER}/${REPO}`, ...parameters },
    });

  it.each([
    ['immutable-ID subject', { GitHubOwnerId: OWNER_ID, GitHubRepositoryId: REPO_ID }, `${IDS}:pull_request`],
    ['SubjectPrefix', { SubjectPrefix: DASHED }, `${DASHED}:pull_request`],
  ])('allows a pull request (%s)', (_name, parameters, sub) => {
    expect(verdict(renderPlan(parameters), 'GitHubPlanRole', sub)).toBe('Allowed');
  });

  it.each([
    ['a push to master', `${IDS}:ref:refs/heads/master`],
    ['an environment job', `${IDS}:environment:dev`],
    ['a re-created repository', `repo:${OWNER}@${OWNER_ID}/${REPO}@1:pull_request`],
    ['another owner', `repo:someone-else@7654321/${REPO}@${REPO_ID}:pull_request`],
  ])('denies %s', (_name, sub) => {
    expect(
      verdict(renderPlan({ GitHubOwnerId: OWNER_ID, GitHubRepositoryId: REPO_ID }), 'GitHubPlanRole', sub),
    ).not.toBe('Allowed');
  });

  it('refuses a configuration that trusts nothing', () => {
    expect(renderPlan({}).failedRules[0]).toMatch(
      /GitHubOwnerId and GitHubRepositoryId.*SubjectPrefix.*LegacySubject=true/,
    );
  });
});
