import type { ListSchedulesQuery } from '@flowdeck/types';
import type { HandlerInput, Reply } from '../route-builder.ts';

/** GET /api/_flows/schedules: every flow's schedules, filtered by `flowName`, `tag`, `status`. */
export async function listAllSchedules({
  engine,
  query,
}: HandlerInput<unknown, ListSchedulesQuery, unknown>): Promise<Reply> {
  return { body: await engine.schedules.listAll(query) };
}
