import type { AppDeps, Reply } from '../route-builder.ts';

/** GET /api/_flows: the flows workers published, each with whether a live worker hosts it. */
export async function listFlows({ engine }: AppDeps): Promise<Reply> {
  return { body: await engine.flows.list() };
}
