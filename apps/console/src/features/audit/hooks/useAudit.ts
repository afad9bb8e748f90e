import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

/** The audit trail, newest first, of one flow or schedule or of all; refreshed now and then. */
export function useAudit(flowName: string | undefined, scheduleId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.audit(flowName, scheduleId),
    queryFn: ({ signal }) => api.audit.list({ flowName, scheduleId, limit: 200 }, { signal }),
    refetchInterval: 5000,
  });
}
