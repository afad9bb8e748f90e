import type { TriggerScheduleResponse } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/schedules/:id/trigger: fires once now, paused or not, without moving
 * the schedule. 202: the fire goes through the worker, so the run may not have started yet.
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
    audit: {
      scheduleId: params.id,
      ...(occurrence.runId ? { runId: occurrence.runId } : {}),
      after: occurrence,
    },
  };
}
