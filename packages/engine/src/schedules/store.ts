import type { Occurrence } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { luaScript } from '../lua.ts';
import { decodeOccurrence, occurrenceMemberPrefix, plannedTimeOf } from './occurrence-format.ts';
import type { ScheduleRecord, ScheduleStats } from './record.ts';

/**
 * The schedule store: records (JSON per id), their versions (for compare-and-set), the
 * client jobId → id map (idempotent create), counters and occurrences. All of one flow's
 * schedule keys share the flow's hash tag.
 */

/** KEYS: schedules, versions, index. ARGV: id, expectedVersion ('' = must not exist), json,
 * newVersion, index entry. */
const writeScript = luaScript(`
local current = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[2] == '' then
  if current then return {0, current} end
elseif current ~= ARGV[2] then
  return {0, current or ''}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[3], 0, ARGV[5])
return {1, ARGV[4]}
`);

/** KEYS: schedules, versions, index, jobIds. ARGV: id, json, version, index entry, jobId. A new
 * schedule that claims a client jobId: the claim and the record are written together, so a claim
 * never names a schedule that was not written. A claim naming a schedule that is gone (deleted
 * since, or left by an earlier version that claimed first) is taken over. Returns {0, holder}
 * when another schedule holds the jobId. */
const createClaimingScript = luaScript(`
local holder = redis.call('HGET', KEYS[4], ARGV[5])
if holder and redis.call('HEXISTS', KEYS[1], holder) == 1 then return {0, holder} end
redis.call('HSET', KEYS[4], ARGV[5], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], 0, ARGV[4])
return {1, ARGV[1]}
`);

/** A schedule's entry in the paging index: creation time first, so entries sort oldest first. A
 * page's cursor is the entry of its last schedule. */
export const indexEntry = (record: Pick<ScheduleRecord, 'id' | 'createdAt'>) =>
  `${record.createdAt.toString(36).padStart(9, '0')}:${record.id}`;
export const SCHEDULE_CURSOR = /^[0-9a-z]{9}:sch_[0-9a-z]{1,40}$/;

/**
 * Lua: records one fire of a schedule, once: the occurrence as its index member (see
 * occurrence-format.ts), the counters, and the history trimmed to `maxKept`. Shared by the
 * occurrence script below and the script that creates a scheduled run (run-scripts.ts), which
 * records the fire in the same call. `o` holds the ARGV of an OccurrenceWrite; `runId` ('' for
 * none) ends the member and is appended here because the run's id is only known inside the
 * create script.
 *
 * `write_occurrence` writes a fire known to be new, given the history's length before it;
 * `record_occurrence` checks first. `recorded_at`: the member recorded for a planned time, if
 * any. `run_of`: the run id a member names ('' for none); a member of the earlier format is the
 * planned time alone, its JSON in the occurrences hash, which trimming also clears.
 *
 * `forgotten`: whether a fire is older than every fire its schedule's full history keeps. Such a
 * fire was recorded once and trimmed since, its marker delivered again late: a fire never recorded
 * cannot come that late, because while any worker records later fires, a stalled marker is handed
 * to one of them within a minute or so, long before a history's length of later fires (1,000 by
 * default) has passed. It counts as recorded, so it starts nothing and is not recorded again.
 */
