import cronstrue from 'cronstrue';

/**
 * How people write and read when a schedule fires: durations as the CLI takes them (`90s`,
 * `1h30m`) and the plain-English text the API's preview, the console and the CLI show
 * ("Every 5 minutes (UTC)", "Every 90 seconds", "Once at …"). It is its own entry point,
 * `@flowdeck/types/schedule-text`, so that loading the wire schemas does not load cronstrue.
 */

const UNITS = [
  { name: 'day', short: 'd', ms: 86_400_000 },
  { name: 'hour', short: 'h', ms: 3_600_000 },
  { name: 'minute', short: 'm', ms: 60_000 },
  { name: 'second', short: 's', ms: 1000 },
] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration written like `90s`, `5m`, `1h30m`, `2d` or `500ms`; null when it
 * is not one. A bare number is refused: `60` could mean seconds or milliseconds.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return Math.round(total);
}

/** `1h 30m`, `1d 1h 1m 1s`, `1s 500ms`: an interval exactly, the way an operator would write it. */
export function formatInterval(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    if (count > 0) parts.push(`${count}${unit.short}`);
    rest -= count * unit.ms;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join(' ');
}

/** `450ms`, `2.5s`, `1h 30m`, `1d 1h`: about how long, in at most two units, for tables and "in …". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  return formatInterval(Math.round(ms / 1000) * 1000)
    .split(' ')
    .slice(0, 2)
    .join(' ');
}

/** "90 seconds", "hour", "1500 ms": in the largest unit that divides it evenly. */
export function humanDuration(ms: number): string {
  for (const unit of UNITS) {
    if (ms % unit.ms === 0) {
      const count = ms / unit.ms;
      return count === 1 ? unit.name : `${count} ${unit.name}s`;
    }
  }
  return `${ms} ms`;
}

/**
 * "Every 5 minutes (UTC)", "At 02:00 AM (Europe/Berlin)"; without `tz`, no zone (for a place
 * that shows the zone beside it). The pattern itself when cronstrue cannot read it.
 */
export function describeCron(pattern: string, tz?: string): string {
  try {
    const text = cronstrue.toString(pattern, { use24HourTimeFormat: false, verbose: false });
    return tz === undefined ? text : `${text} (${tz})`;
  } catch {
    return pattern;
  }
}

/** "Every 90 seconds", "Every hour". */
export function describeInterval(ms: number): string {
  return `Every ${humanDuration(ms)}`;
}

const isoTime = (at: number) => new Date(at).toISOString();

/** "Once at 2030-01-01T09:00:00.000Z", or with the time as `formatTime` writes it. */
export function describeOnce(at: number, formatTime: (at: number) => string = isoTime): string {
  return `Once at ${formatTime(at)}`;
}
