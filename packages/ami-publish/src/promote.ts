/**
 * Promotion: publish the AMI that another environment's pointer holds now
 * (dev's golden AMI into prod's), with the same checks and write as a
 * publish. No bake: prod only ever gets an AMI that dev ran.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ActionError, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { allOrAbort } from './all-or-abort.js';
import { currentVersion, readPointer } from './pointer.js';
import { publishAmi, type PublishReport } from './publish.js';
import { REJECTED_TAG_KEY } from './rejected-tag.js';
import { readRejections, selectable } from './selection.js';
import { parameterNameProblem } from './validate.js';
import type { WriteSettings } from './write.js';

/** The source pointer has no AMI that may be promoted; `problem` says why (the caller names its field). */
export class PromoteSourceError extends ActionError {
  constructor(
    readonly region: string,
    readonly problem: string,
  ) {
    super(`${problem} (in ${region})`);
  }
}

export interface PromoteRequest extends WriteSettings {
  regions: string[];
  /** The parameter whose current value is promoted (dev's golden AMI). */
  from: string;
}

/**
 * Publishes `from`'s current AMI to `parameterName` in every region. Throws,
 * having written nothing, when `from` does not exist or its AMI is rejected.
 */
export async function promoteAmi(request: PromoteRequest, context: Context): Promise<PublishReport> {
  const problem = parameterNameProblem(request.from);
  if (problem) throw new InvalidRequestError('from', problem);
  if (request.from === request.parameterName) {
    throw new InvalidRequestError(
      'from',
      `names ${request.from}, the parameter being written; promote from another environment's parameter`,
    );
  }
  const targets = await allOrAbort(
    request.regions,
    async (region, signal) => {
      const ssm = context.clients.get(SSMClient, region);
      const pointer = await readPointer(ssm, region, request.from, signal);
      const source = currentVersion(pointer);
      if (!source)
        throw new PromoteSourceError(region, `${request.from} does not exist, so no AMI is live there to promote`);
      const ec2 = context.clients.get(EC2Client, region);
      const rejections = await readRejections(ec2, [source.value], signal);
      const rejectedBy = rejections.get(source.value);
      if (!selectable(pointer, rejections).promotable) {
        throw new PromoteSourceError(
          region,
          `${request.from} holds ${source.value}, which carries ${REJECTED_TAG_KEY}=${rejectedBy ?? '?'} ` +
            '(a failed rollout)',
        );
      }
      context.log.info(
        `[${region}] Promoting ${source.value} (${request.from} version ${source.version}) to ${request.parameterName}`,
      );
      return { region, amiId: source.value };
    },
    context.signal,
  );
  return publishAmi({ ...request, targets }, context);
}
