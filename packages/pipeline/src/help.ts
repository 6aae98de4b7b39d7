/** `--help` texts, complete enough that the README need not repeat them. */
import { COMMANDS, DEFAULTS, FLAGS, type Command } from './args.js';
import { EXIT_CODE_HELP } from './exit-codes.js';

const SUMMARY: Record<Command, string> = {
  run: 'bake the AMI, publish it to the SSM parameter, deploy the vpc and img-mgr stacks',
  bake: 'bake the AMI with Packer (skipped when an AMI baked from the same inputs exists)',
  publish: 'point the SSM parameter at an AMI (default: the one the last bake made)',
  deploy: 'deploy the vpc stack, then the img-mgr stack (its ImageId resolves from the parameter)',
  rollback: 'put an earlier AMI back into the parameter, then redeploy the img-mgr stack',
  status: "the parameter's value and history; each stack's status, resolved AMI and outputs",
  down: 'stop the local AWS that --keep left running',
};

const DETAILS: Record<Command, string[]> = {
  run: [
    'The whole chain, as the workflow runs it: bake-ami → publish-ami → deploy-stack (vpc) → deploy-stack (img-mgr).',
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
  ],
  bake: [
    'Runs packer init/validate/build on packer/ through the bake-ami library. The fingerprint covers the',
    'template files, the variables and the app revision (the commit --flask-ref names; without --flask-ref,',
    'the default branch of --flask-repo, from `git ls-remote --symref`). A --flask-ref that names no branch,',
    'tag or commit of the repository is exit 2, before anything starts. Locally Packer uses',
    'packer/test.pkrvars.hcl (communicator none: no SSH, the provisioners are skipped).',
  ],
  publish: [
    'Writes the AMI id to the parameter (data type aws:ec2:image) through the publish-ami library: checked',
    'before writing, no new version when it already holds the AMI, confirmed by reading it back.',
  ],
  deploy: [
    'Creates or updates both stacks through change sets with the deploy-stack library, streaming their events.',
    'Parameters come from cloudformation/parameters/vpc-<env>-<region>.json and <env>-<region>.json.',
  ],
  rollback: [
    "Republishes an earlier version's AMI as a new version labelled rollback-from-v<N>, then redeploys the",
    'img-mgr stack so the fleet goes back without a rebake.',
  ],
  status: [
    'Read-only. Shows the newest 10 versions of the parameter and, per stack, the AMI its launch template holds;',
    'locally, also the local preview of the app when one runs.',
  ],
  down: [
    'Stops the local preview of the app and the moto server recorded in the state folder, and removes their',
    'records. A recorded pid is signalled only while it is still that moto_server on the recorded port.',
  ],
};

const EXAMPLES: Partial<Record<Command, string[]>> = {
  run: [
    'img-mgr-pipeline run                                  embedded AWS, torn down at the end',
    'img-mgr-pipeline run --keep && img-mgr-pipeline run   the second run skips Packer; the preview stays up',
    'img-mgr-pipeline run --flask-repo /path/to/your/fork --flask-ref my-branch',
    'img-mgr-pipeline run --no-preview                     the chain only',
    'img-mgr-pipeline run --json > result.json             summary as JSON (progress on stderr)',
    'img-mgr-pipeline run --aws --region us-west-2 --flask-repo https://github.com/you/flask-aws-storage.git',
  ],
  bake: ['img-mgr-pipeline bake --keep --flask-ref v1.2.0', 'img-mgr-pipeline bake --force --keep'],
  publish: [
    'img-mgr-pipeline publish                              the AMI of the last bake',
    'img-mgr-pipeline publish --ami-id ami-0123456789abcdef0',
  ],
  deploy: ['img-mgr-pipeline deploy --env dev'],
  rollback: [
    'img-mgr-pipeline rollback                             to the previous value',
    'img-mgr-pipeline rollback --to 3',
    'img-mgr-pipeline rollback --to release-1.2',
  ],
  status: ['img-mgr-pipeline status', 'img-mgr-pipeline status --aws --region us-west-2 --json'],
  down: ['img-mgr-pipeline down'],
};

