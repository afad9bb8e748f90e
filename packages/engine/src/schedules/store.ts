import type { Occurrence } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import type { ScheduleRecord } from './record.ts';
import { getScheduleWithStats, scheduleStats } from './store-counters.ts';
import {
  fireCheck,
  hasOccurrence,
  occurrenceWrite,
  recordOccurrence,
  scheduleOccurrences,
} from './store-occurrences.ts';
import { pageSchedules } from './store-paging.ts';
import {
  allSchedules,
  createScheduleClaiming,
  flowsWithSchedules,
  getSchedule,
  removeSchedule,
  writeSchedule,
} from './store-records.ts';

/**
 * The schedule store: records (JSON per id), their versions (for compare-and-set), the
 * client jobId → id map (idempotent create), counters and occurrences (kept by
 * occurrences/ledger.ts). All of one flow's schedule keys share the flow's hash tag.
 *
 * Its parts are modules of plain functions that take the context they use: records and versions
 * (store-records.ts), the paging index (store-paging.ts), counters (store-counters.ts) and fires
 * (store-occurrences.ts). createScheduleStore binds them to one context.
 */

export {
  DEFAULT_OCCURRENCES_KEPT,
  type FireCheck,
  type OccurrenceWrite,
  occurrencesKept,
} from './store-occurrences.ts';
export { indexEntry, SCHEDULE_CURSOR } from './store-records.ts';

/** The store's functions bound to `ctx`, under the names the rest of the engine calls them by. */
export function createScheduleStore(ctx: EngineContext) {
  return {
    get: (flow: string, id: string) => getSchedule(ctx, flow, id),
    getWithStats: (flow: string, id: string) => getScheduleWithStats(ctx, flow, id),
    all: (flow: string) => allSchedules(ctx, flow),
    page: (flow: string, options: { limit: number; cursor?: string }) => pageSchedules(ctx, flow, options),
    write: (next: ScheduleRecord, expected: number | null) => writeSchedule(ctx, next, expected),
    createClaiming: (record: ScheduleRecord & { jobId: string }) => createScheduleClaiming(ctx, record),
    remove: (record: ScheduleRecord) => removeSchedule(ctx, record),
    stats: (flow: string, ids: string[]) => scheduleStats(ctx, flow, ids),
    hasOccurrence: (flow: string, id: string, scheduledFor: number) =>
      hasOccurrence(ctx, flow, id, scheduledFor),
    occurrenceWrite: (flow: string, id: string, occurrence: Omit<Occurrence, 'runId'>) =>
      occurrenceWrite(ctx, flow, id, occurrence),
    fireCheck: (record: ScheduleRecord, plannedBefore: number | null) =>
      fireCheck(ctx, record, plannedBefore),
    recordOccurrence: (flow: string, id: string, occurrence: Occurrence) =>
      recordOccurrence(ctx, flow, id, occurrence),
    occurrences: (flow: string, id: string, options: { cursor?: string; limit: number }) =>
      scheduleOccurrences(ctx, flow, id, options),
    flowsWithSchedules: () => flowsWithSchedules(ctx),
  };
}

export type ScheduleStore = ReturnType<typeof createScheduleStore>;
