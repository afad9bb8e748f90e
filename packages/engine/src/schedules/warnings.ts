import { CronExpressionParser } from 'cron-parser';
import { nextCronFire, nextFires, type Timing } from './spec.ts';

/**
 * Warnings a person should see before saving a schedule: fire times that a daylight-saving
 * change skips or repeats in the next 12 months, and patterns that fire more than once a
 * minute. DST is checked by finding the zone's offset changes, then asking whether the
 * pattern matches a wall-clock time inside the skipped or repeated hour.
 */

const YEAR_MS = 365 * 86_400_000;
const SCAN_STEP_MS = 6 * 3_600_000;

export function scheduleWarnings(timing: Timing, now: number): string[] {
  if (timing.kind !== 'cron') return [];
  return [...frequencyWarnings(timing, now), ...dstWarnings(timing.cron, timing.tz, now)];
}

function frequencyWarnings(timing: Timing, now: number): string[] {
  const fires = nextFires(timing, { startDate: null, endDate: null }, now, now, 3, null);
  const gaps = fires.slice(1).map((t, i) => t - fires[i]!);
  const smallest = Math.min(...gaps);
  if (gaps.length === 0 || smallest >= 60_000) return [];
  return [`fires more than once a minute (every ${Math.round(smallest / 1000)} s); is that intended?`];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetMinutes(tz: string, at: number): number {
  let formatter = formatters.get(tz);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    formatters.set(tz, formatter);
  }
  const name = formatter.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

interface Transition {
  at: number;
  before: number;
  after: number;
}

/**
 * The zone's offset changes in the year after `from`, each at the first minute of the new offset.
 * The search runs on whole minutes, so `at - 1` is the last instant of the old offset: asking for
 * the next fire from any later instant, cron-parser drops a fire that the change moves forward.
 */
function transitions(tz: string, from: number): Transition[] {
  const found: Transition[] = [];
  const start = Math.floor(from / 60_000) * 60_000;
  for (let t = start; t < start + YEAR_MS; t += SCAN_STEP_MS) {
    const before = offsetMinutes(tz, t);
    const after = offsetMinutes(tz, t + SCAN_STEP_MS);
    if (before === after) continue;
    let lo = t;
    let hi = t + SCAN_STEP_MS;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
      if (offsetMinutes(tz, mid) === before) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before, after });
  }
  return found;
}

const wallClock = (wallAsUtc: number) => new Date(wallAsUtc).toISOString().slice(11, 16);
const wallDate = (wallAsUtc: number) => new Date(wallAsUtc).toISOString().slice(0, 10);

/** The first wall-clock time in [start, end) the pattern matches, treating wall time as UTC. */
function matchInWindow(cron: string, start: number, end: number): number | null {
  const next = CronExpressionParser.parse(cron, { currentDate: new Date(start - 1), tz: 'UTC' })
    .next()
    .getTime();
  return next < end ? next : null;
}

function dstWarnings(cron: string, tz: string, now: number): string[] {
  const hourField = cron.trim().split(/\s+/).at(-4) ?? '*';
  if (hourField.startsWith('*')) return []; // hourly-or-finer patterns keep firing in real time
  const warnings: string[] = [];
  for (const { at, before, after } of transitions(tz, now)) {
    const delta = (after - before) * 60_000;
    if (delta > 0) {
      const start = at + before * 60_000;
      const hit = matchInWindow(cron, start, start + delta);
      if (hit === null) continue;
      const real = nextCronFire(cron, tz, at - 1);
      const realWall = real === null ? null : real + after * 60_000;
      const gone = `on ${wallDate(hit)}, ${wallClock(hit)} does not exist in ${tz} (clocks go forward)`;
      warnings.push(
        realWall !== null && wallDate(realWall) === wallDate(hit)
          ? `${gone}: that fire runs at ${wallClock(realWall)} instead`
          : `${gone}: that day has no fire at ${wallClock(hit)}`,
      );
    } else {
      const start = at + after * 60_000;
      const hit = matchInWindow(cron, start, start - delta);
      if (hit === null) continue;
      warnings.push(
        `on ${wallDate(hit)}, ${wallClock(hit)} happens twice in ${tz} (clocks go back): it fires once, at the first ${wallClock(hit)}`,
      );
    }
  }
  return warnings;
}
