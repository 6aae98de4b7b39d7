/**
 * The AWS a command talks to: the embedded local AWS (default), an emulator
 * the user runs (--endpoint), or the real account (--aws). The choice is an
 * environment: the one the CLI was started with, aimed at that AWS. Every
 * AWS client (the context's client factory) and Packer get that environment,
 * so every part of the chain goes to the same place; process.env is never
 * changed.
 */
import type { Env } from '@img-mgr/kernel';
import { localAwsEnv, type ProcessLookup } from '@img-mgr/local-host';
import type { Options } from './args.js';
import { UsageError, PipelineError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import {
  findLocalAws,
  readLocalAwsRecord,
  recordedLocalAws,
  markKept,
  startLocalAws,
  stopLocalAws,
  type LocalAws,
} from './local-aws.js';
import { DEFAULTS, checkRegion } from './args.js';
import { defaultStateDir } from './paths.js';
import { ensureTool } from './tools.js';

export interface AwsTarget {
  kind: 'local' | 'endpoint' | 'aws';
  region: string;
  /** The emulator's URL (local and endpoint). */
  endpoint?: string;
  /** The embedded server, when local. */
  local?: LocalAws;
  /** Whether the AMI is baked with Packer's test variables (communicator none, EC2 endpoint). */
  emulated: boolean;
  /** One line for the log: where the calls go. */
  describe: string;
  /** The caller's environment aimed at this AWS: region, endpoint and credentials for clients and Packer. */
  env: Env;
  /** Stops what this command started (unless kept). */
  release(): Promise<string | undefined>;
}

/** Commands that only make sense against AWS state made earlier. */
const NEEDS_EXISTING_STATE = new Set(['publish', 'deploy', 'rollback', 'status']);

/** Opens the target for `options`; its `env` is `env` (the CLI's) aimed at it. */
export async function openTarget(options: Options, env: Env, log: (line: string) => void): Promise<AwsTarget> {
  switch (options.target.kind) {
    case 'aws':
      return openRealAws(options, env);
    case 'endpoint': {
      const region = options.region ?? DEFAULTS.localRegion;
      const endpoint = options.target.endpoint;
      return {
        kind: 'endpoint',
        region,
        endpoint,
        emulated: true,
        describe: `AWS emulator at ${endpoint} (${region})`,
        env: aimedAt(env, localAwsEnv(endpoint, region)),
        release: () => Promise.resolve(undefined),
      };
    }
    case 'local':
      return openLocalAws(options, env, log);
  }
}

async function openLocalAws(options: Options, env: Env, log: (line: string) => void): Promise<AwsTarget> {
  const region = options.region ?? DEFAULTS.localRegion;
  const stateDir = options.stateDir ?? defaultStateDir(env);
  let local = await findLocalAws(stateDir);
  if (!local && NEEDS_EXISTING_STATE.has(options.command)) {
    throw new PipelineError(
      ExitCode.environment,
      `no local AWS is running for '${options.command}' (nothing kept in ${stateDir})`,
      "start one that stays with 'img-mgr-pipeline run --keep', or pass --aws for your AWS account",
    );
  }
  if (local) {
    log(`reusing the local AWS at ${local.endpoint} (moto, pid ${local.pid}, started ${local.startedAt})`);
  } else {
    const motoServer = await ensureTool('moto_server', log, env);
    local = await startLocalAws({ motoServer, stateDir, keep: options.keep });
    log(`started a local AWS at ${local.endpoint} (moto, pid ${local.pid}; log ${local.logFile})`);
  }
  if (options.keep && !local.kept) markKept(local);
  const server = local;
  // A server started by this command goes away with it unless --keep; one kept earlier stays until `down`.
  const stopAtEnd = !server.reused && !options.keep;
  return {
    kind: 'local',
    region,
    endpoint: server.endpoint,
    local: server,
    emulated: true,
    describe: `local AWS (moto) at ${server.endpoint} (${region})`,
    env: aimedAt(env, localAwsEnv(server.endpoint, region)),
    async release() {
      if (stopAtEnd) return (await stopLocalAws(server)) ?? `stopped the local AWS at ${server.endpoint}`;
      return (
        `the local AWS keeps running at ${server.endpoint} (pid ${server.pid}); ` +
        "stop it with 'img-mgr-pipeline down'"
      );
    },
  };
}

function openRealAws(options: Options, env: Env): AwsTarget {
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!options.region && !fromEnv)
    throw new UsageError('--region', 'is required with --aws when AWS_REGION is not set');
  const region = options.region ?? checkRegion(fromEnv ?? '', env);
  return {
    kind: 'aws',
    region,
    emulated: false,
    describe: `AWS account of your credentials (${region})`,
    env: aimedAt(env, { AWS_REGION: region, AWS_DEFAULT_REGION: region }),
    release: () => Promise.resolve(undefined),
  };
}

/** The user's profile and role settings: never sent to an emulator, where they could only reach a real account. */
const REAL_ACCOUNT_SETTINGS = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

/**
 * A copy of `env` with `settings` applied. Every endpoint override left in the shell goes (one would send
 * "real" calls elsewhere, or one service of an emulator run to another place); towards an emulator
 * (`settings` has AWS_ENDPOINT_URL) the user's profile and role settings go too.
 */
export function aimedAt(env: Env, settings: Readonly<Record<string, string>>): Env {
  const toEmulator = settings.AWS_ENDPOINT_URL !== undefined;
  const aimed: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === 'AWS_ENDPOINT_URL' || name.startsWith('AWS_ENDPOINT_URL_')) continue;
    if (toEmulator && REAL_ACCOUNT_SETTINGS.includes(name)) continue;
    aimed[name] = value;
  }
  return { ...aimed, ...settings };
}

/**
 * `down`: stops a kept local AWS, after checking that the recorded pid is
 * still the recorded moto_server on the recorded port. A pid that now
 * belongs to another program (or another moto) is never signalled.
 */
export async function stopKeptLocalAws(
  options: Options,
  lookup: ProcessLookup = {},
  /** The CLI's environment: the default state folder when `options` names none. */
  env: Env = {},
): Promise<string> {
  const stateDir = options.stateDir ?? defaultStateDir(env);
  const recorded = readLocalAwsRecord(stateDir);
  if (!recorded) return `no local AWS is running (nothing in ${stateDir})`;
  const local = recordedLocalAws(stateDir, lookup);
  if (!local) {
    return (
      `the recorded local AWS (moto, pid ${recorded.pid}, port ${recorded.port}) is no longer running ` +
      '(that pid is gone or is another program); removed its record, stopped nothing'
    );
  }
  return (await stopLocalAws(local)) ?? `stopped the local AWS at ${local.endpoint} (pid ${local.pid})`;
}
