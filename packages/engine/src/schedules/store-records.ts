import type { EngineContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { luaScript } from '../lua.ts';
import type { ScheduleRecord } from './record.ts';
import { statFields } from './store-counters.ts';

/**
 * Schedule records and their versions: one JSON record per id, its version beside it for
 * compare-and-set, the client jobId → id map (idempotent create) and the set of flows with
 * schedules. A write puts the schedule's entry in the paging index (store-paging.ts) in the same
 * script as its record.
 */

type RecordsContext = Pick<EngineContext, 'redis' | 'keys'>;

const writeScript = luaScript('write-schedule');
const createClaimingScript = luaScript('create-schedule-claiming');

/** A schedule's entry in the paging index: creation time first, so entries sort oldest first. A
 * page's cursor is the entry of its last schedule. */
export const indexEntry = (record: Pick<ScheduleRecord, 'id' | 'createdAt'>) =>
  `${record.createdAt.toString(36).padStart(9, '0')}:${record.id}`;
export const SCHEDULE_CURSOR = /^[0-9a-z]{9}:sch_[0-9a-z]{1,40}$/;

export async function getSchedule(
  { redis, keys }: RecordsContext,
  flow: string,
  id: string,
): Promise<ScheduleRecord> {
  const raw = await redis.hget(keys.schedules(flow), id);
  if (!raw) throw new NotFoundError('schedule_not_found', `flow '${flow}' has no schedule '${id}'`);
  return JSON.parse(raw) as ScheduleRecord;
}

/** Every schedule of the flow, oldest first. */
export async function allSchedules({ redis, keys }: RecordsContext, flow: string): Promise<ScheduleRecord[]> {
  const raws = Object.values(await redis.hgetall(keys.schedules(flow)));
  return raws.map((raw) => JSON.parse(raw) as ScheduleRecord).sort((a, b) => a.createdAt - b.createdAt);
}

/** Writes `next` if the stored version is still `expected` (null: the id must be new). */
export async function writeSchedule(
  { redis, keys }: RecordsContext,
  next: ScheduleRecord,
  expected: number | null,
): Promise<void> {
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
export async function createScheduleClaiming(
  { redis, keys }: RecordsContext,
  record: ScheduleRecord & { jobId: string },
): Promise<string | null> {
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

/** Deletes the schedule and everything kept for it: version, index entry, jobId, counters, fires. */
export async function removeSchedule({ redis, keys }: RecordsContext, record: ScheduleRecord) {
  const flow = record.flowName;
  const multi = redis.multi();
  multi.hdel(keys.schedules(flow), record.id);
  multi.hdel(keys.scheduleVersions(flow), record.id);
  multi.zrem(keys.scheduleIndex(flow), indexEntry(record));
  if (record.jobId) multi.hdel(keys.scheduleJobIds(flow), record.jobId);
  multi.hdel(keys.scheduleStats(flow), ...statFields(record.id));
  multi.del(keys.occurrenceIndex(flow, record.id));
  await multi.exec();
}

export async function flowsWithSchedules({ redis, keys }: RecordsContext): Promise<string[]> {
  return (await redis.smembers(keys.scheduledFlows)).sort();
}