export const RECORD_OCCURRENCE_LUA = `
local function recorded_at(index, at)
  return redis.call('ZRANGEBYSCORE', index, at, at, 'LIMIT', 0, 1)[1]
end
local function run_of(occurrences, member)
  if string.find(member, '|', 1, true) then return string.match(member, '|([^|]*)$') end
  local json = redis.call('HGET', occurrences, member)
  return json and string.match(json, '"runId":"([^"]+)"') or ''
end
local function forgotten(index, at, maxKept, count)
  if count < maxKept then return false end
  local oldest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')[2]
  return oldest ~= nil and tonumber(at) < tonumber(oldest)
end
local function write_occurrence(occurrences, index, stats, o, runId, count)
  local at, outcome, id, maxKept = o[1], o[3], o[4], tonumber(o[7])
  redis.call('ZADD', index, at, o[2] .. runId)
  local counted, started = o[6] == '1', outcome == 'started'
  if counted or started then
    -- The counters read and written in one call each, not one call per counter.
    local now = redis.call('HMGET', stats, id .. ':fires', id .. ':lastPlanned', id .. ':count')
    local fields = {}
    if counted then
      table.insert(fields, id .. ':fires')
      table.insert(fields, tonumber(now[1] or '0') + 1)
      if tonumber(at) > tonumber(now[2] or '0') then
        table.insert(fields, id .. ':lastPlanned')
        table.insert(fields, at)
      end
    end
    if started then
      for _, v in ipairs({id .. ':count', tonumber(now[3] or '0') + 1, id .. ':lastRun', o[5],
        id .. ':lastRunId', runId}) do table.insert(fields, v) end
    end
    redis.call('HSET', stats, unpack(fields))
  end
  local excess = count + 1 - maxKept
  if excess > 0 then
    local old = redis.call('ZRANGE', index, 0, excess - 1)
    redis.call('ZREM', index, unpack(old))
    local legacy = {}
    for _, member in ipairs(old) do
      if not string.find(member, '|', 1, true) then table.insert(legacy, member) end
    end
    if #legacy > 0 then redis.call('HDEL', occurrences, unpack(legacy)) end
  end
  return 1
end
local function record_occurrence(occurrences, index, stats, o, runId)
  local count = redis.call('ZCARD', index)
  if forgotten(index, o[1], tonumber(o[7]), count) or recorded_at(index, o[1]) then return 0 end
  return write_occurrence(occurrences, index, stats, o, runId, count)
end`;

/** KEYS and ARGV (7) of record_occurrence for one fire, without its run id. */
export interface OccurrenceWrite {
  keys: [occurrences: string, index: string, stats: string];
  args: string[];
}

/** KEYS (1) and ARGV (3) of the create script's check of a fire against its schedule as last read
 * (see run-scripts.ts). */
export interface FireCheck {
  keys: [versions: string];
  args: [version: string, plannedBefore: string, skipOverlap: '1' | '0'];
}

/** KEYS: occurrences, occurrenceIndex, stats, schedules. ARGV: the OccurrenceWrite's (the
 * schedule's id is ARGV[4]), then runId ('' for none). Returns 0 when this fire was already
 * recorded, or when its schedule is gone: a deleted schedule's history would be keys that nothing
 * removes. */
const occurrenceScript = luaScript(`
${RECORD_OCCURRENCE_LUA}
if redis.call('HEXISTS', KEYS[4], ARGV[4]) == 0 then return 0 end
return record_occurrence(KEYS[1], KEYS[2], KEYS[3], ARGV, ARGV[8])
`);

/** KEYS: schedules, stats. ARGV: id, then the stats fields. A script rather than a pipeline:
 * ioredis builds a pipeline by copying every script BullMQ defines, which cost more CPU than the
 * read itself on the path of every fire. Returns {record or false, ...stats fields}. */
const recordWithStatsScript = luaScript(`
local record = redis.call('HGET', KEYS[1], ARGV[1])
return {record, unpack(redis.call('HMGET', KEYS[2], unpack(ARGV, 2)))}
`);

/** KEYS: schedules, index. ARGV: the lex range start, page size, 'check' or 'nocheck'. One page of
 * the index, one entry more than asked (to tell whether another page follows), and the records of
 * the page's schedules (an entry is "<sort key>:<id>"). {-1} when asked to check and the index and
 * the records differ in count: the caller rebuilds the index and reads again without the check. */
