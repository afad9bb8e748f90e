import type { Occurrence } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
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
import type { ScheduleRecord, ScheduleStats } from './record.ts';

/**
 * The schedule store: records (JSON per id), their versions (for compare-and-set), the
 * client jobId → id map (idempotent create), counters and occurrences (kept by
 * occurrences/ledger.ts). All of one flow's schedule keys share the flow's hash tag.
 */

const writeScript = luaScript('write-schedule');
const createClaimingScript = luaScript('create-schedule-claiming');
const recordWithStatsScript = luaScript('schedule-with-stats');
const pageScript = luaScript('schedule-page');
const createCheckedFireRunScript = luaScript('create-checked-fire-run');

/** A schedule's entry in the paging index: creation time first, so entries sort oldest first. A
 * page's cursor is the entry of its last schedule. */
export const indexEntry = (record: Pick<ScheduleRecord, 'id' | 'createdAt'>) =>
  `${record.createdAt.toString(36).padStart(9, '0')}:${record.id}`;
export const SCHEDULE_CURSOR = /^[0-9a-z]{9}:sch_[0-9a-z]{1,40}$/;

export type { OccurrenceWrite };

/**
 * What a fire that did not read its schedule adds to its occurrence write: the check that the
 * schedule is as last read (lua/includes/fire-check.lua), made by lua/create-checked-fire-run.lua
 * before it creates the run (see extendWrite in runs.ts).
 */
export type FireCheck = CreateWith;

/** Fires kept per schedule unless `retention.occurrencesPerSchedule` says otherwise. */
export const DEFAULT_OCCURRENCES_KEPT = 1000;
export const occurrencesKept = (ctx: EngineContext) =>
  ctx.retention.occurrencesPerSchedule ?? DEFAULT_OCCURRENCES_KEPT;
const STAT_FIELDS = ['count', 'fires', 'lastRun', 'lastRunId', 'lastPlanned'] as const;

function toStats(values: (string | null | undefined)[]): ScheduleStats {
  const [count, fires, lastRun, lastRunId, lastPlanned] = values;
  return {
    count: Number(count ?? 0),
    fires: Number(fires ?? 0),
    lastRun: lastRun ? Number(lastRun) : null,
    lastRunId: lastRunId ?? null,
    lastPlanned: lastPlanned ? Number(lastPlanned) : null,
  };
}

