/**
 * The revert of a failed rollout: publish-ami's `reject-ami` with
 * `rollback-to`, which the reusable workflow's revert job runs when a deploy
 * fails after its publish wrote a new version. Two steps, in this order:
 * tag the AMI img-mgr:rejected (so that even if the rest fails, rollback-to
 * previous, promotion and pruning treat it as a failed rollout), then
 * republish the version that was live before the run as a new version
 * labelled rollback-from-v<N>. runPublishAmi calls them; the rejected mark
 * itself is in rejected.ts, the rollback's choice of version in rollback.ts.
 */
import { InvalidRequestError, type Context } from '@img-mgr/kernel';
import { ImageNotUsableError } from './images.js';
import type { PublishReport } from './publish.js';
import { rejectAmi, type RejectRequest } from './rejected.js';
import { rollbackAmi, type RollbackRequest } from './rollback.js';

/** A revert: the rollback that republishes what was live before, and the AMI it rejects. */
export interface RevertRequest extends RollbackRequest {
  reject: RejectRequest;
}

/**
 * Step one: tags the failed AMI rejected. An AMI that cannot be tagged (it
 * does not exist) is an InvalidRequestError naming the `reject` field.
 */
export async function rejectFailedAmi(target: RejectRequest, context: Context): Promise<void> {
  try {
    await context.log.group(`Reject ${target.amiId} in ${target.region}`, () => rejectAmi(target, context));
  } catch (error: unknown) {
    if (error instanceof ImageNotUsableError) {
      throw new InvalidRequestError('reject', `cannot be tagged: ${error.message}; nothing was written`);
    }
    throw error;
  }
}

/** Step two, once the AMI is tagged: republishes the version that `to` names (the one live before the run). */
export async function republishLiveBefore(request: RevertRequest, context: Context): Promise<PublishReport> {
  return rollbackAmi(request, context);
}
