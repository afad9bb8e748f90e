import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/**
 * GET /api/_flows/:name: the flow with its workers and whether one of them is live. The route
 * builder has read the manifest (404 without one); only this route reads the workers.
 */
export async function getFlow({
  engine,
  flow,
}: FlowHandlerInput<FlowParams, unknown, unknown>): Promise<Reply> {
  return { body: await engine.flows.withWorkers(flow) };
}
