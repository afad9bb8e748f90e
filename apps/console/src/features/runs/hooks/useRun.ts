import type { Run, RunStatus } from '@flowdeck/types';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

const FINISHED: readonly RunStatus[] = ['completed', 'failed', 'canceled'];

export function isFinished(run: Pick<Run, 'status'>): boolean {
  return FINISHED.includes(run.status);
}

/** One run with its steps; polled until the run has finished. */
export function useRun(flowName: string, runId: string) {
  return useQuery({
    queryKey: queryKeys.runs.detail(flowName, runId),
    queryFn: ({ signal }) => api.runs.get(flowName, runId, { signal }),
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data) ? false : 1000),
  });
}
