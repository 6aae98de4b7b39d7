/**
 * The `node` and `bash` that act's host mode starts for each step, wrapped so
 * that the harness keeps the step's complete output.
 *
 * Why: act (v0.2.87, pkg/container/host_environment.go) runs a host step on a
 * pseudo-terminal and copies the terminal to its log in a goroutine. When the
 * step exits non-zero it returns at once, without waiting for that copy, and
 * closes the terminal: the failing step's last lines (its `::error::` line
 * among them) arrive after "Job failed", or never. A test that reads them from
 * act's log flakes. Each wrapper here runs the real program with its output
 * piped through `tee` into a file of its own, and exits only when `tee` has
 * written everything, so the transcript is whole whatever act does with the
 * terminal. The terminal still gets every line, so act's log is unchanged.
 */
import {
  accessSync,
  constants,
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';

/** Set in a wrapped step, so that a `bash` the step starts itself is not captured twice. */
const ACTIVE = 'IMG_MGR_STEP_TRANSCRIPT_ACTIVE';

export interface RunnerShims {
  /** The folder to put first on act's PATH. */
  binDir: string;
  /** Every wrapped step's output so far, in the order the steps started. */
  transcript(): string;
}

/** The first executable `name` on `path`, skipping `skip`. */
export function findOnPath(name: string, path: string, skip?: string): string {
  for (const dir of path.split(delimiter)) {
    if (!dir || dir === skip) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next entry
    }
  }
  throw new Error(`runner shims: no ${name} on PATH (${path})`);
}

/**
 * act asks `node -e 'console.log(process.execPath)'` once per job and then starts
 * every action by that absolute path (pkg/runner/run_context.go): the node
 * wrapper answers with its own path, so that the actions run through it.
 */
const ANSWER_EXEC_PATH = 'if [[ "$*" == *process.execPath* ]]; then echo "$0"; exit 0; fi';

/** A bash script that runs `real` with the caller's arguments and keeps its output in `transcriptDir`. */
function wrapper(real: string, transcriptDir: string, prelude: string[]): string {
  const quoted = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  return [
    '#!/bin/bash',
    ...prelude,
    `if [[ -n "\${${ACTIVE}:-}" ]]; then exec ${quoted(real)} "$@"; fi`,
    `export ${ACTIVE}=1`,
    `file=${quoted(transcriptDir)}/"$(date +%s%N)-$$.log"`,
    // The pipeline waits for tee, so the file is complete before this exits.
    `${quoted(real)} "$@" 2>&1 | tee -a "$file"`,
    'exit "${PIPESTATUS[0]}"',
    '',
  ].join('\n');
}

/**
 * Writes the wrappers into `scratch`: `node` runs `node` (the test tools' Node 24
 * when given, what `runs.using: node24` gets on GitHub), `bash` the first bash
 * on `path`.
 */
export function createRunnerShims(scratch: string, path: string, node: string): RunnerShims {
  const binDir = join(scratch, 'bin');
  const transcriptDir = join(scratch, 'transcript');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(transcriptDir, { recursive: true });
  const programs = [
    { name: 'node', real: node, prelude: [ANSWER_EXEC_PATH] },
    { name: 'bash', real: findOnPath('bash', path, binDir), prelude: [] },
  ];
  for (const { name, real, prelude } of programs) {
    const script = join(scratch, `${name}-wrapper.sh`);
    writeFileSync(script, wrapper(real, transcriptDir, prelude));
    chmodSync(script, 0o755);
    symlinkSync(script, join(binDir, name));
  }
  return {
    binDir,
    transcript: () =>
      readdirSync(transcriptDir)
        .sort()
        .map((file) => readFileSync(join(transcriptDir, file), 'utf8'))
        .join(''),
  };
}
