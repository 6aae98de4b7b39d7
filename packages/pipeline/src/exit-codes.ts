/**
 * Exit codes of img-mgr-pipeline. Each one says which part failed, so a
 * script can react without parsing the output. Documented in `--help`.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  ok: 0,
  /** An unexpected error (a bug): the message says what was thrown. */
  internal: 1,
  /** Bad command line: an unknown command or flag, or a flag with a bad value. */
  usage: 2,
  /** The environment is not ready: a tool is missing, no local AWS is running, no credentials, AWS unreachable. */
  environment: 3,
  /** Baking the AMI failed (Packer, or finding an already baked AMI). */
  bake: 4,
  /** Publishing to (or rolling back) the SSM parameter failed. */
  publish: 5,
  /** A stack deployment failed or its stack is in a failed state. */
  deploy: 6,
  /** The --timeout ran out. */
  timeout: 7,
  /**
   * The local preview of the app did not start (the AWS side is left as it is), or it failed its smoke test (then
   * the run reverted: the AMI rejected, the previous one republished and redeployed).
   */
  preview: 8,
  /** Interrupted by SIGINT, SIGTERM or SIGHUP (128 + SIGINT). */
  cancelled: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

/** One line per exit code, for `--help`. */
export const EXIT_CODE_HELP: readonly [number, string][] = [
  [ExitCode.ok, 'success'],
  [ExitCode.internal, 'unexpected error (a bug; please report it with the output)'],
  [ExitCode.usage, 'bad command line: unknown command or flag, or a bad flag value'],
  [ExitCode.environment, 'environment not ready: tool missing, no local AWS running, no credentials, AWS unreachable'],
  [ExitCode.bake, 'bake failed (Packer)'],
  [ExitCode.publish, 'publish or rollback of the SSM parameter failed'],
  [ExitCode.deploy, 'a stack deployment failed'],
  [ExitCode.timeout, '--timeout ran out'],
  [
    ExitCode.preview,
    'the local preview of the app failed to start (AWS left as it is) or its smoke test (the run reverted)',
  ],
  [ExitCode.cancelled, 'interrupted (Ctrl-C, SIGTERM, SIGHUP: a closed terminal)'],
];
