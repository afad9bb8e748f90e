import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { RunParams } from '../schemas.ts';

/** DELETE /api/_flows/:name/runs/:runId: an ended run's record and events go. 409 while it runs. */
export async function deleteRun({
  engine,
  flow,
  params,
}: FlowHandlerInput<RunParams, unknown, unknown>): Promise<Reply> {
  const before = await engine.runs.get(flow.name, params.runId);
  const body = await engine.runs.remove(flow.name, params.runId);
  return { body, audit: { runId: params.runId, before: { status: before.status, trigger: before.trigger } } };
}
