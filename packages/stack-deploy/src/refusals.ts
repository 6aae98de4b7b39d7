/**
 * CloudFormation's refusal of a CreateStack or CreateChangeSet, as the error
 * of the request field that caused it. Everything those calls carry comes
 * from the request, so a refusal is about one of its values; AWS names it
 * only in its message (a ValidationError for a parameter, a role, the
 * template), so the field is read from that, and the line then names the
 * input the user can fix. An error that names no field stays as it is.
 */
import { awsErrorClass, awsErrorName, awsReason, InvalidRequestError } from '@img-mgr/kernel';
import type { DeployRequest } from './request.js';

/** The request field a refusal is about, or undefined when its text does not say. */
function fieldOf(error: unknown, request: DeployRequest): keyof DeployRequest | undefined {
  const name = awsErrorName(error);
  if (name === 'InsufficientCapabilitiesException') return 'capabilities';
  const message = error instanceof Error ? error.message : '';
  const kind = awsErrorClass(error);
  if (kind === 'not-found' && (request.notificationArns?.length ?? 0) > 0 && /endpoint|topic|sns/i.test(message))
    return 'notificationArns';
  if (kind !== 'invalid' && kind !== 'access-denied') return undefined;
  if (request.roleArn && /\brole\b/i.test(message)) return 'roleArn';
  if (/notification/i.test(message)) return 'notificationArns';
  if (/\bparameters?\b/i.test(message)) return 'parameters';
  if (/template|S3 error|TemplateURL/i.test(message)) return 'template';
  if (/\btags?\b/i.test(message)) return 'tags';
  return undefined;
}

/** `error` as an InvalidRequestError on the field it is about (see the module comment), else unchanged. */
export function asRefusal(error: unknown, request: DeployRequest): unknown {
  const field = fieldOf(error, request);
  return field ? new InvalidRequestError(field, `was refused by CloudFormation: ${awsReason(error)}`) : error;
}
