import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/**
 * GET /api/_flows/:name: the flow with its workers and whether one of them is live. The route
 * builder has checked the flow exists; only this route reads the workers.
 */
export async function getFlow({
  engine,
  flow,
}: FlowHandlerInput<FlowParams, unknown, unknown>): Promise<Reply> {
  return { body: await engine.flows.get(flow.name) };
}
