import type { ListAllRunsQuery } from '@flowdeck/types';
import type { HandlerInput, Reply } from '../route-builder.ts';

/** GET /api/_runs: every flow's runs, newest first, filtered and a page at a time. */
export async function listAllRuns({
  engine,
  query,
}: HandlerInput<unknown, ListAllRunsQuery, unknown>): Promise<Reply> {
  return { body: await engine.runs.listAll(query) };
}
