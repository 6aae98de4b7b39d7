/**
 * The one duration grammar: what a CLI flag (--timeout) and an action input
 * (timeout, wait-timeout) accept, and the form logs and errors print, so that
 * any duration the tools print can be given back to them.
 *
 * A duration is either a bare number of seconds (`600`, `1.5`) or one or
 * more parts of a number and a unit, largest unit first, each unit at most
 * once: `950ms`, `90s`, `15m`, `1.5h`, `1h30m`, `1m30s`, `2h0m5s`. Units are
 * h, m, s and ms in any case; a blank may separate a number from its unit
 * (`15 m`). Zero parses; callers that need a positive bound say so.
 */

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
/** h, then m (not the m of ms), then s, then ms; every part optional, at least one present (checked below). */
const PARTS = new RegExp(`^(?:${NUMBER}\\s*h)?(?:${NUMBER}\\s*m(?!s))?(?:${NUMBER}\\s*s)?(?:${NUMBER}\\s*ms)?$`, 'i');
const SECONDS = new RegExp(`^${NUMBER}$`);
const PART_MS = [3_600_000, 60_000, 1_000, 1] as const;

/** `text` in milliseconds (rounded to whole ms), or undefined when it is not a duration of this grammar. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  const seconds = SECONDS.exec(value);
  if (seconds) return Math.round(Number(seconds[1]) * 1000);
  const parts = PARTS.exec(value);
  if (!parts) return undefined;
  let ms = 0;
  for (const [index, unit] of PART_MS.entries()) {
    const number = parts[index + 1];
    if (number !== undefined) ms += Number(number) * unit;
  }
  return Math.round(ms);
}

/**
 * `950ms`, `42s`, `1m30s`, `2h`, `1h5m`: the one duration format of logs and
 * errors (whole seconds from one second on); `parseDuration` reads it back.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
