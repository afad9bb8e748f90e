import { type RunEvent, RunEventType, TERMINAL_RUN_EVENTS } from '@flowdeck/types';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, errorMessage, parseRunEvent } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

export type StreamState = 'connecting' | 'live' | 'ended' | 'error';

/**
 * A run's events: the stored ones, then live ones over Server-Sent Events until the run
 * ends. The browser's EventSource reconnects by itself after a network blip, resuming from
 * the last event id; events are de-duplicated by id so a resume never shows one twice.
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
    const seen = new Set<string>();
    let finished = false;
    const source = new EventSource(api.runs.eventStreamUrl(flowName, runId));

    const refreshRun = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.detail(flowName, runId) });
    };

    const onMessage = (message: MessageEvent<string>) => {
      const event = parseRunEvent(message.data);
      if (!event || seen.has(event.id)) return;
      seen.add(event.id);
      setEvents((current) => [...current, event]);
      if (event.type !== 'step.log') refreshRun();
      if (TERMINAL_RUN_EVENTS.includes(event.type)) {
        finished = true;
        setState('ended');
        source.close();
        void queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) });
      }
    };
    const onEnd = () => {
      finished = true;
      setState('ended');
      source.close();
    };

    source.addEventListener('open', () => setState('live'));
    source.addEventListener('message', onMessage);
    // The server may name each event after its type, or send a closing event at the end.
    for (const type of RunEventType.options) source.addEventListener(type, onMessage);
    source.addEventListener('end', onEnd);
    source.addEventListener('done', onEnd);
    source.addEventListener('error', () => {
      if (finished) return;
      if (source.readyState === EventSource.CLOSED) {
        setState('error');
        // The stream was refused outright (e.g. unknown run): fall back to the stored events.
        api.runs
          .events(flowName, runId)
          .then((list) => {
            for (const event of list.items) seen.add(event.id);
            setEvents(list.items);
          })
          .catch((cause: unknown) => setError(errorMessage(cause)));
      } else {
        setState('connecting');
      }
    });

    return () => source.close();
  }, [flowName, runId, queryClient]);

  return { events, state, error };
}
