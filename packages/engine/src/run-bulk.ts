import {
  BULK_RUNS_MAX,
  type BulkRunResult,
  type BulkRunsRequest,
  type BulkRunsResponse,
  type RunRef,
} from '@flowdeck/types';
import { FlowdeckError } from './errors.ts';
import { type Actor, cancelRun, deleteRun, type RunActionDeps, replayRun, retryRun } from './run-actions.ts';
import { listAllRuns } from './runs/all.ts';

/**
 * One action on many runs (POST /api/_runs/bulk): each run gets its own result, so a run the
 * action does not apply to (a cancel of an ended run: 409) or an error midway is reported beside
 * the others, never dropped. Runs are acted on a few at a time.
 */

const AT_ONCE = 8;

/** The runs a filter selects, newest first, at most BULK_RUNS_MAX; `more` when others matched too. */
async function selected(
  deps: RunActionDeps,
  flows: string[],
  filter: NonNullable<BulkRunsRequest['filter']>,
) {
  const refs: RunRef[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAllRuns(deps.ctx, flows, { ...filter, limit: 200, cursor });
    refs.push(...page.items.map((run) => ({ flowName: run.flowName, runId: run.id })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && refs.length < BULK_RUNS_MAX);
  return { refs: refs.slice(0, BULK_RUNS_MAX), more: refs.length > BULK_RUNS_MAX || cursor !== undefined };
}

async function actOn(
  deps: RunActionDeps,
  request: BulkRunsRequest,
  { flowName, runId }: RunRef,
  by: Actor,
): Promise<BulkRunResult> {
  const ref = { flowName, runId };
  try {
    switch (request.action) {
      case 'cancel':
        return {
          ...ref,
          ok: true,
          runStatus: (await cancelRun(deps, flowName, runId, { ...by, reason: request.reason })).status,
        };
      case 'retry':
        return { ...ref, ok: true, runStatus: (await retryRun(deps, flowName, runId, by)).status };
      case 'replay': {
        const replay = await replayRun(deps, flowName, runId, undefined, by);
        return { ...ref, ok: true, replayRunId: replay.runId };
      }
      case 'delete':
        await deleteRun(deps, flowName, runId);
        return { ...ref, ok: true };
    }
  } catch (error) {
    if (error instanceof FlowdeckError) {
      return { ...ref, ok: false, status: error.status, code: error.code, message: error.message };
    }
    deps.ctx.logger.error('bulk run action failed', {
      flow: flowName,
      runId,
      error: (error as Error).message,
    });
    return { ...ref, ok: false, status: 500, code: 'internal_error', message: (error as Error).message };
  }
}

export async function bulkRuns(
  deps: RunActionDeps,
  flows: string[],
  request: BulkRunsRequest,
  by: Actor,
): Promise<BulkRunsResponse> {
  const { refs, more } = request.runs
    ? { refs: request.runs, more: false }
    : await selected(deps, flows, request.filter!);
  const results: BulkRunResult[] = new Array(refs.length);
  let next = 0;
  const lane = async () => {
    while (next < refs.length) {
      const i = next++;
      results[i] = await actOn(deps, request, refs[i]!, by);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, lane));
  const succeeded = results.filter((r) => r.ok).length;
  return { action: request.action, results, succeeded, failed: results.length - succeeded, more };
}
