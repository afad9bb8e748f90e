import { type LogLevel, RunEvent, TERMINAL_RUN_EVENTS } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { EVENTS_MAX_LEN } from './context.ts';
import { blockingClient } from './redis.ts';

/** A run's events: a Redis stream per run, read as a list or followed live. */

type StreamEntry = [id: string, fields: string[]];

function toEvent([id, fields]: StreamEntry): RunEvent | null {
  const raw = fields[1];
  if (fields[0] !== 'e' || raw === undefined) return null;
  const parsed = RunEvent.safeParse({ ...JSON.parse(raw), id });
  return parsed.success ? parsed.data : null;
}

const toEvents = (entries: StreamEntry[]) => entries.map(toEvent).filter((e): e is RunEvent => e !== null);

export function createEventLog(ctx: EngineContext) {
  const { redis, keys } = ctx;

  async function list(flow: string, runId: string, after?: string): Promise<RunEvent[]> {
    const start = after ? `(${after}` : '-';
    return toEvents((await redis.xrange(keys.runEvents(flow, runId), start, '+')) as StreamEntry[]);
  }

  /** Appends a step's log line; not part of the state machine, so a plain XADD. */
  async function log(
    flow: string,
    runId: string,
    line: { step: string; attempt: number; level: LogLevel; message: string; data?: unknown },
  ) {
    const body = JSON.stringify({ type: 'step.log', at: Date.now(), ...line });
    await redis.xadd(keys.runEvents(flow, runId), 'MAXLEN', '~', EVENTS_MAX_LEN, '*', 'e', body);
  }

  /**
   * Stored events, then live ones, until a terminal run event or the signal aborts.
   * Blocking reads need a connection of their own; it is closed when iteration stops.
   */
  async function* follow(flow: string, runId: string, options: { after?: string; signal: AbortSignal }) {
    const key = keys.runEvents(flow, runId);
    let last = options.after ?? '0-0';
    // Stored events first, without blocking: a finished run ends the stream here.
    for (const entry of (await redis.xrange(key, `(${last}`, '+')) as StreamEntry[]) {
      last = entry[0];
      const event = toEvent(entry);
      if (!event) continue;
      yield event;
      if (TERMINAL_RUN_EVENTS.includes(event.type)) return;
    }
    if (await runHasEnded(flow, runId)) return;
    const reader = blockingClient(ctx.connection, 'flowdeck:events');
    const stop = () => reader.disconnect();
    options.signal.addEventListener('abort', stop, { once: true });
    try {
      while (!options.signal.aborted) {
        const result = (await reader
          .xread('COUNT', 500, 'BLOCK', 5000, 'STREAMS', key, last)
          .catch((error) => {
            if (options.signal.aborted) return null;
            throw error;
          })) as [string, StreamEntry[]][] | null;
        const entries = result?.[0]?.[1] ?? [];
        // A quiet stream of a run that ended without a final event (canceled, trimmed) ends too.
        if (entries.length === 0 && (await runHasEnded(flow, runId))) return;
        for (const entry of entries) {
          last = entry[0];
          const event = toEvent(entry);
          if (!event) continue;
          yield event;
          if (TERMINAL_RUN_EVENTS.includes(event.type)) return;
        }
      }
    } finally {
      options.signal.removeEventListener('abort', stop);
      reader.disconnect();
    }
  }

  async function runHasEnded(flow: string, runId: string) {
    const status = await redis.hget(keys.run(flow, runId), 'status');
    return status === null || status === 'completed' || status === 'failed' || status === 'canceled';
  }

  return { list, log, follow };
}

export type EventLog = ReturnType<typeof createEventLog>;
