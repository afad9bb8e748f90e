import type { ListAllRunsQuery, RunList, RunSummary } from '@flowdeck/types';
import type { EngineContext } from '../context.ts';
import { InvalidRequestError } from '../errors.ts';
import { RUN_ID_PATTERN, runIdFloor } from '../ids.ts';
import { readRuns, toSummary } from './read.ts';

/**
 * Every flow's runs, newest first. A run id begins with its creation time, so each flow's run
 * index (ordered by id) gives its newest runs first, and ids order runs across flows too: a page
 * takes the newest ids of every flow's head and reads those. Time bounds and the flow narrow the
 * ids read; the other filters are checked on the records, and a page reads at most SCAN_LIMIT of
 * them (it may then hold fewer than `limit`, its cursor going on). Each flow's keys are read with
 * commands of their own, so on a Redis Cluster no command spans two flows' slots.
 */

const SCAN_LIMIT = 2000;

type Query = ListAllRunsQuery;

function checkCursor(cursor: string | undefined) {
  if (cursor === undefined || RUN_ID_PATTERN.test(cursor)) return;
  const message = 'expected the nextCursor of a previous page (a run id)';
  throw new InvalidRequestError(`cursor: ${message}`, [{ path: 'query.cursor', message }]);
}

/** The lex range of run ids a page may hold: below the cursor and `to`, from `from` on. */
function idRange(query: Query, cursor: string | undefined) {
  const belowTo = query.to === undefined ? undefined : runIdFloor(query.to + 1);
  const below = [cursor, belowTo].filter((id) => id !== undefined).sort()[0];
  return {
    max: below === undefined ? '+' : `(${below}`,
    min: query.from === undefined ? '-' : `[${runIdFloor(query.from)}`,
  };
}

const matches = (query: Query) => (run: RunSummary) =>
  (query.status === undefined || run.status === query.status) &&
  (query.trigger === undefined || run.trigger.type === query.trigger) &&
  (query.scheduleId === undefined || run.trigger.scheduleId === query.scheduleId);

/** The newest `count` run ids below `cursor` across `flows`, with their flows, newest first. */
async function newestIds(
  ctx: EngineContext,
  flows: string[],
  query: Query,
  cursor: string | undefined,
  count: number,
) {
  const { max, min } = idRange(query, cursor);
  const heads = await Promise.all(
    flows.map(async (flow) => {
      const ids = await ctx.redis.zrange(
        ctx.keys.runIndex(flow),
        max,
        min,
        'BYLEX',
        'REV',
        'LIMIT',
        0,
        count,
      );
      return ids.map((id) => ({ flow, id }));
    }),
  );
  const merged = heads.flat().sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { ids: merged.slice(0, count), more: merged.length > count };
}

/** The records of `ids`, each read from its own flow's keys, in order (undefined: gone). */
async function summaries(ctx: EngineContext, ids: { flow: string; id: string }[]) {
  const byFlow = new Map<string, string[]>();
  for (const { flow, id } of ids) byFlow.set(flow, [...(byFlow.get(flow) ?? []), id]);
  const read = new Map<string, RunSummary>();
  await Promise.all(
    [...byFlow].map(async ([flow, flowIds]) => {
      const hashes = await readRuns(ctx, flow, flowIds);
      hashes.forEach((hash, i) => {
        if (hash.id) read.set(`${flow}\n${flowIds[i]}`, toSummary(hash));
      });
    }),
  );
  return ids.map(({ flow, id }) => read.get(`${flow}\n${id}`));
}

export async function listAllRuns(ctx: EngineContext, allFlows: string[], query: Query): Promise<RunList> {
  checkCursor(query.cursor);
  const flows = query.flowName === undefined ? allFlows : allFlows.filter((f) => f === query.flowName);
  const filtered =
    query.status !== undefined || query.trigger !== undefined || query.scheduleId !== undefined;
  const keep = matches(query);
  const items: RunSummary[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  for (;;) {
    const count = filtered ? Math.max(query.limit * 2, 50) : query.limit - items.length;
    const { ids, more } = await newestIds(ctx, flows, query, cursor, count);
    const runs = await summaries(ctx, ids);
    for (const [i, run] of runs.entries()) {
      cursor = ids[i]!.id;
      scanned++;
      if (!run || !keep(run)) continue;
      items.push(run);
      if (items.length === query.limit)
        return { items, nextCursor: i < ids.length - 1 || more ? cursor : null };
    }
    if (!more) return { items, nextCursor: null };
    if (scanned >= SCAN_LIMIT) return { items, nextCursor: cursor ?? null };
  }
}
