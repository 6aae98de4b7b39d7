/**
 * The bake step: drives @img-mgr/packer-bake's bakeAmi (fingerprint lookup,
 * then Packer init/validate/build) and shows its stages. Against an emulator
 * it adds packer/test.pkrvars.hcl (communicator none) and the EC2 endpoint.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRequestError, type Context } from '@img-mgr/kernel';
import type { BakeEvent } from '@img-mgr/packer-bake';
import { appSourceFor, describeApp } from './app-source.js';
import { stepContext, type CommandContext } from './context.js';
import { planStacks } from './deploy-step.js';
import { PipelineError } from './errors.js';
import { asStepError } from './step-errors.js';
import { ExitCode } from './exit-codes.js';
import type { AmiReport } from './report.js';
import { ensureTool } from './tools.js';
import { hasFields, readStateFile, writeStateFile } from './state-file.js';

/** The file in packer/ that Packer before 1.7 cannot parse (required_plugins). */
const PLUGINS_FILE = 'plugins.pkr.hcl';
const TEST_VARS = 'test.pkrvars.hcl';

/** Bakes the AMI (or finds it already baked) and records it in the report. */
export async function bakeStep(ctx: CommandContext): Promise<AmiReport> {
  const { options, target, progress } = ctx;
  const step = progress.step('bake', `Packer build of packer/ in ${target.region}`);
  let networkStackName: string | undefined;
  try {
    const bake = await import('@img-mgr/packer-bake');
    // Locally the test bed's Packer (.tools/bin, installed on first use) comes first; on real AWS the
    // user's own Packer on PATH wins and .tools/bin is only a fallback.
    if (target.emulated) await ensureTool('packer', (line) => step.detail(line), ctx.env);
    const context = stepContext(ctx, step);

    const app = ctx.app ?? (await appSourceFor(ctx));
    const appRevision = app.commit;
    describeApp(app, (line) => step.detail(line));
    const template = await templateFor(ctx, bake, context);
    // Packer's flask_repo takes only https URLs (the instance clones it); a local repository (test
    // runs, emulated only) keeps the variable's default, and the fingerprint still covers the commit.
    const variables: Record<string, string> = { flask_ref: app.ref };
    if (app.repo.startsWith('https://')) variables.flask_repo = app.repo;
    else step.detail(`${app.repo} is a local repository: Packer's flask_repo keeps its default (https only)`);
    if (target.emulated && target.endpoint) variables.ec2_endpoint = target.endpoint;
    const varFiles = target.emulated ? [join(ctx.root, 'packer', TEST_VARS)] : [];
    // The build runs in this stack's public subnet when it exists (an account may have no default VPC).
    networkStackName = (await planStacks(ctx)).find((plan) => plan.role === 'vpc')?.name;

    const result = await bake.bakeAmi(
      {
        template,
        workingDirectory: ctx.root,
        region: target.region,
        variables,
        varFiles,
        only: [],
        except: [],
        packerVersion: 'path',
        init: true,
        ...(appRevision ? { appRevision } : {}),
        force: options.force,
        timeoutMs: ctx.remainingMs(),
        runId: bake.newRunId(context.env),
        manifestPath: join(ctx.stateDir, 'manifests', 'packer-manifest.json'),
        ...(networkStackName ? { networkStackName } : {}),
      },
      context,
      { onEvent: (event) => showEvent(event, (line) => step.detail(line)) },
    );
    const report: AmiReport = {
      id: result.amiId,
      region: result.region,
      amis: result.amis,
      skipped: result.skipped,
      fingerprint: result.fingerprint,
      ...(appRevision ? { appRevision } : {}),
      durationMs: result.durationMs,
    };
    ctx.report.ami = report;
    writeLastBake(ctx, report);
    if (result.skipped) step.skip(`${result.amiId} already baked from these inputs`);
    else step.done(`${result.amiId} baked`);
    return report;
  } catch (error: unknown) {
    const failure = asStepError(noSubnetError(error, ctx.target.region, networkStackName), ExitCode.bake, 'bake');
    step.fail(failure.message);
    throw failure;
  }
}

