import type { UpdateScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/**
 * PATCH /api/_flows/:name/schedules/:id: edits in place. `If-Match` carries the version the
 * client last saw, so two people editing at once get a 409 instead of losing a change.
 */
export async function updateSchedule({
  engine,
  flow,
  params,
  body,
  req,
}: FlowHandlerInput<ScheduleParams, unknown, UpdateScheduleRequest>): Promise<Reply> {
  const ifMatch = req.get('if-match');
  return { body: await engine.schedules.update(flow.name, params.id, body, { ifMatch }) };
}
