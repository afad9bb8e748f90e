import type { EngineContext } from '../context.ts';
import { luaScript } from '../lua.ts';
import type { ScheduleRecord } from './record.ts';
import { allSchedules, indexEntry } from './store-records.ts';

/**
 * Paged lists of one flow's schedules, read through the flow's schedule index (a sorted set of
 * index entries, all score 0, so they sort by creation time). The page script checks that the
 * index holds as many schedules as the records hash; when it does not, the index is rebuilt from
 * the records before the page is read.
 */

type PagingContext = Pick<EngineContext, 'redis' | 'keys'>;

const pageScript = luaScript('schedule-page');

/**
 * One page of schedules, oldest first, after `cursor` (the last entry of the previous page).
 * Schedules written before the index existed are indexed on the first page asked for.
 */
export async function pageSchedules(
  ctx: PagingContext,
  flow: string,
  options: { limit: number; cursor?: string },
) {
  const { redis, keys } = ctx;
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
    await rebuildScheduleIndex(ctx, flow);
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
export async function rebuildScheduleIndex(ctx: PagingContext, flow: string) {
  const index = ctx.keys.scheduleIndex(flow);
  const records = await allSchedules(ctx, flow);
  const pipeline = ctx.redis.pipeline().del(index);
  for (let i = 0; i < records.length; i += 1000) {
    pipeline.zadd(index, ...records.slice(i, i + 1000).flatMap((r) => [0, indexEntry(r)]));
  }
  await pipeline.exec();
}
