/**
 * workflow-step: each step calls one decision of @img-mgr/workflow-run and
 * turns its result into the step's log lines, outputs, exported variable or
 * job summary; a refusal becomes the step's one error line.
 */
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import {
  actionContext,
  annotateError,
  group,
  info,
  jobSummary,
  runAction,
  setOutput,
  warning,
} from '@img-mgr/action-kit';
import { ActionError } from '@img-mgr/kernel';
import {
  bakeVariablesJson,
  checkCallerInputs,
  checkRoles,
  checkTrustedBranch,
  copyAmi,
  explainRefusedToken,
  findRunnerAddress,
  observeRun,
  planRedeploy,
  planTargets,
  readSmokeReport,
  resolveFlaskRef,
  runSmokeStep,
  revertSummary,
  rolloutSummary,
  runBakes,
  rolloutWave,
  waveRequest,
  WaveFailedError,
  waveSummary,
} from '@img-mgr/workflow-run';
import type { StepInputs } from './inputs.js';

/** The main step, given the valid inputs that the entry chunk read (see index.ts). */
export async function run(inputs: StepInputs): Promise<void> {
  await runAction('workflow-step', ({ signal }) => runStep(inputs, signal));
}

async function runStep(inputs: StepInputs, signal: AbortSignal): Promise<void> {
  switch (inputs.step) {
    case 'check-run':
      checkRun(inputs);
      return;
    case 'resolve-app-revision': {
      // Before anything prints or passes them on (the group title below shows flask-repo).
      checkCallerInputs(
        { 'flask-repo': inputs.flaskRepo, 'flask-ref': inputs.flaskRef, 'aws-region': inputs.awsRegion },
        process.env,
      );
      const app = await group(`git ls-remote ${inputs.flaskRepo}`, () =>
        resolveFlaskRef(inputs.flaskRepo, inputs.flaskRef, inputs.serverUrl, { signal }),
      );
      info(`Baking ${app.url} at ${app.described} = ${app.revision}`);
      setOutput('flask-url', app.url);
      setOutput('app-revision', app.revision);
      // As data: bake-ami passes each value as one -var argument, whatever it holds.
      setOutput(
        'packer-variables',
        bakeVariablesJson({ flaskUrl: app.url, appRevision: app.revision, region: inputs.awsRegion }),
      );
      await jobSummary().text(`App revision: \`${app.revision}\` (${app.described} of ${app.url})`).write();
      return;
    }
    case 'find-runner-address': {
      const address = await findRunnerAddress(inputs.checkipUrl, { log: info, signal });
      // Packer reads PKR_VAR_* variables; bake-ami's fingerprint does not, so a new
      // runner address does not make an unchanged app bake again.
      appendFileSync(inputs.githubEnv, `PKR_VAR_ssh_source_cidr=${address}/32${EOL}`);
      setOutput('ssh-source-cidr', `${address}/32`);
      info(`Packer's temporary security group admits SSH from ${address}/32 only (this runner).`);
      return;
    }
    case 'explain-refused-token':
      // An annotation, not a failure: the credentials step has already failed the job.
      annotateError(await explainRefusedToken(inputs.role, process.env, { signal }));
      return;
    case 'smoke-test':
      await smokeTest(inputs, signal);
      return;
    case 'plan-redeploy': {
      const context = actionContext('workflow-step', signal, process.env);
      const { decision, stack } = await planRedeploy(inputs.request, context);
      setOutput('redeploy', String(decision.redeploy));
      setOutput('smoke', String(decision.smoke));
      setOutput('reason', decision.reason);
      setOutput('outputs-json', JSON.stringify(stack.outputs));
      return;
    }
    case 'plan-targets': {
      const planned = await planTargets(inputs.request, process.env);
      setOutput('home-region', planned.home);
      setOutput('copy-regions', planned.copyRegions);
      setOutput('wave-count', String(planned.waveCount));
      // Wave 1 is the workflow's publish and deploy jobs; waves 2 and 3 are one job each (rollout-wave).
      planned.waves.slice(1).forEach((wave, index) => {
        setOutput(`wave-${index + 2}-regions`, wave.regions);
        setOutput(`wave-${index + 2}-environment`, wave.environment);
        // Empty for the workflow's own role: the workflow reads `wave-N-role-to-assume || inputs.role-to-assume`.
        setOutput(`wave-${index + 2}-role-to-assume`, wave.role);
        setOutput(`wave-${index + 2}-smoke-urls`, wave.smokeUrls);
        setOutput(`wave-${index + 2}-parameter-files`, wave.parameterFiles);
      });
      info(`Regions, in ${planned.waveCount} wave(s): ${planned.regions} (the bake runs in ${planned.home})`);
      return;
    }
    case 'copy-ami': {
      const context = actionContext('workflow-step', signal, process.env);
      const copies = await group('Copy the baked AMI to the other target regions', () =>
        copyAmi(inputs.request, context),
      );
      setOutput('copies', copies);
      info(`Copies: ${copies}`);
      return;
    }
    case 'rollout-wave':
      await rolloutWaveStep(inputs, signal);
      return;
    case 'summarize-rollout': {
      const context = actionContext('workflow-step', signal, process.env);
      const smoke = readSmokeReport(inputs.record.smokeReport, 'smoke-report', warning);
      const observations = await observeRun(inputs.record, inputs.facts, context);
      await jobSummary()
        .text(rolloutSummary({ ...inputs.facts, ...(smoke ? { smoke } : {}), observations }))
        .write();
      return;
    }
    case 'summarize-revert': {
      const context = actionContext('workflow-step', signal, process.env);
      const smoke = readSmokeReport(inputs.revertSmokeReport, 'revert-smoke-report', warning);
      const deploySmoke = readSmokeReport(inputs.record.smokeReport, 'smoke-report', warning);
      const observations = await observeRun(
        inputs.record,
        { ...inputs.facts, parameterVersion: inputs.parameterVersion },
        context,
      );
      const text = revertSummary({
        ...inputs.facts,
        ...(smoke ? { smoke } : {}),
        observations: { ...observations, ...(deploySmoke ? { smoke: deploySmoke } : {}) },
      });
      await jobSummary().text(text).write();
      // Loud, and never retried: the site may be down with nothing left to go back to.
      if (smoke && !smoke.off && !smoke.passed) {
        annotateError(
          `The revert put ${inputs.facts.parameterName} back, but the reverted site FAILED its smoke test ` +
            `(${smoke.error ?? 'no reason recorded'}); nothing more is tried: look at ${inputs.facts.stackName} now.`,
        );
      }
      return;
    }
  }
}

