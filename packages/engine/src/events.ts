import { setTimeout as sleep } from 'node:timers/promises';
import { type LogLevel, RunEvent } from '@flowdeck/types';
import type { EngineContext } from './context.ts';
import { EVENTS_MAX_LEN } from './context.ts';
import { luaScript } from './lua.ts';

/**
 * A run's events: a Redis list per run (see run-scripts.ts), read as a list or followed live.
 * An event's id is its position in the list, from 1, so `after` is the number of events seen.
 */

/** Followers poll: a blocking read would hold a connection per follower, and the list is cheap
 * to read. A quarter second is quicker than a person notices in the run view. */
const POLL_MS = 250;

/** Drops a log line past the cap of events per run (see lua/append-log.lua). */
const appendLogScript = luaScript('append-log');

function toEvent(raw: string, id: string): RunEvent | null {
  const parsed = RunEvent.safeParse({ ...JSON.parse(raw), id });
  return parsed.success ? parsed.data : null;
}

/** The position `after` names (0 when absent); null for an id that is no event's position, after
 * which nothing comes. */
function positionOf(after: string | undefined): number | null {
  if (after === undefined) return 0;
  return /^\d+$/.test(after) ? Number(after) : null;
}

export function createEventLog(ctx: EngineContext) {
  const { redis, keys } = ctx;

  /** The events after position `after` (0: all), with their ids, and the position read up to. */
  async function readAfter(flow: string, runId: string, after: number) {
    const raws = await redis.lrange(keys.runEvents(flow, runId), after, -1);
    const events = raws
      .map((raw, i) => toEvent(raw, String(after + i + 1)))
      .filter((e): e is RunEvent => e !== null);
    return { events, end: after + raws.length };
  }

  async function list(flow: string, runId: string, after?: string): Promise<RunEvent[]> {
    const position = positionOf(after);
    if (position === null) return [];
    return (await readAfter(flow, runId, position)).events;
  }

  /** Appends a step's log line; not part of the state machine, so a call of its own. */
  async function log(
    flow: string,
    runId: string,
    line: { step: string; attempt: number; level: LogLevel; message: string; data?: unknown },
  ) {
    const body = JSON.stringify({ at: Date.now(), type: 'step.log', ...line });
    await appendLogScript(redis, [keys.runEvents(flow, runId)], [EVENTS_MAX_LEN, body]);
  }

  /**
   * Stored events, then live ones, until the run has ended and its last events are read, or the
   * signal aborts.
   */
  async function* follow(flow: string, runId: string, options: { after?: string; signal: AbortSignal }) {
    const { signal } = options;
    const position = positionOf(options.after);
    if (position === null) return;
    let seen = position;
    while (!signal.aborted) {
      // Read before the status: a run's last events are written with its final status, so a run
      // seen ended after an empty read gets one more read, which holds them.
      let read = await readAfter(flow, runId, seen);
      if (read.end === seen && (await runHasEnded(flow, runId))) {
        read = await readAfter(flow, runId, seen);
        if (read.end === seen) return;
      }
      // No return at a terminal event: a retried run goes on after its `run.failed`.
      yield* read.events;
      // An abort ends the wait early (and the loop).
      if (read.end === seen) await sleep(POLL_MS, undefined, { signal }).catch(() => {});
      seen = read.end;
    }
  }

  async function runHasEnded(flow: string, runId: string) {
    const status = await redis.hget(keys.run(flow, runId), 'status');
    return status === null || status === 'completed' || status === 'failed' || status === 'canceled';
  }

  return { list, log, follow };
}

export type EventLog = ReturnType<typeof createEventLog>;
