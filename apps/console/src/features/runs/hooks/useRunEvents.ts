import { FlowdeckApiError } from '@flowdeck/client';
import type { RunEvent } from '@flowdeck/types';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

export type StreamState = 'connecting' | 'live' | 'ended' | 'error';

/** What the run's own query last said: whether the run is queued or running, and when. */
export interface RunReading {
  active: boolean;
  fetchedAt: number;
}

/**
 * A run's events: the stored ones, then live ones until the run ends, through the client's
 * event stream (fetch, so the request carries the sign-in token). A dropped connection
 * resumes after the last event seen; events are de-duplicated by id all the same.
 *
 * A retried run goes on in place after its stream has ended, so `run` (the run's query) is
 * watched: once an answer fetched after the end says the run is active again, the stream is
 * followed again from the last event seen.
 */
export function useRunEvents(flowName: string, runId: string, run?: RunReading) {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const [round, setRound] = useState(0);
  const last = useRef<{ key: string; id: string } | null>(null);

  const resumed = state === 'ended' && endedAt !== null && run?.active === true && run.fetchedAt > endedAt;
  useEffect(() => {
    if (resumed) setRound((current) => current + 1);
  }, [resumed]);

  useEffect(() => {
    const key = `${flowName}/${runId}`;
    const after = round > 0 && last.current?.key === key ? last.current.id : undefined;
    if (after === undefined) setEvents([]);
    setState('connecting');
    setError(null);
    setEndedAt(null);
    const controller = new AbortController();
    const seen = new Set<string>();
    const refreshRun = () =>
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.detail(flowName, runId) });

    (async () => {
      const stream = api.runs.follow(flowName, runId, {
        after,
        signal: controller.signal,
        onState: setState,
      });
      for await (const event of stream) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        last.current = { key, id: event.id };
        setEvents((current) => [...current, event]);
        if (event.type !== 'step.log') refreshRun();
      }
      if (controller.signal.aborted) return;
      setState('ended');
      setEndedAt(Date.now());
      refreshRun();
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) });
    })().catch((cause: unknown) => {
      if (controller.signal.aborted) return;
      setState('error');
      setError(cause instanceof FlowdeckApiError ? errorMessage(cause) : String(cause));
    });

    return () => controller.abort();
  }, [flowName, runId, round, queryClient]);

  return { events, state, error };
}
