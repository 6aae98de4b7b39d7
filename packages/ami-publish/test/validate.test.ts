import { describe, expect, it } from 'vitest';
import { amiIdProblem, parameterNameProblem, parseRollbackTarget, tagProblem } from '../src/validate.js';

describe('syntax rules', () => {
  it('AMI ids: ami- and 8 or 17 lowercase hex digits', () => {
    expect(amiIdProblem('ami-0123456789abcdef0')).toBeUndefined();
    expect(amiIdProblem('ami-12345678')).toBeUndefined();
    for (const bad of [
      'ami-1234567',
      'ami-0123456789ABCDEF0',
      'ami-0123456789abcdef',
      'AMI-12345678',
      'snap-12345678',
      ' ami-12345678',
    ]) {
      expect(amiIdProblem(bad), bad).toMatch(/is not an AMI id/);
    }
  });

  it('parameter names follow the SSM rules', () => {
    for (const good of [
      '/common/img-mgr/golden-ami',
      'golden_ami.v1',
      '/a',
      `/${Array.from({ length: 15 }, () => 'x').join('/')}`,
    ]) {
      expect(parameterNameProblem(good), good).toBeUndefined();
    }
    expect(parameterNameProblem('')).toBe('is empty');
    expect(parameterNameProblem('/a b')).toMatch(/contains ' '/);
    expect(parameterNameProblem('/a:b')).toMatch(/contains ':'/);
    expect(parameterNameProblem('a/b')).toMatch(/must start with \//);
    expect(parameterNameProblem('/a/')).toMatch(/empty path level/);
    expect(parameterNameProblem(`/${Array.from({ length: 16 }, () => 'x').join('/')}`)).toMatch(/16 levels/);
    expect(parameterNameProblem('/AWS/x')).toMatch(/starts with 'aws'/);
    expect(parameterNameProblem('ssmthing')).toMatch(/starts with 'ssm'/);
    expect(parameterNameProblem(`/${'x'.repeat(1011)}`)).toMatch(/1012 characters long/);
  });

  it('tags follow the AWS tag rules', () => {
    expect(tagProblem('owner', 'platform team')).toBeUndefined();
    expect(tagProblem('aws:x', 'y')).toMatch(/reserved/);
    expect(tagProblem('k', 'v'.repeat(257))).toMatch(/257 characters/);
    expect(tagProblem('k*', 'v')).toMatch(/character tags do not allow/);
  });

  it('rollback targets: previous, a version number or a label', () => {
    expect(parseRollbackTarget('previous')).toEqual({ target: { kind: 'previous' } });
    expect(parseRollbackTarget('12')).toEqual({ target: { kind: 'version', version: 12 } });
    expect(parseRollbackTarget('release-1')).toEqual({ target: { kind: 'label', label: 'release-1' } });
    expect(parseRollbackTarget('0').problem).toMatch(/version number \(1 or more\)/);
    expect(parseRollbackTarget('ssm-x').problem).toMatch(/not previous, a version number or a valid label/);
  });
});
