import type { ListRunsQuery } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/** GET /api/_flows/:name/runs: newest first, one page at a time (`nextCursor` for the next). */
export async function listRuns({
  engine,
  flow,
  query,
}: FlowHandlerInput<FlowParams, ListRunsQuery, unknown>): Promise<Reply> {
  return { body: await engine.runs.list(flow.name, query) };
}
