import type { CreateScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/schedule: 201 with the new schedule, or 200 with the existing one
 * when `jobId` names a schedule created before (an idempotent create). `metadata.createdBy`
 * is the caller's token name, whatever the body says.
 */
export async function createSchedule({
  engine,
  flow,
  body,
  principal,
}: FlowHandlerInput<FlowParams, unknown, CreateScheduleRequest>): Promise<Reply> {
  const request = { ...body, metadata: { ...body.metadata, createdBy: principal.name } };
  const { schedule, created } = await engine.schedules.create(flow.name, request);
  const location = `/api/_flows/${flow.name}/schedules/${schedule.id}`;
  return {
    status: created ? 201 : 200,
    body: schedule,
    headers: { location },
    audit: { scheduleId: schedule.id, after: schedule },
  };
}
