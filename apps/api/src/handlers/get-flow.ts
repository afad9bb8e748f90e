import type { FlowManifest } from '@flowdeck/types';
import type { AppDeps, Reply } from '../route-builder.ts';

/** GET /api/_flows/:name: the flow with its workers and whether one of them is live. */
export async function getFlow({
  engine,
  flow,
}: {
  engine: AppDeps['engine'];
  flow: FlowManifest;
}): Promise<Reply> {
  return { body: await engine.flows.get(flow.name) };
}
