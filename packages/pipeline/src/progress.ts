/**
 * The progress display for the long steps (Packer's stages, stack events),
 * each line with the elapsed time. On an interactive terminal it is a block
 * that is redrawn in place; otherwise (CI, pipes, --plain) plain lines.
 */

export type StepState = 'running' | 'done' | 'skipped' | 'failed';

export interface Step {
  /** A Packer stage, a stack event or another line of what the step does. */
  detail(line: string): void;
  /** Finished; `result` is a short phrase (an AMI id, a stack status). */
  done(result: string): void;
  /** Nothing to do (already baked, no changes). */
  skip(result: string): void;
  fail(message: string): void;
}

export interface Progress {
  step(label: string, title: string): Step;
  /** A line that is not part of a step (where AWS is, what was reused). */
  note(line: string): void;
  /**
   * A detail of whichever step runs now, from code that is not given the step (an AWS client's retry
   * lines); a note when no step runs.
   */
  detail(line: string): void;
  warn(line: string): void;
  /** Stops redrawing; the last frame stays on screen. */
  close(): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  /** Milliseconds since some fixed point. */
  now?: () => number;
  /** Terminal width (TTY mode). */
  columns?: () => number;
  /** Colours in TTY mode (default on); off when the user asks for none (see `wantsColor`). */
  color?: boolean;
}

/**
 * Whether the user lets the CLI colour its output: https://no-color.org, a
 * NO_COLOR that is set and not empty turns colour off (the redraw stays).
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.NO_COLOR;
}

/** Seconds with one decimal, right-aligned: `[  12.3s]`. */
export function stamp(ms: number): string {
  return `[${(Math.max(0, ms) / 1000).toFixed(1).padStart(6)}s]`;
}

/**
 * A measured time as a stopwatch shows it, tenths under a minute: 850ms, 12.3s, 2m05s. For the steps and
 * the summary; a setting (a --timeout) is written with the kernel's formatDuration.
 */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

const LABEL_WIDTH = 16;

/** Plain lines: `[   3.4s] bake             amazon-ebs.img-mgr: Creating temporary keypair`. */
export function plainProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const origin = now();
  const line = (label: string, text: string): void =>
    options.write(`${stamp(now() - origin)} ${label.padEnd(LABEL_WIDTH)} ${text}\n`);
  let running: Step | undefined;
  return {
    step(label, title) {
      const startedAt = now();
      line(label, `${title}`);
      const took = (): string => formatElapsed(now() - startedAt);
      const end = (text: string): void => {
        if (running === step) running = undefined;
        line(label, text);
      };
      const step: Step = {
        detail: (text) => line(label, `  ${text}`),
        done: (result) => end(`done in ${took()}: ${result}`),
        skip: (result) => end(`skipped (${took()}): ${result}`),
        fail: (message) => end(`FAILED after ${took()}: ${message}`),
      };
      running = step;
      return step;
    },
    note: (text) => line('', text),
    detail: (text) => (running ? running.detail(text) : line('', text)),
    warn: (text) => line('', `warning: ${text}`),
    close: () => undefined,
  };
}

interface TtyStep {
  label: string;
  title: string;
  state: StepState;
  startedAt: number;
  endedAt?: number;
  result?: string;
  details: string[];
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** The SGR colour of each part of the display. */
const COLOR = { green: 32, cyan: 36, red: 31, yellow: 33, dim: 2 } as const;
const ICON: Record<Exclude<StepState, 'running'>, [string, keyof typeof COLOR]> = {
  done: ['✔', 'green'],
  skipped: ['↷', 'cyan'],
  failed: ['✖', 'red'],
};
const DETAIL_LINES = 4;

/**
 * The interactive display: one line per step, the running step's last few details under it, redrawn ~10 times a
 * second.
 */
export function ttyProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const columns = options.columns ?? (() => 100);
  const paint = (color: keyof typeof COLOR, text: string): string =>
    options.color === false ? text : `\u001b[${COLOR[color]}m${text}\u001b[0m`;
  const steps: TtyStep[] = [];
  let drawnLines = 0;
  let frame = 0;
  let closed = false;

  const fit = (text: string): string => {
    const width = Math.max(20, columns() - 1);
    return visibleLength(text) > width ? `${stripAnsi(text).slice(0, width - 1)}…` : text;
  };
  const frameText = (): string[] => {
    const lines: string[] = [];
    for (const step of steps) {
      const elapsed = formatElapsed((step.endedAt ?? now()) - step.startedAt).padStart(7);
      const icon =
        step.state === 'running'
          ? paint('yellow', SPINNER[frame % SPINNER.length] ?? '')
          : paint(ICON[step.state][1], ICON[step.state][0]);
      const tail = step.state === 'running' ? step.title : (step.result ?? '');
      lines.push(fit(`${icon} ${step.label.padEnd(LABEL_WIDTH)} ${elapsed}  ${tail}`));
      if (step.state === 'running') for (const detail of step.details) lines.push(fit(paint('dim', `    ${detail}`)));
    }
    return lines;
  };
  const clear = (): void => {
    if (drawnLines > 0) options.write(`\u001b[${drawnLines}A\r\u001b[0J`);
    drawnLines = 0;
  };
  const draw = (): void => {
    clear();
    const lines = frameText();
    if (lines.length > 0) options.write(`${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  const timer = setInterval(() => {
    frame += 1;
    if (steps.some((step) => step.state === 'running')) draw();
  }, 100);
  timer.unref();
  const above = (text: string): void => {
    clear();
    options.write(`${text}\n`);
    draw();
  };
  const finish = (step: TtyStep, state: StepState, result: string): void => {
    step.state = state;
    step.endedAt = now();
    step.result = result;
    draw();
  };

  const addDetail = (step: TtyStep, text: string): void => {
    step.details.push(`${formatElapsed(now() - step.startedAt).padStart(6)}  ${text}`);
    if (step.details.length > DETAIL_LINES) step.details.shift();
    draw();
  };

  return {
    step(label, title) {
      const step: TtyStep = { label, title, state: 'running', startedAt: now(), details: [] };
      steps.push(step);
      draw();
      return {
        detail: (text) => addDetail(step, text),
        done: (result) => finish(step, 'done', result),
        skip: (result) => finish(step, 'skipped', result),
        fail: (message) => finish(step, 'failed', message),
      };
    },
    note: (text) => above(paint('dim', text)),
    detail(text) {
      const running = steps.findLast((step) => step.state === 'running');
      if (running) addDetail(running, text);
      else above(paint('dim', text));
    },
    warn: (text) => above(`${paint('yellow', 'warning:')} ${text}`),
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      draw();
    },
  };
}

/** A display that shows nothing (for tests and --json without a terminal when asked to be quiet). */
export function silentProgress(): Progress {
  const step: Step = { detail: () => undefined, done: () => undefined, skip: () => undefined, fail: () => undefined };
  return {
    step: () => step,
    note: () => undefined,
    detail: () => undefined,
    warn: () => undefined,
    close: () => undefined,
  };
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

function visibleLength(text: string): number {
  return stripAnsi(text).length;
}
