/** Job summaries. */
import * as core from '@actions/core';

export type SummaryCell = string | { data: string; header?: boolean };

/** A job summary under construction; nothing is written until `write()`. */
export interface JobSummary {
  heading(text: string, level?: 1 | 2 | 3): JobSummary;
  text(markdown: string): JobSummary;
  table(header: string[], rows: SummaryCell[][]): JobSummary;
  list(items: string[]): JobSummary;
  code(text: string, lang?: string): JobSummary;
  /** Appends to $GITHUB_STEP_SUMMARY; a no-op when the runner gives none. */
  write(): Promise<void>;
}

/** Starts a job summary. */
export function jobSummary(): JobSummary {
  const summary = core.summary.emptyBuffer();
  const api: JobSummary = {
    heading(text, level = 2) {
      summary.addHeading(text, level);
      return api;
    },
    text(markdown) {
      summary.addRaw(markdown, true);
      return api;
    },
    table(header, rows) {
      summary.addTable([header.map((data) => ({ data, header: true })), ...rows]);
      return api;
    },
    list(items) {
      summary.addList(items);
      return api;
    },
    code(text, lang) {
      summary.addCodeBlock(text, lang);
      return api;
    },
    async write() {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await summary.write();
    },
  };
  return api;
}

/** Escapes text for a markdown/HTML table cell. */
export function cell(text: string | number | boolean | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;');
}
