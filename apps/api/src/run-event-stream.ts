import type { Engine, Logger } from '@flowdeck/engine';
import type { Run, RunEvent, RunStatus } from '@flowdeck/types';
import type { Request, Response } from 'express';
import { openEventStream } from './sse.ts';

const FINISHED: readonly RunStatus[] = ['completed', 'failed', 'canceled'];

interface StreamRunEventsInput {
  engine: Engine;
  logger: Logger;
  shutdown: AbortSignal;
  req: Request;
  res: Response;
  run: Run;
  after: string | undefined;
}

/**
 * Sends a run's events as SSE, `id: <event id>` on each so a reconnect resumes with
 * `Last-Event-ID`, and ends the response after `run.completed` / `run.failed`. A run that
 * has already finished gets its stored events and the end at once: following it would wait
 * for events that never come (e.g. when EventSource reconnects after the last one).
 */
export async function streamRunEvents({
  engine,
  logger,
  shutdown,
  req,
  res,
  run,
  after,
}: StreamRunEventsInput) {
  const stream = openEventStream(req, res, shutdown);
  const send = (event: RunEvent) => stream.send({ id: event.id, type: event.type, data: event });
  try {
    if (FINISHED.includes(run.status)) {
      for (const event of await engine.events.list(run.flowName, run.id, after)) await send(event);
      return;
    }
    const events = engine.events.follow(run.flowName, run.id, { after, signal: stream.signal });
    for await (const event of events) await send(event);
  } catch (error) {
    if (!stream.signal.aborted) {
      logger.error('run event stream failed', { runId: run.id, error: (error as Error).message });
    }
  } finally {
    stream.end();
  }
}
