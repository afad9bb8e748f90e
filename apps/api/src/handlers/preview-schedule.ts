import type { CreateScheduleRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams, PreviewQuery } from '../schemas.ts';

/** POST /api/_flows/:name/schedule/preview: what a schedule would do, without creating it. */
export async function previewSchedule({
  engine,
  flow,
  query,
  body,
}: FlowHandlerInput<FlowParams, PreviewQuery, CreateScheduleRequest>): Promise<Reply> {
  return { body: await engine.schedules.preview(flow.name, body, query.count) };
}