const FLAG_HELP: Record<string, string> = {
  '--aws': 'use your real AWS account (credentials from the usual chain: AWS_PROFILE, SSO, env, OIDC)',
  '--endpoint': 'use an AWS emulator you run, e.g. http://127.0.0.1:5000 (moto_server)',
  '--region':
    `AWS region (default: ${DEFAULTS.localRegion} locally, AWS_REGION with --aws); ` +
    'one newer than this release needs IMG_MGR_ANY_REGION=1 (or IMG_MGR_PIPELINE_ANY_REGION=1)',
  '--keep': 'keep the embedded AWS running after the command; later commands reuse it until `down`',
  '--timeout':
    `bound of the whole command, e.g. 90s, 15m, 1h (default ${DEFAULTS.timeoutMs / 60_000}m); ` +
    'reaching it fails (exit 7)',
  '--flask-repo':
    'https git URL of the Flask app, or locally a repository path / file:// URL ' + `(default ${DEFAULTS.flaskRepo})`,
  '--flask-ref': "branch, tag or full commit SHA of the app (default: the repository's default branch)",
  '--no-preview': 'do not start the local preview of the app after a local run',
  '--preview-port': '127.0.0.1 port of the local preview (default: a free one)',
  '--force': 'bake even when an AMI from the same inputs exists',
  '--ami-id': 'the AMI to publish (default: the last one `bake` made against this AWS)',
  '--to': 'rollback target: previous (default), a version number, or a label',
  '--parameter-name': `the SSM parameter (default ${DEFAULTS.parameterName})`,
  '--env': `environment of the parameter files (default ${DEFAULTS.env})`,
  '--vpc-stack': 'vpc stack name (default: NetworkStackName from the parameter file, else img-mgr-vpc-<env>)',
  '--app-stack': 'img-mgr stack name (default img-mgr-<env>)',
  '--json': 'print one JSON document on stdout instead of the summary table (progress still goes to stderr)',
  '--plain': 'plain progress lines even on a terminal (the default when not a terminal or CI is set)',
  '--state-dir':
    'folder for the records of the kept local AWS, the preview and the last bake, and the lock ' +
    '(default packages/pipeline/.state)',
  '--help': 'this help',
};

const VALUE_NAME: Record<string, string> = {
  '--endpoint': 'URL',
  '--region': 'REGION',
  '--timeout': 'DURATION',
  '--flask-repo': 'URL',
  '--flask-ref': 'REF',
  '--preview-port': 'PORT',
  '--ami-id': 'AMI',
  '--to': 'TARGET',
  '--parameter-name': 'NAME',
  '--env': 'ENV',
  '--vpc-stack': 'NAME',
  '--app-stack': 'NAME',
  '--state-dir': 'DIR',
};

function flagLines(command?: Command): string[] {
  return Object.entries(FLAGS)
    .filter(([, spec]) => command === undefined || !spec.commands || spec.commands.includes(command))
    .map(([flag]) => {
      const left = `${flag}${VALUE_NAME[flag] ? ` ${VALUE_NAME[flag]}` : ''}`;
      return `  ${left.padEnd(24)} ${FLAG_HELP[flag] ?? ''}`;
    });
}

function exitCodeLines(): string[] {
  return EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`);
}

/** The overview: commands, where it runs, flags, exit codes, examples. */
export function generalHelp(): string {
  return [
    'img-mgr-pipeline: bake → publish → deploy the img-mgr system with one command.',
    '',
    'Usage: img-mgr-pipeline <command> [flags]        (from the repository: npm run pipeline -- <command> [flags])',
    '       img-mgr-pipeline <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.padEnd(10)} ${SUMMARY[command]}`),
    '',
    'Where it runs:',
    '  (default)    an embedded AWS: moto_server on a free 127.0.0.1 port, started for the command and stopped',
    '               after it. publish, deploy, rollback and status need one kept by an earlier `run --keep`.',
    '  --keep       leave it running (recorded in the state folder); later commands reuse it; `down` stops it',
    '               A local `run` also serves the baked app on 127.0.0.1 (the local preview; see run --help).',
    '               One command at a time per state folder (a second one refuses, naming the first).',
    '  --endpoint   an AWS emulator you run yourself',
    '  --aws        your real AWS account and region',
    '',
    'Flags:',
    ...flagLines(),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    'Examples:',
    '  img-mgr-pipeline run                      the whole chain on an embedded AWS, then tear it down',
    '  img-mgr-pipeline run --keep               ... and keep it; run again: Packer is skipped (already baked)',
    '  img-mgr-pipeline rollback && img-mgr-pipeline status',
    '  img-mgr-pipeline down',
    '  img-mgr-pipeline run --aws --region us-west-2 --flask-repo https://github.com/you/flask-aws-storage.git',
    '',
  ].join('\n');
}

/** One command's help. */
export function commandHelp(command: Command): string {
  return [
    `img-mgr-pipeline ${command}: ${SUMMARY[command]}`,
    '',
    `Usage: img-mgr-pipeline ${command} [flags]`,
    '',
    ...DETAILS[command],
    '',
    'Flags:',
    ...flagLines(command),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    'Examples:',
    ...(EXAMPLES[command] ?? []).map((line) => `  ${line}`),
    '',
  ].join('\n');
}
