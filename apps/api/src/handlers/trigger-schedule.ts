import type { TriggerScheduleResponse } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/schedules/:id/trigger: fires once now, paused or not, without moving
 * the schedule. 202 at once, with the fire `queued`: a worker starts its run, and the schedule's
 * history (GET …/schedules/:id) shows the fire's outcome and run once it has.
 */
export async function triggerSchedule({
  engine,
  flow,
  params,
}: FlowHandlerInput<ScheduleParams, unknown, unknown>): Promise<Reply> {
  const occurrence = await engine.schedules.trigger(flow.name, params.id);
  const body: TriggerScheduleResponse = { occurrence };
  return {
    status: 202,
    body,
    audit: { scheduleId: params.id, after: occurrence },
  };
}
