import type { Schedule, ScheduleSpec } from '@flowdeck/types';
import cronstrue from 'cronstrue';
import { formatDateTime, formatDuration } from '../../lib/time.ts';

/** Plain English for a cron pattern; cronstrue's own message when it cannot read it. */
export function describeCron(pattern: string): string {
  try {
    return cronstrue.toString(pattern, { use24HourTimeFormat: false, verbose: false });
  } catch (error) {
    return typeof error === 'string' ? error : error instanceof Error ? error.message : 'Unreadable pattern';
  }
}

const INTERVAL_UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/** "Every 90 minutes", "Every day", "Every 1.5 seconds": the largest unit that divides evenly. */
export function describeInterval(ms: number): string {
  for (const [unit, size] of INTERVAL_UNITS) {
    if (ms % size === 0) {
      const count = ms / size;
      return count === 1 ? `Every ${unit}` : `Every ${count} ${unit}s`;
    }
  }
  return `Every ${ms / 1000} seconds`;
}

/** "1d 2h", "1h 30m", "45s": the interval as compactly as an operator would write it. */
function compactInterval(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of INTERVAL_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit[0]}`);
    rest -= count * size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join(' ');
}

/** The spec as written ("*\/5 * * * *", "every 30 s") and in plain English, for lists. */
export function describeSchedule(schedule: Pick<Schedule, 'schedule' | 'createdAt'>): {
  pattern: string;
  text: string;
  kind: 'cron' | 'every' | 'delay' | 'at' | 'unknown';
} {
  const spec: ScheduleSpec = schedule.schedule;
  if (spec.cron !== undefined) return { kind: 'cron', pattern: spec.cron, text: describeCron(spec.cron) };
  if (spec.every !== undefined) {
    return {
      kind: 'every',
      pattern: `every ${compactInterval(spec.every)}`,
      text: describeInterval(spec.every),
    };
  }
  if (spec.delay !== undefined) {
    const at = schedule.createdAt + spec.delay;
    return {
      kind: 'delay',
      pattern: `once, ${formatDuration(spec.delay)} after creation`,
      text: `Once at ${formatDateTime(at)}`,
    };
  }
  if (spec.at !== undefined) {
    return {
      kind: 'at',
      pattern: `once at ${spec.at}`,
      text: `Once at ${formatDateTime(Date.parse(spec.at))}`,
    };
  }
  return { kind: 'unknown', pattern: '—', text: 'Unknown schedule' };
}
