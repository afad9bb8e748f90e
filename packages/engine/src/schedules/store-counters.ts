import type { EngineContext } from '../context.ts';
import { luaScript } from '../lua.ts';
import type { ScheduleRecord, ScheduleStats } from './record.ts';

/**
 * A schedule's counters: fields `<id>:<counter>` of the flow's schedule-stats hash, written with
 * its fires (occurrences/ledger.ts) and read here, for many schedules at once or with the record a
 * fire reads.
 */

type CountersContext = Pick<EngineContext, 'redis' | 'keys'>;

const recordWithStatsScript = luaScript('schedule-with-stats');

const STAT_FIELDS = ['count', 'fires', 'lastRun', 'lastRunId', 'lastPlanned'] as const;

/** The schedule's fields in the stats hash, in the order toStats reads them. */
export const statFields = (id: string) => STAT_FIELDS.map((f) => `${id}:${f}`);

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

/** The counters of these schedules of one flow, in one HMGET. */
export async function scheduleStats(
  { redis, keys }: CountersContext,
  flow: string,
  ids: string[],
): Promise<Map<string, ScheduleStats>> {
  const fields = ids.flatMap((id) => statFields(id));
  const values = fields.length > 0 ? await redis.hmget(keys.scheduleStats(flow), ...fields) : [];
  const n = STAT_FIELDS.length;
  return new Map(ids.map((id, i) => [id, toStats(values.slice(i * n, i * n + n))]));
}

/** The record and its counters in one round trip, for a fire; null when the schedule is gone. */
export async function getScheduleWithStats(
  { redis, keys }: CountersContext,
  flow: string,
  id: string,
): Promise<{ record: ScheduleRecord; stats: ScheduleStats } | null> {
  const [raw, ...values] = (await recordWithStatsScript(
    redis,
    [keys.schedules(flow), keys.scheduleStats(flow)],
    [id, ...statFields(id)],
  )) as [string | false, ...(string | false)[]];
  if (!raw) return null;
  return { record: JSON.parse(raw) as ScheduleRecord, stats: toStats(values.map((v) => v || null)) };
}
