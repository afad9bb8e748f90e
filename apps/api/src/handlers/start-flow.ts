import type { Trigger } from '@flowdeck/types';
import type { FlowHandlerInput, Reply } from '../route-builder.ts';
import type { FlowParams } from '../schemas.ts';

/** The console marks the runs a person started by hand; every other caller is the API. */
const MANUAL_TRIGGER_HEADER = 'x-flowdeck-trigger';

/**
 * POST /api/_flows/:name/start: the body is the flow's input, any JSON (none means `{}`).
 * The engine validates it against the flow's input schema (422 naming the field).
 */
export async function startFlow({
  engine,
  flow,
  body,
  req,
}: FlowHandlerInput<FlowParams, unknown, unknown>): Promise<Reply> {
  const trigger: Trigger = { type: req.get(MANUAL_TRIGGER_HEADER) === 'manual' ? 'manual' : 'api' };
  const started = await engine.startFlow(flow.name, body, {
    trigger,
    idempotencyKey: req.get('idempotency-key'),
  });
  const location = `/api/_flows/${flow.name}/runs/${started.runId}`;
  return {
    status: 202,
    body: started,
    headers: { location },
    audit: { runId: started.runId, after: { input: body, created: started.created } },
  };
}
