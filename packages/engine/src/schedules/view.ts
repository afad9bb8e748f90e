import type { Schedule } from '@flowdeck/types';
import { isRecurring, type ScheduleRecord, type ScheduleStats } from './record.ts';
import { nextFires, timingOf, windowOf } from './spec.ts';
import type { ScheduleStore } from './store.ts';
import type { Triggers } from './triggers.ts';

/**
 * A schedule as the API shows it: the stored record with its counters, and the status and next
 * run derived from what BullMQ holds for it. A recurring schedule with no fire left shows
 * `completed` before any fire has stored that.
 */

export interface ViewDeps {
  store: ScheduleStore;
  triggers: Triggers;
}

/** What BullMQ holds for a schedule: whether its trigger is in place and when it fires next. */
export interface InstalledTrigger {
  installed: boolean;
  next: number | null;
}

/** Scheduled fires the limit leaves (null: no limit). */
export async function remainingFires(
  { store }: Pick<ViewDeps, 'store'>,
  record: ScheduleRecord,
  stats?: ScheduleStats,
) {
  if (record.limit === null) return null;
  const fires = (stats ?? (await store.stats(record.flowName, [record.id])).get(record.id))?.fires ?? 0;
  return Math.max(0, record.limit - fires);
}

/**
 * The status and next run of an active schedule, given its trigger and the fires its limit leaves.
 * A recurring trigger that fires next in the future, within the window and the limit, is the next
 * planned fire itself; only otherwise is it computed (a cron parse per schedule is most of a
 * listing's time).
 */
export function activeState(
  record: ScheduleRecord,
  trigger: InstalledTrigger,
  remaining: number | null,
  now: number,
): { status: Schedule['status']; nextRun: number | null } {
  const { installed, next } = trigger;
  const endDate = record.endDate === null ? null : Date.parse(record.endDate);
  const upcoming =
    isRecurring(record) &&
    installed &&
    next !== null &&
    next > now &&
    (remaining === null || remaining > 0) &&
    (endDate === null || next <= endDate);
  const timing = timingOf(record.spec, record.anchor);
  const planned = upcoming ? next : nextFires(timing, windowOf(record), record.anchor, now, 1, remaining)[0];
  if (isRecurring(record) && planned === undefined) return { status: 'completed', nextRun: null };
  const nextRun = installed ? next : (planned ?? null);
  if (nextRun !== null && endDate !== null && nextRun > endDate) return { status: 'active', nextRun: null };
  return { status: 'active', nextRun };
}

/** The record as the API shows it, with the status and next run worked out by the caller. */
export function toSchedule(
  record: ScheduleRecord,
  stats: ScheduleStats,
  state: { status: Schedule['status']; nextRun: number | null },
): Schedule {
  return {
    id: record.id,
    flowName: record.flowName,
    queue: record.flowName,
    step: record.step,
    schedule: record.spec,
    status: state.status,
    pausedReason: record.pausedReason,
    nextRun: state.nextRun,
    input: record.input,
    metadata: record.metadata,
    stats: { count: stats.count, lastRun: stats.lastRun },
    overlap: record.overlap,
    catchupWindowMs: record.catchupWindowMs,
    startDate: record.startDate,
    endDate: record.endDate,
    limit: record.limit,
    jobId: record.jobId,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** `trigger`: what BullMQ holds for it, when the caller knows (it was just installed); else it is read. */
export async function view(
  deps: ViewDeps,
  record: ScheduleRecord,
  stats: ScheduleStats,
  trigger?: InstalledTrigger,
): Promise<Schedule> {
  const now = Date.now();
  if (record.status !== 'active') return toSchedule(record, stats, { status: record.status, nextRun: null });
  const remaining = await remainingFires(deps, record, stats);
  const installed = trigger ?? (await deps.triggers.inspect(record));
  return toSchedule(record, stats, activeState(record, installed, remaining, now));
}

/** Views of one flow's schedules: their counters and triggers read in one go. */
export async function views(deps: ViewDeps, flow: string, records: ScheduleRecord[]) {
  const active = records.filter((r) => r.status === 'active');
  const [stats, installed] = await Promise.all([
    deps.store.stats(
      flow,
      records.map((r) => r.id),
    ),
    deps.triggers.inspectMany(flow, active),
  ]);
  return Promise.all(records.map((r) => view(deps, r, stats.get(r.id)!, installed.get(r.id))));
}

export const viewOne = async (deps: ViewDeps, record: ScheduleRecord) =>
  (await views(deps, record.flowName, [record]))[0]!;
