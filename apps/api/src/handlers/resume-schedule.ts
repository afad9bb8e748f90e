import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';

/** POST /api/_flows/:name/schedules/:id/resume: fires again from the next fire time after now. */
export async function resumeSchedule({
  engine,
  flow,
  params,
}: FlowHandlerInput<ScheduleParams, unknown, unknown>): Promise<Reply> {
  return { body: await engine.schedules.resume(flow.name, params.id) };
}
