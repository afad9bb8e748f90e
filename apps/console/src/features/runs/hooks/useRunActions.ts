import type { Run } from '@flowdeck/types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

/**
 * Cancel, retry, replay and delete one run. Cancel and retry answer the run, which goes into
 * the cache at once (so the view changes without waiting for a poll, and a retried run is
 * polled again); every action then refetches the flow's runs to be sure.
 */
export function useRunActions(flowName: string, runId: string) {
  const queryClient = useQueryClient();
  const detailKey = queryKeys.runs.detail(flowName, runId);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) });
  const onChanged = (run: Run) => {
    queryClient.setQueryData(detailKey, run);
    void refresh();
  };

  const cancel = useMutation({
    mutationFn: (reason: string | undefined) =>
      api.runs.cancel(flowName, runId, reason === undefined ? {} : { reason }),
    onSuccess: onChanged,
  });
  const retry = useMutation({
    mutationFn: () => api.runs.retry(flowName, runId),
    onSuccess: onChanged,
  });
  // The original lists its replays, so its detail is refetched along with the lists.
  const replay = useMutation({
    mutationFn: (input: unknown) => api.runs.replay(flowName, runId, { input }),
    onSuccess: () => void refresh(),
  });
  // The run is gone: refetching its detail now would only answer 404 while the view closes.
  const remove = useMutation({
    mutationFn: () => api.runs.remove(flowName, runId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: detailKey, refetchType: 'none' });
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.lists(flowName) });
    },
  });

  return { cancel, retry, replay, remove };
}
