import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parse, parseDocument, visit, type YAMLMap } from 'yaml';
import { cfnDir, templates } from './helpers.js';

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every IAM policy statement in a template (CloudFormation tags read as plain values). */
function statementsOf(path: string): Statement[] {
  const found: Statement[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Statement' && Array.isArray(value))
          found.push(...(value as Statement[]).filter((s) => s && typeof s === 'object'));
        walk(value);
      }
    }
  };
  walk(parse(readFileSync(path, 'utf8'), { logLevel: 'silent' }) as unknown);
  return found;
}

describe('IAM policies in the templates', () => {
  it.each(templates().map((path) => [path.slice(cfnDir.length + 1), path]))(
    '%s grants no "*" action and no wildcard action on "*"',
    (_name, path) => {
      for (const statement of statementsOf(path)) {
        const actions = list(statement.Action);
        expect(actions, JSON.stringify(statement)).not.toContain('*');
        if (list(statement.Resource).includes('*')) {
          expect(
            actions.filter((action) => action.includes('*')),
            JSON.stringify(statement),
          ).toEqual([]);
        }
      }
    },
  );

  it.each(['github-bake-role.yaml', 'github-deploy-role.yaml', 'github-plan-role.yaml'])(
    '%s fits in a TemplateBody (51,200 bytes): an administrator deploys it without an S3 bucket',
    (file) => {
      expect(readFileSync(join(cfnDir, file)).byteLength).toBeLessThanOrEqual(51_200);
    },
  );

  it.each(['github-bake-role.yaml', 'github-deploy-role.yaml', 'github-plan-role.yaml'])(
    '%s documents the reason of every statement in a comment',
    (file) => {
      const document = parseDocument(readFileSync(join(cfnDir, file), 'utf8'), { logLevel: 'silent' });
      const undocumented: string[] = [];
      let statements = 0;
      visit(document, {
        Pair(_key, pair) {
          if (
            !isMap(pair) &&
            String((pair.key as { value?: unknown } | null)?.value) === 'Statement' &&
            isSeq(pair.value)
          ) {
            for (const item of pair.value.items) {
              statements++;
              const map = item as YAMLMap;
              // A comment line right before `- Sid: ...` (the first statement's lands on the sequence).
              const comment =
                map.commentBefore ?? (pair.value.items[0] === item ? pair.value.commentBefore : undefined);
              if (!comment?.trim()) undocumented.push(JSON.stringify(map.toJSON()));
            }
          }
        },
      });
      expect(statements).toBeGreaterThan(file === 'github-bake-role.yaml' ? 20 : 4);
      expect(undocumented).toEqual([]);
    },
  );

  /** The first trust statement of a template's role. */
  function trustOf(file: string, role: string): Record<string, unknown> | undefined {
    const template = parse(readFileSync(join(cfnDir, file), 'utf8'), { logLevel: 'silent' }) as {
      Resources: Record<string, { Properties: { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } } }>;
    };
    return template.Resources[role]?.Properties.AssumeRolePolicyDocument.Statement[0];
  }

  it(
    'github-deploy-role.yaml trusts only GitHub tokens for AWS ' +
      'STS, of one environment, exactly (no branch, no wildcard)',
    () => {
      const trust = trustOf('github-deploy-role.yaml', 'GitHubDeployRole');
      expect(trust?.Action).toBe('sts:AssumeRoleWithWebIdentity');
      const condition = JSON.stringify(trust?.Condition);
      expect(Object.keys(trust?.Condition as object)).toEqual(['StringEquals']);
      expect(condition).toContain('"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"');
      expect(condition).toContain(
        'repo:${Owner}@${GitHubOwnerId}/${Repo}@${GitHubRepositoryId}:environment:${Environment}',
      );
      expect(condition).toContain('${SubjectPrefix}:environment:${Environment}');
      expect(condition).toContain('repo:${GitHubRepository}:environment:${Environment}');
      for (const other of ['ref:', 'pull_request', '*']) expect(condition).not.toContain(other);
    },
  );

  it('github-bake-role.yaml trusts only GitHub tokens for AWS STS, scoped by subject', () => {
    const trust = trustOf('github-bake-role.yaml', 'GitHubBakeRole');
    expect(trust?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(JSON.stringify(trust?.Condition)).toContain('"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"');
    const condition = JSON.stringify(trust?.Condition);
    expect(condition).toContain(
      'repo:${Owner}@${GitHubOwnerId}/${Repo}@${GitHubRepositoryId}:ref:refs/heads/${AllowedBranch}',
    );
    expect(condition).toContain('${SubjectPrefix}:ref:refs/heads/${AllowedBranch}');
    expect(condition).toContain('repo:${GitHubRepository}:ref:refs/heads/${AllowedBranch}');
    expect(condition).not.toContain('repo:*');
    // Pull requests get a role of their own (github-plan-role.yaml), environments theirs (github-deploy-role.yaml).
    expect(condition).not.toContain('pull_request');
    expect(condition).not.toContain('environment');
  });
});
