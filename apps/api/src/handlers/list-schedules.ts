import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams, ScheduleListQuery } from '../schemas.ts';

/**
 * GET /api/_flows/:name/schedules: the flow's cron, interval and one-time schedules. With
 * `?limit=` one page of them, oldest first, and a `Link: <…>; rel="next"` header while more
 * follow; the body stays a list either way.
 */
export async function listSchedules({
  engine,
  flow,
  query,
}: FlowHandlerInput<FlowParams, ScheduleListQuery, unknown>): Promise<Reply> {
  if (query.limit === undefined) return { body: await engine.schedules.list(flow.name) };
  const page = await engine.schedules.page(flow.name, { limit: query.limit, cursor: query.cursor });
  const next = page.nextCursor
    ? `</api/_flows/${flow.name}/schedules?limit=${query.limit}&cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`
    : undefined;
  return { body: page.items, headers: next ? { link: next } : {} };
}
