import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { RunParams } from '../schemas.ts';

/** GET /api/_flows/:name/runs/:runId: the run with each step's state. */
export async function getRun({
  engine,
  flow,
  params,
}: FlowHandlerInput<RunParams, unknown, unknown>): Promise<Reply> {
  return { body: await engine.runs.get(flow.name, params.runId) };
}
