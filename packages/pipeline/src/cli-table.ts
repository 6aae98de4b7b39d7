/**
 * The one table of the CLI: every command and every flag, with the text of
 * their help. args.ts parses the command line from it (with node:util's
 * parseArgs) and help.ts prints the help from it, so a flag cannot be
 * accepted without being documented, or documented without being accepted.
 */

export const DEFAULTS = {
  flaskRepo: 'https://github.com/dianephan/flask-aws-storage.git',
  env: 'dev',
  parameterName: '/common/img-mgr/golden-ami',
  rollbackTo: 'previous',
  timeoutMs: 60 * 60_000,
  localRegion: 'us-east-1',
} as const;

export interface CommandSpec {
  /** One line for the overview and the top of the command's help. */
  summary: string;
  /** The command's help, line by line. */
  details: readonly string[];
  examples: readonly string[];
}

/** The commands, in the order the overview lists them. */
export const COMMAND_TABLE = {
  run: {
    summary: 'deploy the vpc stack, bake the AMI in it, publish it to the SSM parameter, deploy the img-mgr stack',
    details: [
      'The whole chain: deploy-stack (vpc) → bake-ami → publish-ami → deploy-stack (img-mgr). The network comes',
      'first so that the bake runs in its public subnet, also in an account without a default VPC (a bake in',
      "any account does: the subnet does not change the AMI's fingerprint).",
      'A second run with the same inputs finds the AMI already baked (its fingerprint tag) and skips Packer;',
      'against the embedded AWS that needs the same AWS: use --keep on the first run.',
      '',
      'Locally, the run then serves the app it baked (the local preview): a git checkout of --flask-repo at',
      'the baked commit, configured by packer/configure_app.sh as the bake does, run with Flask from the tools',
      'Python (.tools/venv) on a free 127.0.0.1 port, with the environment the stack gives the instances',
      "(IMG_MGR_BUCKET = the stack's bucket) and its AWS calls sent to the local AWS. The run reports OK only",
      'after GET / answers the upload page and a file POSTed to /upload lands in the bucket. The summary shows',
      'it as "App (local preview)"; the stack\'s load balancer name is the emulator\'s and does not answer.',
      'Without --keep the preview stops with the local AWS; with --keep it runs until `down`. When the',
      'repository cannot be reached or the tools Python lacks Flask, the preview is off and the run still',
      'succeeds; an app that does not start or fails the check ends the run with exit 8.',
      '',
      'Several regions (--targets FILE, or --regions home,b,c): the AMI is baked once in the home region (the',
      "first region) and copied to every other region with its tags (a region that has the fingerprint's copy",
      'is not copied again). Then wave by wave, the regions of a wave concurrently: its own vpc stack, its own',
      'parameter (the copy of that region, published before the stack is updated), its own app stack. A wave',
      'passes when each region passes its check: the local preview in the home region; on --aws the smoke',
      "test against the region's Url; on an emulator (no load balancer answers) that the app stack runs the",
      "region's copy. A failed wave stops the rollout and is reverted (parameter and app stack back to the",
      'previous AMI, per region); later waves are not touched. Promoting to other targets is a run with their',
      'file (and --env): the same inputs find the AMI and the copies, so nothing is baked or copied again.',
    ],
    examples: [
      'img-mgr-pipeline run                                  embedded AWS, torn down at the end',
      'img-mgr-pipeline run --keep && img-mgr-pipeline run   the second run skips Packer; the preview stays up',
      'img-mgr-pipeline run --flask-repo /path/to/your/fork --flask-ref my-branch',
      'img-mgr-pipeline run --no-preview                     the chain only',
      'img-mgr-pipeline run --json > result.json             summary as JSON (progress on stderr)',
      'img-mgr-pipeline run --aws --region us-west-2 --flask-repo https://github.com/you/flask-aws-storage.git',
      'img-mgr-pipeline run --regions us-east-1,us-west-2,eu-west-1   bake once, copy, two waves',
      'img-mgr-pipeline run --env prod --targets deploy/prod-targets.yml   promote: same inputs, no rebake',
    ],
  },
  bake: {
    summary: 'bake the AMI with Packer (skipped when an AMI baked from the same inputs exists)',
    details: [
      'Runs packer init/validate/build on packer/ through the bake-ami library. The fingerprint covers the',
      'template files, the variables and the app revision (the commit --flask-ref names; without --flask-ref,',
      'the default branch of --flask-repo, from `git ls-remote --symref`). A --flask-ref that names no branch,',
      'tag or commit of the repository is exit 2, before anything starts. Locally Packer uses',
      'packer/test.pkrvars.hcl (communicator none: no SSH, the provisioners are skipped). The build runs in a',
      'public subnet of the vpc stack (--vpc-stack) when it exists, else in the default VPC; with neither, exit 4',
      'before Packer starts (run `deploy` or `run` first).',
    ],
    examples: ['img-mgr-pipeline bake --keep --flask-ref v1.2.0', 'img-mgr-pipeline bake --force --keep'],
  },
  publish: {
    summary: 'point the SSM parameter at an AMI (default: the one the last bake made)',
    details: [
      'Writes the AMI id to the parameter (data type aws:ec2:image) through the publish-ami library: checked',
      'before writing, no new version when it already holds the AMI, confirmed by reading it back.',
    ],
    examples: [
      'img-mgr-pipeline publish                              the AMI of the last bake',
      'img-mgr-pipeline publish --ami-id ami-0123456789abcdef0',
    ],
  },
  deploy: {
    summary: 'deploy the vpc stack, then the img-mgr stack (its ImageId resolves from the parameter)',
    details: [
      'Creates or updates both stacks through change sets with the deploy-stack library, streaming their events.',
      'Parameters come from cloudformation/parameters/vpc-<env>-<region>.json and <env>-<region>.json.',
    ],
    examples: ['img-mgr-pipeline deploy --env dev'],
  },
  rollback: {
    summary: 'put an earlier AMI back into the parameter, then redeploy the img-mgr stack',
    details: [
      "Republishes an earlier version's AMI as a new version labelled rollback-from-v<N>, then redeploys the",
      'img-mgr stack so the fleet goes back without a rebake.',
    ],
    examples: [
      'img-mgr-pipeline rollback                             to the previous value',
      'img-mgr-pipeline rollback --to 3',
      'img-mgr-pipeline rollback --to release-1.2',
    ],
  },
  status: {
    summary: "the parameter's value and history; each stack's status, resolved AMI and outputs",
    details: [
      'Read-only. Shows the newest 10 versions of the parameter and, per stack, the AMI its launch template holds;',
      'locally, also the local preview of the app when one runs.',
    ],
    examples: ['img-mgr-pipeline status', 'img-mgr-pipeline status --aws --region us-west-2 --json'],
  },
  down: {
    summary: 'stop the local AWS that --keep left running',
    details: [
      'Stops the local preview of the app and the moto server recorded in the state folder, and removes their',
      'records. A recorded pid is signalled only while it is still that moto_server on the recorded port.',
    ],
    examples: ['img-mgr-pipeline down'],
  },
} as const satisfies Record<string, CommandSpec>;

