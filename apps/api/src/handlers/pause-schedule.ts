import type { PauseScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/** POST /api/_flows/:name/schedules/:id/pause: it stops firing until resumed. */
export async function pauseSchedule({
  engine,
  flow,
  params,
  body,
}: FlowHandlerInput<ScheduleParams, unknown, PauseScheduleRequest>): Promise<Reply> {
  return { body: await engine.schedules.pause(flow.name, params.id, body.reason) };
}
