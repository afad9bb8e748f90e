import type { DeleteScheduleResponse } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';
import { scheduleSnapshot } from './schedule-snapshot.ts';

/** DELETE /api/_flows/:name/schedules/:id: the schedule and its BullMQ trigger are gone. */
export async function deleteSchedule({
  engine,
  flow,
  params,
}: FlowHandlerInput<ScheduleParams, unknown, unknown>): Promise<Reply> {
  const before = await scheduleSnapshot(engine, flow.name, params.id);
  await engine.schedules.remove(flow.name, params.id);
  const body: DeleteScheduleResponse = {
    success: true,
    message: `schedule '${params.id}' of flow '${flow.name}' was deleted`,
  };
  return { body, audit: { scheduleId: params.id, before } };
}
