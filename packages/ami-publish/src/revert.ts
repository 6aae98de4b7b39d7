/**
 * The revert of a failed rollout: publish-ami's `reject-ami` with
 * `rollback-to`, which the reusable workflow's revert job runs when a deploy
 * fails after its publish wrote a new version. Two steps, in this order:
 * tag the AMI img-mgr:rejected (so that even if the rest fails, rollback-to
 * previous, promotion and pruning treat it as a failed rollout), then
 * republish the version that was live before the run as a new version
 * labelled rollback-from-v<N>, only while the parameter still holds the
 * rejected AMI: a newer version that another writer put meanwhile is never
 * overwritten. runPublishAmi calls them; the rejected mark itself is in
 * rejected.ts, the rollback's choice of version in rollback.ts.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ActionError, awsErrorClass, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { ImageNotUsableError } from './images.js';
import { currentVersion } from './pointer.js';
import type { PublishReport } from './publish.js';
import { REJECTED_TAG_KEY } from './rejected-tag.js';
import { rejectAmi, type RejectRequest } from './rejected.js';
import { prepareRollback, resolveRollbackTarget, writeRollback, type RollbackRequest } from './rollback.js';

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

/**
 * The revert found the parameter moved on: another writer put a newer
 * version after the run's publish. Nothing but the rejected tag is written,
 * unless the other version landed between the revert's last check and its
 * PutParameter (SSM has no compare-and-swap): then `written` is the revert's
 * version on top of it, and `live` the other writer's version it covers.
 */
export class RevertSupersededError extends ActionError {
  constructor(
    readonly region: string,
    readonly parameterName: string,
    readonly rejectedAmi: string,
    readonly live: { version: number; value: string },
    readonly read?: number,
    readonly written?: number,
  ) {
    super(
      written === undefined
        ? `${parameterName} in ${region} ${read === undefined ? 'holds' : `moved on from version ${read}: it holds`} ` +
            `${live.value} (version ${live.version} is live), not ${rejectedAmi}, so another writer published after ` +
            `this run and the revert wrote nothing but the ${REJECTED_TAG_KEY} tag on ${rejectedAmi}`
        : `${parameterName} in ${region} moved on from version ${read ?? '?'} while the revert wrote: another ` +
            `version landed concurrently (version ${live.version}, ${live.value}, put by another writer between the ` +
            `revert's last check and its PutParameter), so the revert's republish became version ${written} on top ` +
            `of it`,
      written === undefined
        ? `Version ${live.version} stays live; if it must go too, roll back to a version explicitly`
        : `Version ${written} (the revert's) is live; if ${live.value} must be live instead, roll back to version ` +
            `${live.version} explicitly`,
    );
  }
}

/**
 * Step two, once the AMI is tagged: republishes the version that `to` names
 * (the one live before the run), but only while the parameter still holds
 * the rejected AMI. In the rejected AMI's region the pointer as read must
 * hold it (or already hold the target: a re-run of a revert that completed
 * writes nothing); in every region, the version read must still be the
 * newest immediately before the PutParameter, and the version it returns
 * must be the next one. Otherwise RevertSupersededError.
 */
export async function republishLiveBefore(request: RevertRequest, context: Context): Promise<PublishReport> {
  const { reject } = request;
  const prepared = await prepareRollback(request, context, (pointer) => {
    const current = currentVersion(pointer);
    if (pointer.region !== reject.region || !current || current.value === reject.amiId) return;
    // Already reverted (a re-run): the target's value is live, and there is nothing to overwrite.
    const target = resolveRollbackTarget(pointer, request.to);
    if (current.value === target.value) return;
    throw new RevertSupersededError(pointer.region, pointer.name, reject.amiId, current);
  });
  return writeRollback(prepared, request, context, (region) => {
    const read = currentVersion(region.pointer);
    const { ssm, pointer } = region;
    return {
      // As late as possible: after the label window is trimmed, immediately before the PutParameter.
      beforePut: async () => {
        if (!read) return;
        const live = await liveVersion(ssm, pointer.name, context.signal);
        if (live && live.version !== read.version) {
          throw new RevertSupersededError(region.region, pointer.name, reject.amiId, live, read.version);
        }
      },
      // PutParameter cannot be conditional: a version that landed after the check shows as a gap in the numbers.
      afterPut: async (written) => {
        const expected = (read?.version ?? 0) + 1;
        if (written === expected) return;
        const other = written - 1;
        const landed = (await liveVersion(ssm, `${pointer.name}:${other}`, context.signal)) ?? {
          version: other,
          value: 'a value no longer readable',
        };
        throw new RevertSupersededError(region.region, pointer.name, reject.amiId, landed, expected - 1, written);
      },
    };
  });
}

/** The parameter's newest version (or the one `name:version` names) as SSM answers now (undefined when gone). */
async function liveVersion(
  ssm: SSMClient,
  name: string,
  signal: AbortSignal,
): Promise<{ version: number; value: string } | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }), { abortSignal: signal });
    return { version: Parameter?.Version ?? 0, value: Parameter?.Value ?? '' };
  } catch (error: unknown) {
    if (awsErrorClass(error) === 'not-found') return undefined;
    throw error;
  }
}
