import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';
import { scheduleSnapshot } from './schedule-snapshot.ts';

/** POST /api/_flows/:name/schedules/:id/resume: fires again from the next fire time after now. */
export async function resumeSchedule({
  engine,
  flow,
  params,
}: FlowHandlerInput<ScheduleParams, unknown, unknown>): Promise<Reply> {
  const before = await scheduleSnapshot(engine, flow.name, params.id);
  const after = await engine.schedules.resume(flow.name, params.id);
  return { body: after, audit: { scheduleId: params.id, before, after } };
}