const pageScript = luaScript(`
if ARGV[3] == 'check' and redis.call('HLEN', KEYS[1]) ~= redis.call('ZCARD', KEYS[2]) then return {-1} end
local limit = tonumber(ARGV[2])
local entries = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], '+', 'LIMIT', 0, limit + 1)
local records = {}
local ids = {}
local function read()
  for _, raw in ipairs(redis.call('HMGET', KEYS[1], unpack(ids))) do records[#records + 1] = raw end
  ids = {}
end
for i = 1, math.min(limit, #entries) do
  local entry = entries[i]
  local at = string.find(entry, ':', 1, true)
  ids[#ids + 1] = at and string.sub(entry, at + 1) or entry
  -- Lua unpacks a few thousand values at most: read the records in chunks.
  if #ids == 1000 then read() end
end
if #ids > 0 then read() end
return {entries, records}
`);

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
    multi.del(keys.occurrences(flow, record.id), keys.occurrenceIndex(flow, record.id));
    await multi.exec();
  }

  async function stats(flow: string, ids: string[]): Promise<Map<string, ScheduleStats>> {
    const fields = ids.flatMap((id) => STAT_FIELDS.map((f) => `${id}:${f}`));
    const values = fields.length > 0 ? await redis.hmget(keys.scheduleStats(flow), ...fields) : [];
    const n = STAT_FIELDS.length;
    return new Map(ids.map((id, i) => [id, toStats(values.slice(i * n, i * n + n))]));
  }

  /** Whether a fire at this planned time has been recorded. */
  async function hasOccurrence(flow: string, id: string, scheduledFor: number): Promise<boolean> {
    return (await redis.zcount(keys.occurrenceIndex(flow, id), scheduledFor, scheduledFor)) > 0;
  }

  /** What record_occurrence needs for this fire; its run id is given separately. */
  function occurrenceWrite(flow: string, id: string, occurrence: Omit<Occurrence, 'runId'>): OccurrenceWrite {
    return {
      keys: [keys.occurrences(flow, id), keys.occurrenceIndex(flow, id), keys.scheduleStats(flow)],
      args: [
        String(occurrence.scheduledFor),
        occurrenceMemberPrefix(occurrence),
        occurrence.outcome,
        id,
        String(occurrence.firedAt),
        occurrence.manual ? '0' : '1', // a planned fire counts toward the limit; "run now" does not
        String(occurrencesKept(ctx)),
      ],
    };
  }

  /**
   * The check a fire sends with its create when it did not read its schedule: `record` is the
   * schedule as last read, `plannedBefore` the planned time before this fire that must be recorded
   * already (null when none can be missing).
   */
  function fireCheck(record: ScheduleRecord, plannedBefore: number | null): FireCheck {
    return {
      keys: [keys.scheduleVersions(record.flowName)],
      args: [
        String(record.version),
        plannedBefore === null ? '' : String(plannedBefore),
        record.overlap === 'skip' ? '1' : '0',
      ],
    };
  }

  async function recordOccurrence(flow: string, id: string, occurrence: Occurrence): Promise<boolean> {
    const { runId, ...rest } = occurrence;
    const write = occurrenceWrite(flow, id, rest);
    const scriptKeys = [...write.keys, keys.schedules(flow)];
    return (await occurrenceScript(redis, scriptKeys, [...write.args, runId ?? ''])) === 1;
  }

  /** Occurrences newest first; the cursor is the last planned time returned. */
  async function occurrences(flow: string, id: string, options: { cursor?: string; limit: number }) {
    const max = options.cursor ? `(${options.cursor}` : '+inf';
    const index = keys.occurrenceIndex(flow, id);
    const members = await redis.zrange(index, max, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, options.limit + 1);
    const page = members.slice(0, options.limit);
    // Fires recorded in the earlier format keep their JSON in the hash.
    const legacy = page.filter((member) => !member.includes('|'));
    const json = legacy.length > 0 ? await redis.hmget(keys.occurrences(flow, id), ...legacy) : [];
    const legacyJson = new Map(legacy.map((member, i) => [member, json[i]]));
    const items = page
      .map((member) => decodeOccurrence(member, legacyJson.get(member)))
      .filter((occurrence) => occurrence !== undefined);
    const last = page.at(-1);
    return { items, nextCursor: members.length > options.limit && last ? String(plannedTimeOf(last)) : null };
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
