import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '@img-mgr/kernel';
import { asRefusal } from '../src/refusals.js';
import type { DeployRequest } from '../src/request.js';

const request = {
  stackName: 's',
  region: 'us-east-1',
  mode: 'create-and-execute',
  roleArn: 'arn:aws:iam::123456789012:role/deploy',
  notificationArns: ['arn:aws:sns:us-east-1:123456789012:t'],
  waitTimeoutMs: 60_000,
} as DeployRequest;
const refused = (name: string, message: string): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe("asRefusal: CloudFormation's refusal of CreateStack/CreateChangeSet names the request field", () => {
  it.each([
    ['InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]', 'capabilities'],
    ['ValidationError', 'Role arn:aws:iam::123456789012:role/deploy is invalid or cannot be assumed', 'roleArn'],
    ['ValidationError', "Parameter 'Size' must be one of AllowedValues", 'parameters'],
    ['ValidationError', 'Template format error: Unresolved resource dependencies [X]', 'template'],
    ['ValidationError', 'S3 error: Access Denied', 'template'],
    ['NotFound', 'Endpoint does not exist', 'notificationArns'],
  ])('%s "%s" → %s', (name, message, field) => {
    const error = asRefusal(refused(name, message), request);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).field).toBe(field);
    expect((error as InvalidRequestError).problem).toBe(`was refused by CloudFormation: ${name}: ${message}`);
  });

  it('leaves a refusal that names no field, throttling and bugs as they are', () => {
    for (const error of [
      refused('ValidationError', 'Stack:arn:x is in UPDATE_IN_PROGRESS state and can not be updated.'),
      refused('Throttling', 'Rate exceeded'),
      new TypeError('x is undefined'),
    ])
      expect(asRefusal(error, request)).toBe(error);
  });
});