export function createScheduleStore(ctx: EngineContext) {
  const { redis, keys } = ctx;

  async function get(flow: string, id: string): Promise<ScheduleRecord> {
    const raw = await redis.hget(keys.schedules(flow), id);
    if (!raw) throw new NotFoundError('schedule_not_found', `flow '${flow}' has no schedule '${id}'`);
    return JSON.parse(raw) as ScheduleRecord;
  }

  /** The record and its counters in one round trip, for a fire; null when the schedule is gone. */
  async function getWithStats(
    flow: string,
    id: string,
  ): Promise<{ record: ScheduleRecord; stats: ScheduleStats } | null> {
    const [raw, ...values] = (await recordWithStatsScript(
      redis,
      [keys.schedules(flow), keys.scheduleStats(flow)],
      [id, ...STAT_FIELDS.map((f) => `${id}:${f}`)],
    )) as [string | false, ...(string | false)[]];
    if (!raw) return null;
    return { record: JSON.parse(raw) as ScheduleRecord, stats: toStats(values.map((v) => v || null)) };
  }

  async function all(flow: string): Promise<ScheduleRecord[]> {
    const raws = Object.values(await redis.hgetall(keys.schedules(flow)));
    return raws.map((raw) => JSON.parse(raw) as ScheduleRecord).sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * One page of schedules, oldest first, after `cursor` (the last entry of the previous page).
   * Schedules written before the index existed are indexed on the first page asked for.
   */
  async function page(flow: string, options: { limit: number; cursor?: string }) {
    const read = (check: 'check' | 'nocheck') =>
      pageScript(
        redis,
        [keys.schedules(flow), keys.scheduleIndex(flow)],
        [options.cursor ? `(${options.cursor}` : '-', options.limit, check],
      ) as Promise<[string[], (string | null)[]] | [-1]>;
    let result = await read('check');
    if (result[0] === -1) {
      // Once rebuilt, the page is served even if a write in between left the counts apart again;
      // a later page read repairs the index.
      await rebuildIndex(flow);
      result = await read('nocheck');
    }
    const [entries, raws] = result as [string[], (string | null)[]];
    const records = raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as ScheduleRecord);
    const more = entries.length > options.limit;
    return { records, nextCursor: more ? (entries[options.limit - 1] ?? null) : null };
  }

  /** Indexes every schedule of the flow again (schedules written before the index existed). */
  async function rebuildIndex(flow: string) {
    const index = keys.scheduleIndex(flow);
    const records = await all(flow);
    const pipeline = redis.pipeline().del(index);
    for (let i = 0; i < records.length; i += 1000) {
      pipeline.zadd(index, ...records.slice(i, i + 1000).flatMap((r) => [0, indexEntry(r)]));
    }
    await pipeline.exec();
  }

  /** Writes `next` if the stored version is still `expected` (null: the id must be new). */
  async function write(next: ScheduleRecord, expected: number | null): Promise<void> {
    // The flow joins the set of flows with schedules in the same round trip (harmless if the write is refused).
    const [[ok, current]] = (await Promise.all([
      writeScript(
        redis,
        [
          keys.schedules(next.flowName),
          keys.scheduleVersions(next.flowName),
          keys.scheduleIndex(next.flowName),
        ],
        [
          next.id,
          expected === null ? '' : String(expected),
          JSON.stringify(next),
          String(next.version),
          indexEntry(next),
        ],
      ),
      redis.sadd(keys.scheduledFlows, next.flowName),
    ])) as [[number, string], number];
    if (ok !== 1) {
      throw new ConflictError(
        'version_conflict',
        `schedule '${next.id}' was changed by someone else (now version ${current}); reload it and try again`,
      );
    }
  }

  /**
   * Writes a new schedule that names a client jobId, unless another schedule holds that jobId:
   * then nothing is written and that schedule's id is returned.
   */
  async function createClaiming(record: ScheduleRecord & { jobId: string }): Promise<string | null> {
    const flow = record.flowName;
    const [[written, holder]] = (await Promise.all([
      createClaimingScript(
        redis,
        [
          keys.schedules(flow),
          keys.scheduleVersions(flow),
          keys.scheduleIndex(flow),
          keys.scheduleJobIds(flow),
        ],
        [record.id, JSON.stringify(record), String(record.version), indexEntry(record), record.jobId],
      ),
      redis.sadd(keys.scheduledFlows, flow),
    ])) as [[number, string], number];
    return written === 1 ? null : holder;
  }

  async function remove(record: ScheduleRecord) {
    const flow = record.flowName;
    const multi = redis.multi();
    multi.hdel(keys.schedules(flow), record.id);
    multi.hdel(keys.scheduleVersions(flow), record.id);
    multi.zrem(keys.scheduleIndex(flow), indexEntry(record));
    if (record.jobId) multi.hdel(keys.scheduleJobIds(flow), record.jobId);
    multi.hdel(keys.scheduleStats(flow), ...STAT_FIELDS.map((f) => `${record.id}:${f}`));
    multi.del(keys.occurrenceIndex(flow, record.id));
    await multi.exec();
  }

  async function stats(flow: string, ids: string[]): Promise<Map<string, ScheduleStats>> {
    const fields = ids.flatMap((id) => STAT_FIELDS.map((f) => `${id}:${f}`));
    const values = fields.length > 0 ? await redis.hmget(keys.scheduleStats(flow), ...fields) : [];
    const n = STAT_FIELDS.length;
    return new Map(ids.map((id, i) => [id, toStats(values.slice(i * n, i * n + n))]));
  }

  const ledger = (flow: string, id: string): LedgerKeys => ({
    index: keys.occurrenceIndex(flow, id),
    stats: keys.scheduleStats(flow),
  });

  /** Whether a fire at this planned time has been recorded. */
  async function hasOccurrence(flow: string, id: string, scheduledFor: number): Promise<boolean> {
    return hasOccurrenceIn(redis, keys.occurrenceIndex(flow, id), scheduledFor);
  }

  /** The fire's occurrence, for the script that creates its run to record; it adds the run id. */
  function occurrenceWrite(flow: string, id: string, occurrence: Omit<Occurrence, 'runId'>): OccurrenceWrite {
    return occurrenceWriteOf(ledger(flow, id), id, occurrence, occurrencesKept(ctx));
  }

  /**
   * The check a fire sends with its create when it did not read its schedule: `record` is the
   * schedule as last read, `plannedBefore` the planned time before this fire that must be recorded
   * already (null when none can be missing).
   */
  function fireCheck(record: ScheduleRecord, plannedBefore: number | null): FireCheck {
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
  async function recordOccurrence(flow: string, id: string, occurrence: Occurrence): Promise<boolean> {
    const where = { ...ledger(flow, id), schedules: keys.schedules(flow) };
    return recordOccurrenceIn(redis, where, id, occurrence, occurrencesKept(ctx));
  }

  /** Occurrences newest first; the cursor is the last planned time returned. */
  async function occurrences(flow: string, id: string, options: { cursor?: string; limit: number }) {
    return occurrencePage(redis, keys.occurrenceIndex(flow, id), options);
  }

  async function flowsWithSchedules(): Promise<string[]> {
    return (await redis.smembers(keys.scheduledFlows)).sort();
  }

  return {
    get,
    getWithStats,
    all,
    page,
    write,
    createClaiming,
    remove,
    stats,
    hasOccurrence,
    occurrenceWrite,
    fireCheck,
    recordOccurrence,
    occurrences,
    flowsWithSchedules,
  };
}

export type ScheduleStore = ReturnType<typeof createScheduleStore>;
