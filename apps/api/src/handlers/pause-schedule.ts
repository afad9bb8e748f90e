import type { PauseScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';
import { scheduleSnapshot } from './schedule-snapshot.ts';

/** POST /api/_flows/:name/schedules/:id/pause: it stops firing until resumed. */
export async function pauseSchedule({
  engine,
  flow,
  params,
  body,
}: FlowHandlerInput<ScheduleParams, unknown, PauseScheduleRequest>): Promise<Reply> {
  const before = await scheduleSnapshot(engine, flow.name, params.id);
  const after = await engine.schedules.pause(flow.name, params.id, body.reason);
  return { body: after, audit: { scheduleId: params.id, before, after } };
}
