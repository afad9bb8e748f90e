import type { Schedule, ScheduleSpec } from '@flowdeck/types';
import { describeCron, describeInterval, describeOnce, formatInterval } from '@flowdeck/types/schedule-text';
import { formatDateTime, formatDuration } from '../../lib/time.ts';

/**
 * The spec as written ("*\/5 * * * *", "every 1h 30m") and in plain English, for lists. The
 * zone is not in the text: lists show it beside it.
 */
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
      pattern: `every ${formatInterval(spec.every)}`,
      text: describeInterval(spec.every),
    };
  }
  if (spec.delay !== undefined) {
    return {
      kind: 'delay',
      pattern: `once, ${formatDuration(spec.delay)} after creation`,
      text: describeOnce(schedule.createdAt + spec.delay, formatDateTime),
    };
  }
  if (spec.at !== undefined) {
    return {
      kind: 'at',
      pattern: `once at ${spec.at}`,
      text: describeOnce(Date.parse(spec.at), formatDateTime),
    };
  }
  return { kind: 'unknown', pattern: '—', text: 'Unknown schedule' };
}
