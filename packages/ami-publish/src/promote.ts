/**
 * Promotion: publish the AMI that another environment's pointer holds now
 * (dev's golden AMI into prod's), with the same checks and write as a
 * publish. No bake: prod only ever gets an AMI that dev ran.
 */
import { ActionError, InputError } from '@img-mgr/kernel';
import { allOrAbort, clientsFor, type RunContext } from './context.js';
import { currentVersion, readPointer } from './pointer.js';
import { publishAmi, type PublishReport } from './publish.js';
import { REJECTED_TAG_KEY, rejectionOf } from './rejected.js';
import { parameterNameProblem } from './validate.js';
import type { WriteSettings } from './write.js';

/** The source pointer has no AMI that may be promoted; `problem` says why (the caller names its input). */
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
export async function promoteAmi(request: PromoteRequest, context: RunContext): Promise<PublishReport> {
  const problem = parameterNameProblem(request.from);
  if (problem) throw new InputError('promote-from', problem);
  if (request.from === request.parameterName) {
    throw new InputError('promote-from', `names ${request.from}, the parameter being written; promote from another environment's parameter`);
  }
  const targets = await allOrAbort(
    request.regions,
    async (region, signal) => {
      const clients = clientsFor(region, context);
      const source = currentVersion(await readPointer(clients.ssm, region, request.from, signal));
      if (!source) throw new PromoteSourceError(region, `${request.from} does not exist, so no AMI is live there to promote`);
      const rejectedBy = await rejectionOf(clients.ec2, source.value, signal);
      if (rejectedBy !== undefined) {
        throw new PromoteSourceError(region, `${request.from} holds ${source.value}, which carries ${REJECTED_TAG_KEY}=${rejectedBy} (a failed rollout)`);
      }
      context.log(`[${region}] Promoting ${source.value} (${request.from} version ${source.version}) to ${request.parameterName}`);
      return { region, amiId: source.value };
    },
    context.signal,
  );
  return publishAmi({ ...request, targets }, context);
}
