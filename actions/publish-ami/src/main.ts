import { ActionError, group, info, InputError, runAction, setOutput, warning } from '@img-mgr/action-kit';
import { resolveRegion } from '@img-mgr/kernel';
import type { RollbackTarget } from '@img-mgr/ami-publish/validate';
import type { PruneReport, PublishReport } from '@img-mgr/ami-publish';
import type { PublishInputs } from './inputs.js';
import { writeSummary } from './summary.js';

/** The action's entry point. */
export async function run(inputs: PublishInputs): Promise<void> {
  await runAction('publish-ami', async ({ signal }) => {
    // Loaded only after the inputs are valid, so a bad input fails without loading the AWS SDK.
    const domain = await import('@img-mgr/ami-publish');
    const context = { log: info, signal };
    let report: PublishReport | undefined;
    const prunes: PruneReport[] = [];
    let rejected = false;
    try {
      // First, so that even if the rest fails, rollback-to previous and pruning see the failed AMI as rejected.
      if (inputs.rejectAmi) rejected = await rejectFirst(inputs, inputs.rejectAmi, domain, context);
      report = await blameInputs(inputs, domain, async () => {
        if (inputs.mode === 'promote' && inputs.promoteFrom) {
          const from = inputs.promoteFrom;
          return group(`Promote the AMI of ${from} to ${inputs.parameterName} in ${inputs.regions.join(', ')}`, () =>
            domain.promoteAmi({ ...settings(inputs), regions: inputs.regions, from }, context),
          );
        }
        if (inputs.mode === 'publish') {
          const title = inputs.targets.map((target) => `${target.amiId} (${target.region})`).join(', ');
          return group(`Publish ${title} to ${inputs.parameterName}`, () =>
            domain.publishAmi({ ...settings(inputs), targets: inputs.targets }, context),
          );
        }
        if (inputs.mode === 'rollback' && inputs.rollbackTo) {
          const to = inputs.rollbackTo;
          return group(
            `Roll ${inputs.parameterName} back to ${describeTarget(to)} in ${inputs.regions.join(', ')}`,
            () => domain.rollbackAmi({ ...settings(inputs), regions: inputs.regions, to }, context),
          );
        }
        return undefined;
      });
      if (report) setPublishOutputs(inputs, report);
      if (report && !report.ok) throw new ActionError(domain.describeFailure(report));
      if (inputs.keepAmis !== undefined) {
        const keep = inputs.keepAmis;
        const regions = report ? report.results.map((result) => result.region) : inputs.regions;
        for (const region of regions) {
          prunes.push(
            await group(
              `Prune ${inputs.application} AMIs in ${region} (keep ${keep}${inputs.dryRun ? ', dry run' : ''})`,
              () =>
                domain.pruneAmis(
                  {
                    region,
                    parameterName: inputs.parameterName,
                    application: inputs.application,
                    keep,
                    dryRun: inputs.dryRun,
                    referencePath: inputs.referencePath,
                    rollbackWindow: inputs.rollbackWindow,
                  },
                  context,
                ),
            ),
          );
        }
        setOutput(
          'pruned-amis',
          prunes.flatMap((prune) => prune.removed),
        );
        const failures = prunes.flatMap((prune) => prune.failures.map((failure) => `${prune.region} ${failure}`));
        if (failures.length > 0) throw new ActionError(`Pruning could not remove everything: ${failures.join('; ')}`);
      }
    } finally {
      await writeSummary(inputs, report, prunes, rejected);
    }
  });
}

type Domain = typeof import('@img-mgr/ami-publish');

/**
 * Turns the domain's "this value cannot be used" errors into input errors
 * that name the input the value came from.
 */
async function blameInputs<T>(inputs: PublishInputs, domain: Domain, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error: unknown) {
    if (error instanceof domain.ImageNotUsableError) {
      throw new InputError(inputs.amiInput, `cannot be published: ${error.message}; nothing was written`);
    }
    if (error instanceof domain.RollbackTargetError) {
      throw new InputError('rollback-to', `cannot be used: ${error.message}; nothing was written`);
    }
    if (error instanceof domain.PromoteSourceError) {
      throw new InputError('promote-from', `cannot be promoted: ${error.message}; nothing was written`);
    }
    throw error;
  }
}

/** Tags reject-ami rejected in the run's region (an AMI id lives in one region). */
async function rejectFirst(
  inputs: PublishInputs,
  amiId: string,
  domain: Domain,
  context: { log: (line: string) => void; signal: AbortSignal },
): Promise<true> {
  const region = inputs.primaryRegion || resolveRegion(undefined);
  try {
    await group(`Reject ${amiId} in ${region}`, () =>
      domain.rejectAmi({ region, amiId, by: inputs.rejectedBy }, context),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof domain.ImageNotUsableError)
      throw new InputError('reject-ami', `cannot be tagged: ${error.message}; nothing was written`);
    throw error;
  }
}

function settings(inputs: PublishInputs) {
  return {
    parameterName: inputs.parameterName,
    labels: inputs.labels,
    labelWindow: inputs.labelWindow,
    tags: inputs.tags,
    dataType: inputs.dataType,
    waitTimeoutMs: inputs.waitTimeoutMs,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
  };
}

function describeTarget(target: RollbackTarget): string {
  switch (target.kind) {
    case 'previous':
      return 'the previous value';
    case 'version':
      return `version ${target.version}`;
    case 'label':
      return `label ${target.label}`;
  }
}

/** Single-value outputs from the primary region; `results` for all of them. */
function setPublishOutputs(inputs: PublishInputs, report: PublishReport): void {
  const primary = report.results.find((result) => result.region === inputs.primaryRegion) ?? report.results[0];
  if (primary && primary.status !== 'failed') {
    setOutput('ami-id', primary.amiId);
    setOutput('version', primary.version);
  }
  setOutput('previous-ami-id', primary?.previousAmiId ?? '');
  setOutput('previous-version', primary?.previousVersion ?? '');
  setOutput(
    'changed',
    report.results.some((result) => result.changed),
  );
  const results = Object.fromEntries(
    report.results.map((result) => [
      result.region,
      {
        parameter: result.parameterName,
        status: result.status,
        'ami-id': result.amiId,
        version: result.version ?? null,
        changed: result.changed,
        'previous-ami-id': result.previousAmiId ?? null,
        'previous-version': result.previousVersion ?? null,
        labels: result.labels,
        ...(result.rolledBackTo !== undefined ? { 'rolled-back-to': result.rolledBackTo } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      },
    ]),
  );
  setOutput('results', results);
  for (const result of report.results) {
    if (result.status === 'unchanged')
      info(
        `[${result.region}] ${result.parameterName} already held ${result.amiId}: version ${result.version}, changed=false`,
      );
    if (result.status === 'failed') warning(`[${result.region}] ${result.error ?? 'failed'}`);
  }
}
