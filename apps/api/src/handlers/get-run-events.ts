import type { RunEventList } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import { streamRunEvents } from '../run-event-stream.ts';
import { EventStreamHeaders, type RunEventsQuery, type RunParams } from '../schemas.ts';
import { wantsEventStream } from '../sse.ts';
import { parsePart } from '../validation.ts';

/**
 * GET /api/_flows/:name/runs/:runId/events: the stored events as JSON, or with
 * `Accept: text/event-stream` the stored events then live ones until the run ends.
 * `?after=` (or, on an SSE reconnect, `Last-Event-ID`) resumes after a given event.
 */
export async function getRunEvents(
  input: FlowHandlerInput<RunParams, RunEventsQuery, unknown>,
): Promise<Reply | undefined> {
  const { engine, flow, params, query, req } = input;
  // Looked up first so an unknown run is a 404, not an empty stream that never ends.
  const run = await engine.runs.get(flow.name, params.runId);
  const headers = parsePart('headers', EventStreamHeaders, req.headers);
  const after = headers['last-event-id'] ?? query.after;
  if (wantsEventStream(req)) {
    await streamRunEvents({ ...input, run, after });
    return undefined;
  }
  const body: RunEventList = { items: await engine.events.list(flow.name, run.id, after) };
  return { body };
}
