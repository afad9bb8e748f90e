import type { DeleteScheduleResponse } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/** DELETE /api/_flows/:name/schedules/:id: the schedule and its BullMQ trigger are gone. */
export async function deleteSchedule({
  engine,
  flow,
  params,
}: FlowHandlerInput<ScheduleParams, unknown, unknown>): Promise<Reply> {
  await engine.schedules.remove(flow.name, params.id);
  const body: DeleteScheduleResponse = {
    success: true,
    message: `schedule '${params.id}' of flow '${flow.name}' was deleted`,
  };
  return { body };
}
