import type { Flow } from '@flowdeck/types';
import type { Reply } from '../route-builder.ts';

/** GET /api/_flows/:name: the route builder has looked the flow up already. */
export async function getFlow({ flow }: { flow: Flow }): Promise<Reply> {
  return { body: flow };
}
