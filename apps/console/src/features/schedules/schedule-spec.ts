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

export function describeInterval(ms: number): string {
  return `Every ${formatDuration(ms)}`;
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
      pattern: `every ${formatDuration(spec.every)}`,
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
