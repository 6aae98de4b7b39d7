/** `--help` texts, printed from the CLI's one table (cli-table.ts); complete, so the README need not repeat them. */
import { COMMAND_TABLE, COMMANDS, FLAGS, type Command } from './cli-table.js';
import { EXIT_CODE_HELP } from './exit-codes.js';

function flagLines(command?: Command): string[] {
  return Object.entries(FLAGS)
    .filter(([, spec]) => command === undefined || !spec.commands || spec.commands.includes(command))
    .map(([flag, spec]) => `  ${`${flag}${spec.value ? ` ${spec.value}` : ''}`.padEnd(24)} ${spec.help}`);
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
    ...COMMANDS.map((command) => `  ${command.padEnd(10)} ${COMMAND_TABLE[command].summary}`),
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
  const spec = COMMAND_TABLE[command];
  return [
    `img-mgr-pipeline ${command}: ${spec.summary}`,
    '',
    `Usage: img-mgr-pipeline ${command} [flags]`,
    '',
    ...spec.details,
    '',
    'Flags:',
    ...flagLines(command),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    'Examples:',
    ...spec.examples.map((line) => `  ${line}`),
    '',
  ].join('\n');
}
