/**
 * Packer's UI lines folded per build in the runner's log. Groups cannot nest
 * or interleave, so when parallel builds interleave their lines the group is
 * closed and the other build's group opened ("… (continued)").
 */
import { info } from '@img-mgr/action-kit';
import type { UiLine } from '@img-mgr/packer-bake';

export class LogFolds {
  private current: string | undefined;
  private readonly seen = new Set<string>();

  /** Opens a group with this title (closing the open one). */
  open(title: string): void {
    this.close();
    const shown = this.seen.has(title) ? `${title} (continued)` : title;
    this.seen.add(title);
    process.stdout.write(`::group::${shown}\n`);
    this.current = title;
  }

  /** Closes the open group, if any. */
  close(): void {
    if (this.current === undefined) return;
    process.stdout.write('::endgroup::\n');
    this.current = undefined;
  }

  /** Prints a UI line in its build's group; lines naming no build stay in the open group. */
  line(line: UiLine): void {
    if (line.build !== undefined) {
      const title = `Packer build ${line.build}`;
      if (this.current !== title) this.open(title);
    }
    // A line must not be read as a workflow command by the runner.
    info(line.text.startsWith('::') ? ` ${line.text}` : line.text);
  }
}
