import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { RunParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/runs/:runId/retry: a failed or canceled run continues in place from the
 * steps that did not complete. 409 while it is queued or running, or once it completed.
 */
export async function retryRun({
  engine,
  flow,
  params,
  principal,
}: FlowHandlerInput<RunParams, unknown, unknown>): Promise<Reply> {
  const run = await engine.runs.retry(flow.name, params.runId, { name: principal.name });
  const again = run.steps.filter((s) => s.status !== 'completed').map((s) => s.name);
  return { body: run, audit: { runId: run.id, after: { status: run.status, steps: again } } };
}