/**
 * The smoke step: the site's URL as an output (the environment's link) even
 * when the test is off, the report as JSON for the summaries, then the
 * verdict: a failure fails the step in one line.
 */
async function smokeTest(inputs: Extract<StepInputs, { step: 'smoke-test' }>, signal: AbortSignal): Promise<void> {
  const seen = await runSmokeStep(inputs.request, actionContext('workflow-step', signal, process.env));
  setOutput('url', seen.url);
  setOutput('smoke-result', seen.result);
  setOutput('report', JSON.stringify(seen.observation));
  if (seen.result === 'off') {
    info(`Smoke test off (smoke-test: false)${seen.url ? `: ${seen.url} was not checked` : ''}.`);
    return;
  }
  if (seen.error !== undefined) throw new ActionError(seen.error);
  info(`Smoke test of ${seen.url} passed.`);
}

/**
 * A later wave: every region's outcome as wave-json and in the job summary,
 * also when the wave failed and was reverted; then the failure's one line.
 */
async function rolloutWaveStep(
  inputs: Extract<StepInputs, { step: 'rollout-wave' }>,
  signal: AbortSignal,
): Promise<void> {
  const context = actionContext('workflow-step', signal, process.env);
  const request = await waveRequest(inputs.wave, process.env);
  let regions;
  try {
    regions = await group(`Wave ${request.wave}: ${request.regions.join(', ')}`, () => rolloutWave(request, context));
  } catch (error: unknown) {
    if (!(error instanceof WaveFailedError)) throw error;
    setOutput('wave-json', JSON.stringify(error.regions));
    await jobSummary().text(waveSummary(request, error.regions)).write();
    throw new ActionError(error.message);
  }
  setOutput('wave-json', JSON.stringify(regions));
  await jobSummary().text(waveSummary(request, regions)).write();
  info(`Wave ${request.wave} rolled out: ${regions.map((region) => `${region.region} ${region.amiId}`).join(', ')}`);
}

/**
 * The shapes of the caller's inputs, the branch, then (on GitHub) the roles;
 * under act, where AWS calls go instead.
 */
function checkRun(inputs: Extract<StepInputs, { step: 'check-run' }>): void {
  checkCallerInputs(inputs.callerInputs, process.env);
  info(checkTrustedBranch(inputs.branch));
  if (!inputs.underAct) {
    checkRoles({ ...inputs.roles, bakes: runBakes(inputs.branch) });
    return;
  }
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint) info(`act: AWS calls go to ${endpoint}`);
  else warning('act: AWS_ENDPOINT_URL is not set, so AWS calls use the credentials of your shell.');
}
