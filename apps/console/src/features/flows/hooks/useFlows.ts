import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

/** The flows workers publish; refreshed now and then so a worker going away shows up. */
export function useFlows() {
  return useQuery({
    queryKey: queryKeys.flows.list(),
    queryFn: ({ signal }) => api.flows.list({ signal }),
    refetchInterval: 10_000,
  });
}

/**
 * One flow, out of the flows list the flows page already holds; undefined while it loads or
 * when no worker publishes the flow.
 */
export function useFlow(flowName: string) {
  const flows = useFlows();
  return { ...flows, flow: flows.data?.find((flow) => flow.name === flowName) };
}
