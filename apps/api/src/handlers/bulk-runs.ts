import type { BulkRunsRequest, BulkRunsResponse } from '@flowdeck/types';
import { ForbiddenError } from '../auth/errors.ts';
import { includes } from '../auth/scopes.ts';
import type { HandlerInput, Reply } from '../route-builder.ts';

/**
 * POST /api/_runs/bulk: one action on many runs, with a result per run (200 even when some runs
 * refused: each result says why). Deleting needs the admin scope, as deleting one run does.
 */
export async function bulkRuns({
  engine,
  body,
  principal,
}: HandlerInput<unknown, unknown, BulkRunsRequest>): Promise<Reply> {
  const caller = principal!;
  if (body.action === 'delete' && !includes(caller.scope, 'admin')) {
    throw new ForbiddenError(
      `token '${caller.name}' has scope ${caller.scope}; deleting runs needs admin`,
      caller.name,
    );
  }
  const answer = await engine.runs.bulk(body, { name: caller.name });
  return { body: answer, audit: { perFlow: changesByFlow(body, answer) } };
}

/** For the audit trail: per flow, the runs the action was applied to and those that refused it. */
function changesByFlow(request: BulkRunsRequest, answer: BulkRunsResponse) {
  const flows = new Map<string, { acted: string[]; refused: string[] }>();
  for (const result of answer.results) {
    const entry = flows.get(result.flowName) ?? { acted: [], refused: [] };
    (result.ok ? entry.acted : entry.refused).push(result.runId);
    flows.set(result.flowName, entry);
  }
  return [...flows].map(([flowName, runs]) => ({
    flowName,
    after: { action: request.action, reason: request.reason ?? null, ...runs },
  }));
}
