import type { Flow } from '@flowdeck/types';
import type { AppDeps, Reply } from '../route-builder.ts';

/** GET /api/_flows/:name/schedules: the flow's cron, interval and one-time schedules. */
export async function listSchedules({ engine, flow }: AppDeps & { flow: Flow }): Promise<Reply> {
  return { body: await engine.schedules.list(flow.name) };
}
