import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleDetailQuery, ScheduleParams } from '../schemas.ts';

/** GET /api/_flows/:name/schedules/:id: the schedule, its next fires and its recent occurrences. */
export async function getSchedule({
  engine,
  flow,
  params,
  query,
}: FlowHandlerInput<ScheduleParams, ScheduleDetailQuery, unknown>): Promise<Reply> {
  return { body: await engine.schedules.get(flow.name, params.id, { cursor: query.cursor }) };
}
