import type { UpdateScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { ScheduleParams } from '../schemas.ts';
import { scheduleSnapshot } from './schedule-snapshot.ts';

/**
 * PATCH /api/_flows/:name/schedules/:id: edits in place. `If-Match` carries the version the
 * client last saw, so two people editing at once get a 409 instead of losing a change.
 * Who created the schedule is not an editable field.
 */
export async function updateSchedule({
  engine,
  flow,
  params,
  body,
  req,
}: FlowHandlerInput<ScheduleParams, unknown, UpdateScheduleRequest>): Promise<Reply> {
  const ifMatch = req.get('if-match');
  const patch = body.metadata ? { ...body, metadata: withoutCreator(body.metadata) } : body;
  const before = await scheduleSnapshot(engine, flow.name, params.id);
  const after = await engine.schedules.update(flow.name, params.id, patch, { ifMatch });
  return { body: after, audit: { scheduleId: params.id, before, after } };
}

function withoutCreator<M extends { createdBy?: string | null }>({
  createdBy: _,
  ...rest
}: M): Omit<M, 'createdBy'> {
  return rest;
}
