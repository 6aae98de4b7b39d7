/**
 * What a run saw, gathered for the rollout timeline of the job summary. The
 * jobs pass their results as data (job outputs, the smoke step's JSON
 * report); the summarizing step adds what only AWS recorded: when the baked
 * AMI was made, and the events of the stack's last operation (this job's
 * deploy or redeploy, with instances launched and terminated). A look-up
 * that fails leaves its part out with a warning: a summary never fails a job.
 */
import { errorMessage, type Context } from '@img-mgr/kernel';
import type { RolloutObservations, SmokeObservation } from '@img-mgr/rollout';
import { lastOperationEvents } from './stack-events.js';

/** What the summaries read from the jobs before them. */
export interface RunRecord {
  /** The bake job's result (success, skipped, failure; '' when unknown). */
  bakeResult: string;
  /** The bake found an AMI with the same fingerprint and built nothing. */
  bakeSkipped: boolean;
  /** The AMI the bake made or found. */
  bakeAmiId: string;
  /** The deploy (or redeploy) step's outcome; '' when it did not run. */
  deployOutcome: string;
  /** deploy-stack's no-changes: the change set was empty, the stack did not change. */
  noChanges: boolean;
  /** The smoke step's report (JSON) of the deploy; '' when it did not run. */
  smokeReport: string;
  region: string;
}

/** The part of the rollout facts the timeline reads. */
export interface PublishedFacts {
  amiId: string;
  parameterName: string;
  parameterVersion?: string;
  stackName: string;
}

/**
 * A smoke step's report (its `report` output, JSON) passed on as an input;
 * undefined for '' and, with `warn` called, for anything that is not one.
 */
export function readSmokeReport(
  json: string,
  input: string,
  warn: (line: string) => void,
): SmokeObservation | undefined {
  if (!json.trim()) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const report = value as Record<string, unknown>;
      if (typeof report.url === 'string') return report as unknown as SmokeObservation;
    }
  } catch {
    // Reported below, without the value.
  }
  warn(`Input '${input}' is not the smoke-test step's report (JSON); the summary leaves it out.`);
  return undefined;
}

/** The run's observations: bake, publish and the stack's last operation (the smoke test is the caller's). */
export async function observeRun(
  record: RunRecord,
  facts: PublishedFacts,
  context: Context,
): Promise<RolloutObservations> {
  const observations: RolloutObservations = {};
  if (record.bakeResult === 'success') {
    let at: string | undefined;
    if (record.bakeAmiId && record.region && !record.bakeSkipped) {
      try {
        // The SDK loads only when a step needs it: workflow-step's other steps start without it.
        const { DescribeImagesCommand, EC2Client } = await import('@aws-sdk/client-ec2');
        const ec2 = context.clients.get(EC2Client, record.region);
        const image = await ec2.send(new DescribeImagesCommand({ ImageIds: [record.bakeAmiId] }), {
          abortSignal: context.signal,
        });
        at = image.Images?.[0]?.CreationDate;
      } catch (error: unknown) {
        context.log.warn(`The timeline leaves out when ${record.bakeAmiId} was made: ${errorMessage(error)}`);
      }
    }
    observations.bake = {
      outcome: record.bakeSkipped ? 'skipped' : 'baked',
      ...(record.bakeAmiId ? { amiId: record.bakeAmiId } : {}),
      ...(at ? { at } : {}),
      ...(record.bakeSkipped ? { reason: 'an AMI with the same fingerprint exists' } : {}),
    };
  }
  if (facts.amiId) {
    const version = Number(facts.parameterVersion ?? '');
    observations.publish = {
      parameter: facts.parameterName,
      amiId: facts.amiId,
      ...(Number.isInteger(version) && version > 0 ? { version } : {}),
    };
  }
  const ran = record.deployOutcome === 'success' || record.deployOutcome === 'failure';
  if (ran && !record.noChanges && record.region && facts.stackName) {
    try {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      const cfn = context.clients.get(CloudFormationClient, record.region);
      const events = await lastOperationEvents(cfn, facts.stackName, context.signal);
      observations.stack = { name: facts.stackName, events };
    } catch (error: unknown) {
      context.log.warn(`The timeline leaves out the events of ${facts.stackName}: ${errorMessage(error)}`);
    }
  }
  return observations;
}
