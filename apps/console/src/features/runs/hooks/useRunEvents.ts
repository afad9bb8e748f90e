import { FlowdeckApiError } from '@flowdeck/client';
import type { RunEvent } from '@flowdeck/types';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

export type StreamState = 'connecting' | 'live' | 'ended' | 'error';

/**
 * A run's events: the stored ones, then live ones until the run ends, through the client's
 * event stream (fetch, so the request carries the sign-in token). A dropped connection
 * resumes after the last event seen; events are de-duplicated by id all the same.
 */
export function useRunEvents(flowName: string, runId: string) {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setEvents([]);
    setState('connecting');
    setError(null);
    const controller = new AbortController();
    const seen = new Set<string>();
    const refreshRun = () =>
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.detail(flowName, runId) });

    (async () => {
      const stream = api.runs.follow(flowName, runId, { signal: controller.signal, onState: setState });
      for await (const event of stream) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        setEvents((current) => [...current, event]);
        if (event.type !== 'step.log') refreshRun();
      }
      if (controller.signal.aborted) return;
      setState('ended');
      refreshRun();
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) });
    })().catch((cause: unknown) => {
      if (controller.signal.aborted) return;
      setState('error');
      setError(cause instanceof FlowdeckApiError ? errorMessage(cause) : String(cause));
    });

    return () => controller.abort();
  }, [flowName, runId, queryClient]);

  return { events, state, error };
}
