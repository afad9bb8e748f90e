import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/** GET /api/_flows/:name/schedules: the flow's cron, interval and one-time schedules. */
export async function listSchedules({
  engine,
  flow,
}: FlowHandlerInput<FlowParams, unknown, unknown>): Promise<Reply> {
  return { body: await engine.schedules.list(flow.name) };
}
