/**
 * One entry for everything publish-ami does in a step, for the action and
 * the CLI alike: tag a failed AMI rejected, then publish, roll back or
 * promote the pointer in every region, then prune each region written.
 * A rejection with a rollback is the revert of a failed rollout (revert.ts).
 */
import { ActionError, errorMessage, InvalidRequestError, type Context } from '@img-mgr/kernel';
import { ImageNotUsableError } from './images.js';
import { PromoteSourceError, promoteAmi } from './promote.js';
import { pruneAmis, type PruneReport } from './prune.js';
import { describeFailure, publishAmi, type PublishReport, type PublishTarget } from './publish.js';
import { rejectFailedAmi, republishLiveBefore } from './revert.js';
import { rollbackAmi, RollbackTargetError } from './rollback.js';
import type { PublishAmiMode, RollbackTarget } from './validate.js';
import type { WriteSettings } from './write.js';

/** How pruning runs after the write (or alone). */
export interface PruneSettings {
  /** How many of the newest AMIs to keep regardless of use (at least 1). */
  keep: number;
  /** Value of the `application` tag that marks this application's AMIs. */
  application: string;
  dryRun: boolean;
  referencePath?: string;
  rollbackWindow?: number;
}

export interface PublishAmiRequest extends WriteSettings {
  mode: PublishAmiMode;
  /** publish: each region and the AMI its pointer should hold. */
  targets?: PublishTarget[];
  /** rollback, promote, and runs that only reject or prune: the regions worked on. */
  regions?: string[];
  /** rollback: the version to republish. */
  to?: RollbackTarget;
  /** promote: the parameter whose current AMI is published. */
  from?: string;
  /** Tag this AMI rejected (in its region) before anything else, whatever the mode. */
  reject?: { amiId: string; region: string; by: string };
  /** Prune every region written (or `regions`, when nothing is written). */
  prune?: PruneSettings;
}

export interface PublishAmiResult {
  mode: PublishAmiMode;
  /** The reject AMI was tagged. */
  rejected: boolean;
  /** The write's per-region outcome (absent when nothing was to be written, or it failed before writing). */
  report?: PublishReport;
  prunes: PruneReport[];
  /**
   * What stopped the run, when something did: the caller sets its outputs and
   * summary from what was done, then reports it. Values that cannot be used
   * (an AMI that is not available, a rollback target or promote source that
   * does not qualify) come as InvalidRequestError naming the field.
   */
  error?: Error;
}

/**
 * Runs the step: reject first (so that even if the rest fails, rollback and
 * pruning see the failed AMI as rejected), then the mode's write, then
 * pruning. Never throws: the outcome carries what was done and what failed.
 */
export async function runPublishAmi(request: PublishAmiRequest, context: Context): Promise<PublishAmiResult> {
  const result: PublishAmiResult = { mode: request.mode, rejected: false, prunes: [] };
  try {
    checkMode(request);
    if (request.reject) {
      await rejectFailedAmi(request.reject, context);
      result.rejected = true;
    }
    const report = await write(request, context);
    if (report) {
      result.report = report;
      if (!report.ok) throw new ActionError(describeFailure(report));
    }
    if (request.prune) {
      const regions = report ? report.results.map((entry) => entry.region) : (request.regions ?? []);
      for (const region of regions) result.prunes.push(await prune(request, request.prune, region, context));
      const failures = result.prunes.flatMap((entry) => entry.failures.map((failure) => `${entry.region} ${failure}`));
      if (failures.length > 0) throw new ActionError(`Pruning could not remove everything: ${failures.join('; ')}`);
    }
  } catch (error: unknown) {
    result.error = error instanceof Error ? error : new ActionError(errorMessage(error));
  }
  return result;
}

/** Each mode needs its own field. */
function checkMode(request: PublishAmiRequest): void {
  const needs: Record<PublishAmiMode, [keyof PublishAmiRequest, boolean]> = {
    publish: ['targets', (request.targets?.length ?? 0) > 0],
    rollback: ['to', request.to !== undefined],
    promote: ['from', request.from !== undefined],
    reject: ['reject', request.reject !== undefined],
    prune: ['prune', request.prune !== undefined],
  };
  const [field, given] = needs[request.mode];
  if (!given) throw new InvalidRequestError(field, `is required when the mode is ${request.mode}`);
}

/** The mode's write, with "this value cannot be used" turned into an error naming its field. */
async function write(request: PublishAmiRequest, context: Context): Promise<PublishReport | undefined> {
  const regions = request.regions ?? [];
  const list = regions.join(', ');
  try {
    switch (request.mode) {
      case 'publish': {
        const targets = request.targets ?? [];
        const title = targets.map((target) => `${target.amiId} (${target.region})`).join(', ');
        return await context.log.group(`Publish ${title} to ${request.parameterName}`, () =>
          publishAmi({ ...request, targets }, context),
        );
      }
      case 'rollback': {
        const to = request.to ?? { kind: 'previous' };
        const { reject } = request;
        return await context.log.group(`Roll ${request.parameterName} back to ${describeTarget(to)} in ${list}`, () =>
          reject
            ? republishLiveBefore({ ...request, regions, to, reject }, context)
            : rollbackAmi({ ...request, regions, to }, context),
        );
      }
      case 'promote': {
        const from = request.from ?? '';
        return await context.log.group(`Promote the AMI of ${from} to ${request.parameterName} in ${list}`, () =>
          promoteAmi({ ...request, regions, from }, context),
        );
      }
      case 'reject':
      case 'prune':
        return undefined;
    }
  } catch (error: unknown) {
    if (error instanceof ImageNotUsableError) {
      // A promote publishes the AMI its source parameter holds: that parameter is what to fix, not an AMI input.
      if (request.mode === 'promote') {
        throw new InvalidRequestError(
          'from',
          `cannot be promoted: ${request.from ?? ''} holds ${error.message}; nothing was written`,
        );
      }
      throw new InvalidRequestError('targets', `cannot be published: ${error.message}; nothing was written`);
    }
    if (error instanceof RollbackTargetError) {
      throw new InvalidRequestError('to', `cannot be used: ${error.message}; nothing was written`);
    }
    if (error instanceof PromoteSourceError) {
      throw new InvalidRequestError('from', `cannot be promoted: ${error.message}; nothing was written`);
    }
    throw error;
  }
}

function prune(request: PublishAmiRequest, settings: PruneSettings, region: string, context: Context) {
  const dry = settings.dryRun ? ', dry run' : '';
  const title = `Prune ${settings.application} AMIs in ${region} (keep ${settings.keep}${dry})`;
  return context.log.group(title, () =>
    pruneAmis({ ...settings, region, parameterName: request.parameterName }, context),
  );
}

/** "the previous value", "version 3", "label release-1". */
export function describeTarget(target: RollbackTarget): string {
  switch (target.kind) {
    case 'previous':
      return 'the previous value';
    case 'version':
      return `version ${target.version}`;
    case 'label':
      return `label ${target.label}`;
  }
}