export type Command = keyof typeof COMMAND_TABLE;
export const COMMANDS = Object.keys(COMMAND_TABLE) as Command[];

export interface FlagSpec {
  /** The name of its value in the help; a flag without one is a switch. */
  value?: string;
  /** Commands that accept it; undefined means all. */
  commands?: readonly Command[];
  /** A one-letter alias (`-h`). */
  short?: string;
  /** Its line in the help. */
  help: string;
}

const AWS_COMMANDS: readonly Command[] = ['run', 'bake', 'publish', 'deploy', 'rollback', 'status'];
const BAKE_INPUTS: readonly Command[] = ['run', 'bake', 'publish'];

/** Every flag, in the order the help lists them. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  '--help': { short: 'h', help: 'this help' },
  '--json': {
    help: 'print one JSON document on stdout instead of the summary table (progress still goes to stderr)',
  },
  '--plain': {
    help: 'plain progress lines even on a terminal (the default when not a terminal or CI is set)',
  },
  '--state-dir': {
    value: 'DIR',
    help:
      'folder for the records of the kept local AWS, the preview and the last bake, and the lock ' +
      '(default packages/pipeline/.state)',
  },
  '--aws': {
    commands: AWS_COMMANDS,
    help: 'use your real AWS account (credentials from the usual chain: AWS_PROFILE, SSO, env, OIDC)',
  },
  '--endpoint': {
    value: 'URL',
    commands: AWS_COMMANDS,
    help: 'use an AWS emulator you run, e.g. http://127.0.0.1:5000 (moto_server)',
  },
  '--region': {
    value: 'REGION',
    commands: AWS_COMMANDS,
    help:
      `AWS region (default: ${DEFAULTS.localRegion} locally, AWS_REGION with --aws); ` +
      'one newer than this release needs IMG_MGR_ANY_REGION=1 (or IMG_MGR_PIPELINE_ANY_REGION=1)',
  },
  '--targets': {
    value: 'FILE',
    commands: ['run'],
    help:
      'YAML file of waves of regions (waves: - regions: [...], environment: ..., smoke-urls: {REGION: URL}); the ' +
      'first region is the home region, where the bake runs; each region gets its own parameter and stacks, wave ' +
      "by wave; a wave's role-to-assume is ignored (the shell's credentials apply)",
  },
  '--regions': {
    value: 'LIST',
    commands: ['run'],
    help: 'shorthand for --targets: home,b,c = the home region as wave 1, the others together as wave 2',
  },
  '--keep': {
    commands: AWS_COMMANDS,
    help: 'keep the embedded AWS running after the command; later commands reuse it until `down`',
  },
  '--timeout': {
    value: 'DURATION',
    commands: AWS_COMMANDS,
    help:
      `bound of the whole command, e.g. 90s, 15m, 1h (default ${DEFAULTS.timeoutMs / 60_000}m); ` +
      'reaching it fails (exit 7)',
  },
  '--flask-repo': {
    value: 'URL',
    commands: BAKE_INPUTS,
    help: `https git URL of the Flask app, or locally a repository path / file:// URL (default ${DEFAULTS.flaskRepo})`,
  },
  '--flask-ref': {
    value: 'REF',
    commands: BAKE_INPUTS,
    help: "branch, tag or full commit SHA of the app (default: the repository's default branch)",
  },
  '--force': { commands: ['run', 'bake'], help: 'bake even when an AMI from the same inputs exists' },
  '--no-preview': { commands: ['run'], help: 'do not start the local preview of the app after a local run' },
  '--preview-port': {
    value: 'PORT',
    commands: ['run'],
    help: '127.0.0.1 port of the local preview (default: a free one)',
  },
  '--ami-id': {
    value: 'AMI',
    commands: ['publish'],
    help: 'the AMI to publish (default: the last one `bake` made against this AWS)',
  },
  '--to': {
    value: 'TARGET',
    commands: ['rollback'],
    help: 'rollback target: previous (default), a version number, or a label',
  },
  '--parameter-name': {
    value: 'NAME',
    commands: ['run', 'publish', 'deploy', 'rollback', 'status'],
    help: `the SSM parameter (default ${DEFAULTS.parameterName})`,
  },
  '--env': {
    value: 'ENV',
    commands: ['run', 'bake', 'deploy', 'rollback'],
    help: `environment of the parameter files (default ${DEFAULTS.env})`,
  },
  '--vpc-stack': {
    value: 'NAME',
    commands: ['run', 'bake', 'deploy', 'rollback', 'status'],
    help:
      'vpc stack name, whose public subnet a bake runs in ' +
      '(default: NetworkStackName from the parameter file, else img-mgr-vpc-<env>)',
  },
  '--app-stack': {
    value: 'NAME',
    commands: ['run', 'deploy', 'rollback', 'status'],
    help: 'img-mgr stack name (default img-mgr-<env>)',
  },
};