/**
 * The bake's "no subnet to build in" in the CLI's words: the CLI never names
 * a subnet itself, it bakes in the vpc stack's public subnet, so the fix is
 * that stack (or --vpc-stack), not a request field. Other errors pass.
 */
function noSubnetError(error: unknown, region: string, stack: string | undefined): unknown {
  if (!(error instanceof InvalidRequestError) || error.field !== 'subnetId') return error;
  if (!error.problem.startsWith('is empty')) return new PipelineError(ExitCode.bake, `bake: ${error.problem}`);
  return new PipelineError(
    ExitCode.bake,
    `bake: no subnet to build in: the vpc stack '${stack ?? ''}' has no public subnet in ${region} ` +
      'and the account has no default VPC',
    'deploy it first (img-mgr-pipeline run deploys it before the bake), or name another with --vpc-stack',
  );
}

/**
 * The template to build: packer/ itself, or (Packer before 1.7, such as the
 * test bed's 1.6.6) a copy without plugins.pkr.hcl in the state folder. The
 * copy's path never changes, so its fingerprint is stable across runs.
 */
async function templateFor(
  ctx: CommandContext,
  bake: typeof import('@img-mgr/packer-bake'),
  context: Context,
): Promise<string> {
  const source = join(ctx.root, 'packer');
  const packer = await bake.resolvePacker({ version: 'path' }, context);
  if (bake.supportsInit(packer.version)) return source;
  const copy = join(ctx.stateDir, 'packer-template');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  for (const name of readdirSync(source)) {
    if (name === PLUGINS_FILE || name === TEST_VARS) continue;
    if (name.endsWith('.pkr.hcl') || name.endsWith('.sh')) copyFileSync(join(source, name), join(copy, name));
  }
  return copy;
}

/** Packer's stages and UI lines as progress details. */
function showEvent(event: BakeEvent, detail: (line: string) => void): void {
  switch (event.kind) {
    case 'step':
      detail(`packer ${event.step}: ${event.status}${event.detail ? ` (${event.detail})` : ''}`);
      return;
    case 'ui':
      if (event.line.text.trim() !== '') detail(event.line.text.trim());
      return;
    case 'found':
      detail(`found ${event.ami.imageId} (${event.ami.name}, ${event.ami.creationDate}) with the same fingerprint`);
      return;
    case 'build':
      detail(
        `artifact: ${Object.entries(event.build.amis)
          .map(([region, ami]) => `${region}:${ami}`)
          .join(', ')}`,
      );
      return;
    case 'fingerprint':
    case 'packer':
    case 'resource':
      return;
  }
}

/** The last AMI `bake` produced or found, for `publish` without --ami-id. */
export interface LastBake {
  amiId: string;
  region: string;
  endpoint?: string;
  fingerprint: string;
  bakedAt: string;
}

const LAST_BAKE = 'last-bake.json';

function writeLastBake(ctx: CommandContext, ami: AmiReport): void {
  const record: LastBake = {
    amiId: ami.id,
    region: ami.region,
    ...(ctx.target.endpoint ? { endpoint: ctx.target.endpoint } : {}),
    fingerprint: ami.fingerprint,
    bakedAt: new Date().toISOString(),
  };
  mkdirSync(ctx.stateDir, { recursive: true });
  writeStateFile(join(ctx.stateDir, LAST_BAKE), record);
}

/** The record of the last bake, if any. */
export function readLastBake(stateDir: string): LastBake | undefined {
  const isLastBake = (value: unknown): value is LastBake =>
    hasFields(value, { amiId: 'string', region: 'string', fingerprint: 'string', bakedAt: 'string' });
  return readStateFile(join(stateDir, LAST_BAKE), isLastBake, 'the last bake');
}
