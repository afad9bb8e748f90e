import type { ReplayRunRequest } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { RunParams } from '../schemas.ts';

/**
 * POST /api/_flows/:name/runs/:runId/replay: a new run of the flow with the run's input, or
 * `input` when given (checked against the flow's input schema: 422 naming the field). The new
 * run's trigger names the original, and the original lists its replays.
 */
export async function replayRun({
  engine,
  flow,
  params,
  body,
  principal,
}: FlowHandlerInput<RunParams, unknown, ReplayRunRequest>): Promise<Reply> {
  const replay = await engine.runs.replay(flow.name, params.runId, body.input, { name: principal.name });
  return {
    status: 202,
    body: replay,
    headers: { location: `/api/_flows/${flow.name}/runs/${replay.runId}` },
    audit: {
      runId: params.runId,
      after: { replayRunId: replay.runId, input: body.input === undefined ? 'original' : body.input },
    },
  };
}
