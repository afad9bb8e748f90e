import type { Occurrence } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { luaScript } from '../lua.ts';
import {
  hasOccurrence as hasOccurrenceIn,
  type LedgerKeys,
  type OccurrenceWrite,
  occurrencePage,
  occurrenceWrite as occurrenceWriteOf,
  recordOccurrence as recordOccurrenceIn,
} from '../occurrences/ledger.ts';
import type { CreateWith } from '../runs.ts';
import type { ScheduleRecord } from './record.ts';

/**
 * A schedule's fires as the store sees them: the keys of its ledger (occurrences/ledger.ts keeps
 * the occurrences and the counters written with them), how many fires it keeps, and what a fire
 * adds to the create of its run: its occurrence, and the check when it did not read its schedule.
 */

export type { OccurrenceWrite };

/**
 * What a fire that did not read its schedule adds to its occurrence write: the check that the
 * schedule is as last read (lua/includes/fire-check.lua), made by lua/create-checked-fire-run.lua
 * before it creates the run (see extendWrite in runs.ts).
 */
export type FireCheck = CreateWith;

const createCheckedFireRunScript = luaScript('create-checked-fire-run');

/** Fires kept per schedule unless `retention.occurrencesPerSchedule` says otherwise. */
export const DEFAULT_OCCURRENCES_KEPT = 1000;
export const occurrencesKept = (ctx: Pick<EngineContext, 'retention'>) =>
  ctx.retention.occurrencesPerSchedule ?? DEFAULT_OCCURRENCES_KEPT;

const ledger = ({ keys }: Pick<EngineContext, 'keys'>, flow: string, id: string): LedgerKeys => ({
  index: keys.occurrenceIndex(flow, id),
  stats: keys.scheduleStats(flow),
});

/** Whether a fire at this planned time has been recorded. */
export async function hasOccurrence(
  { redis, keys }: Pick<EngineContext, 'redis' | 'keys'>,
  flow: string,
  id: string,
  scheduledFor: number,
): Promise<boolean> {
  return hasOccurrenceIn(redis, keys.occurrenceIndex(flow, id), scheduledFor);
}

/** The fire's occurrence, for the script that creates its run to record; it adds the run id. */
export function occurrenceWrite(
  ctx: Pick<EngineContext, 'keys' | 'retention'>,
  flow: string,
  id: string,
  occurrence: Omit<Occurrence, 'runId'>,
): OccurrenceWrite {
  return occurrenceWriteOf(ledger(ctx, flow, id), id, occurrence, occurrencesKept(ctx));
}

/**
 * The check a fire sends with its create when it did not read its schedule: `record` is the
 * schedule as last read, `plannedBefore` the planned time before this fire that must be recorded
 * already (null when none can be missing).
 */
export function fireCheck(
  { keys }: Pick<EngineContext, 'keys'>,
  record: ScheduleRecord,
  plannedBefore: number | null,
): FireCheck {
  return {
    script: createCheckedFireRunScript,
    keys: [keys.scheduleVersions(record.flowName)],
    args: [
      String(record.version),
      plannedBefore === null ? '' : String(plannedBefore),
      record.overlap === 'skip' ? '1' : '0',
    ],
  };
}

/** Records a fire once; false when it was recorded before or its schedule is gone. */
export async function recordOccurrence(
  ctx: Pick<EngineContext, 'redis' | 'keys' | 'retention'>,
  flow: string,
  id: string,
  occurrence: Occurrence,
): Promise<boolean> {
  const where = { ...ledger(ctx, flow, id), schedules: ctx.keys.schedules(flow) };
  return recordOccurrenceIn(ctx.redis, where, id, occurrence, occurrencesKept(ctx));
}

/** Occurrences newest first; the cursor is the last planned time returned. */
export async function scheduleOccurrences(
  { redis, keys }: Pick<EngineContext, 'redis' | 'keys'>,
  flow: string,
  id: string,
  options: { cursor?: string; limit: number },
) {
  return occurrencePage(redis, keys.occurrenceIndex(flow, id), options);
}
