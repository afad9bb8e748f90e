import type { ListSchedulesQuery } from '@flowdeck/types';
import type { HandlerInput, Reply } from '../route-builder.ts';

/**
 * GET /api/_flows/schedules: every flow's schedules, filtered by `flowName`, `tag`, `status`. With
 * `?limit=` one page of them (flows by name, each flow's oldest first) and a
 * `Link: <…>; rel="next"` header while more may follow; the body stays a list either way.
 */
export async function listAllSchedules({
  engine,
  query,
}: HandlerInput<unknown, ListSchedulesQuery, unknown>): Promise<Reply> {
  const { limit, cursor, ...filters } = query;
  if (limit === undefined) return { body: await engine.schedules.listAll(filters) };
  const page = await engine.schedules.pageAll({ ...filters, limit, cursor });
  if (!page.nextCursor) return { body: page.items };
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) next.set(key, value);
  next.set('limit', String(limit));
  next.set('cursor', page.nextCursor);
  return { body: page.items, headers: { link: `</api/_flows/schedules?${next}>; rel="next"` } };
}
