import { describe, expect, it } from 'vitest';
import {
  asFieldError,
  boundedLine,
  environmentSecrets,
  errorMessage,
  InputError,
  InvalidRequestError,
  JsonSyntaxError,
  MAX_ERROR_LINE,
  packerVariableWithUrlCredentials,
  parseStrictJson,
} from '../src/index.js';

const awsError = (name: string, message: string): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('parseStrictJson: JSON.parse, refusing a key given twice in one object', () => {
  it.each([
    ['{"a":"1","b":"2"}', { a: '1', b: '2' }],
    ['{"a":{"k":"1"},"b":{"k":"2"}}', { a: { k: '1' }, b: { k: '2' } }],
    ['[{"k":1},{"k":2}]', [{ k: 1 }, { k: 2 }]],
    ['{"a":"{\\"a\\":1}","b":"a"}', { a: '{"a":1}', b: 'a' }],
    ['{"a":["a","a"],"b":"a"}', { a: ['a', 'a'], b: 'a' }],
    ['42', 42],
  ])('parses %s', (text, value) => {
    expect(parseStrictJson(text)).toEqual(value);
  });

  it.each([
    ['{"a":"1","a":"2"}', "sets 'a' more than once"],
    ['{"a":"x\\"y","b":"1", "a" : "2"}', "sets 'a' more than once"],
    ['{"x":{"k":"1","k":"2"}}', "sets 'k' more than once"],
    ['[{"k":1,"k":2}]', "sets 'k' more than once"],
    ['{"\\u0061":"1","a":"2"}', "sets 'a' more than once"],
    ['{"a":', 'is not JSON'],
  ])('refuses %s, saying where, never quoting the text', (text, problem) => {
    expect(() => parseStrictJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseStrictJson(text)).toThrow(problem);
  });
});

describe('boundedLine and errorMessage: one line of a few hundred characters at most', () => {
  it('names a word of more than 200 characters by its length, never cutting it', () => {
    const token = 't'.repeat(300);
    expect(boundedLine(`bad value ${token} here`)).toBe('bad value (300 characters, not shown) here');
    expect(errorMessage(new Error(`x ${token}`))).toBe('x (300 characters, not shown)');
  });

  it('ends a long line at a word boundary', () => {
    const line = boundedLine(Array.from({ length: 200 }, (_, index) => `word${index}`).join(' '));
    expect(line.length).toBeLessThanOrEqual(MAX_ERROR_LINE);
    expect(line.endsWith('…')).toBe(true);
    expect(line).toMatch(/ word\d+…$/);
  });

  it('leaves a line that fits as it is', () => {
    expect(errorMessage(new InputError('region', "has 'xx-1'"))).toBe("Input 'region' has 'xx-1'");
  });
});

describe('asFieldError: an AWS refusal of a caller value names its field', () => {
  it.each([
    ['NotFound', 'The specified bucket does not exist'],
    ['NoSuchBucket', 'The specified bucket does not exist'],
    ['AccessDenied', 'Access Denied'],
    ['ValidationError', 'TemplateURL must be a supported URL.'],
  ])('%s becomes an InvalidRequestError', (name, message) => {
    const error = asFieldError(awsError(name, message), 'template', 'cannot be read');
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toBe(`'template' cannot be read: ${name}: ${message}`);
  });

  it('keeps throttling, network errors and bugs as they are', () => {
    const throttled = awsError('ThrottlingException', 'Rate exceeded');
    expect(asFieldError(throttled, 'template', 'x')).toBe(throttled);
    const bug = new TypeError('undefined is not a function');
    expect(asFieldError(bug, 'template', 'x')).toBe(bug);
  });

  it('never repeats a long AWS message', () => {
    const error = asFieldError(awsError('ValidationError', 'v'.repeat(500)), 'parameters', 'refused');
    expect((error as Error).message).toBe("'parameters' refused: ValidationError (a message of 500 characters)");
  });
});

describe('environmentSecrets: what a step masks from its environment before its first line', () => {
  it('takes AWS and GitHub secrets whole, Packer variables named like secrets, and URL credentials', () => {
    const secrets = environmentSecrets({
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN',
      AWS_REGION: 'us-east-1',
      GITHUB_TOKEN: 'ghs_exampleexampleexample',
      PKR_VAR_db_password: 'correct-horse-battery',
      PKR_VAR_instance_type: 't3.micro',
      PKR_VAR_flask_repo: 'https://x-access-token:ghp_0123456789abcdef@github.com/me/app.git',
      PATH: '/usr/bin',
    });
    expect(secrets.sort()).toEqual(
      [
        'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'FwoGZXIvYXdzEXAMPLETOKEN',
        'ghs_exampleexampleexample',
        'correct-horse-battery',
        'x-access-token:ghp_0123456789abcdef',
        'x-access-token',
        'ghp_0123456789abcdef',
      ].sort(),
    );
  });

  it('leaves out values too short to mask without hiding ordinary words (moto\'s "testing")', () => {
    expect(environmentSecrets({ AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: '' })).toEqual([]);
  });

  it('finds the Packer variable that holds a URL with credentials, by name', () => {
    expect(packerVariableWithUrlCredentials({ PKR_VAR_flask_repo: 'https://ghp_x@github.com/a.git' })).toBe(
      'PKR_VAR_flask_repo',
    );
    expect(packerVariableWithUrlCredentials({ PKR_VAR_flask_repo: 'https://github.com/a.git' })).toBeUndefined();
    expect(packerVariableWithUrlCredentials({ FLASK_REPO: 'https://ghp_x@github.com/a.git' })).toBeUndefined();
  });
});
