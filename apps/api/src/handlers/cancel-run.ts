import type { CancelRunRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { RunParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/runs/:runId/cancel: the run ends `canceled` at once; a step running on a
 * worker has its signal aborted within a second. 409 once the run has ended.
 */
export async function cancelRun({
  engine,
  flow,
  params,
  body,
  principal,
}: FlowHandlerInput<RunParams, unknown, CancelRunRequest>): Promise<Reply> {
  const run = await engine.runs.cancel(flow.name, params.runId, {
    name: principal.name,
    reason: body.reason,
  });
  return { body: run, audit: { runId: run.id, after: { status: run.status, reason: body.reason ?? null } } };
}
