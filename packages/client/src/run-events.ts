import { type Run, RunEvent, TERMINAL_RUN_EVENTS } from '@flowdeck/types';
import { FlowdeckApiError } from './errors.ts';
import type { Transport } from './http.ts';
import { readSse } from './sse.ts';

export type StreamState = 'connecting' | 'live';

export interface FollowOptions {
  /** Start after this event id (exclusive); by default from the run's first event. */
  after?: string;
  signal?: AbortSignal;
  /** Told when the stream (re)connects and when it is live. */
  onState?: (state: StreamState) => void;
  /** Waits between reconnects grow from this, up to 5 s. */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 5000;

/**
 * A run's events: the stored ones, then live ones, until the run ends (with its last outcome,
 * when it was retried). A dropped connection (network, server restart) is resumed from the last
 * event seen, so no event is lost or repeated; a refusal (401, 403, 404) ends it with the
 * server's error.
 */
export async function* followRunEvents(
  transport: Transport,
  paths: { events: string; run: string },
  getRun: () => Promise<Run>,
  options: FollowOptions = {},
): AsyncGenerator<RunEvent> {
  let lastId = options.after;
  let failures = 0;
  const baseDelay = options.retryDelayMs ?? 500;
  while (!options.signal?.aborted) {
    options.onState?.('connecting');
    let received = 0;
    // Whether the latest run-level event is an outcome. A retried run has events after its first
    // outcome, and the server sends a finished run's events to the last before it closes.
    let ended = false;
    try {
      const response = await transport.send({
        path: paths.events,
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: options.signal,
      });
      options.onState?.('live');
      failures = 0;
      for await (const message of readSse(response.body!)) {
        const event = parseRunEvent(message.data);
        if (!event) continue;
        received += 1;
        lastId = event.id;
        yield event;
        if (TERMINAL_RUN_EVENTS.includes(event.type)) ended = true;
        else if (event.type === 'run.retried') ended = false;
      }
      if (ended) return;
      // The server ends the stream once a finished run's events are sent; a run that ended
      // without a terminal event ends here too.
      if (received === 0 && isFinished(await getRun())) return;
    } catch (error) {
      if (options.signal?.aborted) return;
      if (!retryable(error)) throw error;
      failures += 1;
    }
    await sleep(Math.min(baseDelay * 2 ** Math.min(failures, 4), MAX_RETRY_DELAY_MS), options.signal);
  }
}

/** Network failures and 5xx are worth another try; a 4xx answer will not change. */
function retryable(error: unknown): boolean {
  if (!(error instanceof FlowdeckApiError)) return true;
  return error.status === 0 || error.status >= 500;
}

function isFinished(run: Run): boolean {
  return run.status === 'completed' || run.status === 'failed' || run.status === 'canceled';
}

/** One Server-Sent Event's data as a run event; null when it is not one. */
export function parseRunEvent(data: string): RunEvent | null {
  try {
    const parsed = RunEvent.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
