import type { Trigger } from '@flowdeck/types';

/**
 * How a run record stores what started it. A schedule's id and planned time are fields of their
 * own beside the rest of the trigger as JSON (`{"type":"schedule"}`): Redis keeps a hash whose
 * values are all 64 bytes or less as a compact listpack, and a schedule's whole trigger as JSON is
 * longer than that, which made every scheduled run's record a hashtable of about three times the
 * memory.
 */

/** The record's trigger fields: the trigger less the schedule's id and time, as JSON, then those two ('' when absent). */
export function triggerFields(trigger: Trigger): [rest: string, scheduleId: string, scheduledFor: string] {
  const { scheduleId, scheduledFor, ...rest } = trigger;
  return [JSON.stringify(rest), scheduleId ?? '', scheduledFor === undefined ? '' : String(scheduledFor)];
}

/** The trigger from a record's fields (no `trigger` field: a record that is not there). */
export function triggerOf(fields: {
  trigger?: string | null;
  scheduleId?: string | null;
  scheduledFor?: string | null;
}): Trigger {
  const trigger = (fields.trigger ? JSON.parse(fields.trigger) : {}) as Trigger;
  if (fields.scheduleId) trigger.scheduleId = fields.scheduleId;
  if (fields.scheduledFor) trigger.scheduledFor = Number(fields.scheduledFor);
  return trigger;
}
