import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

/** Whether the API needs a token and, with the tab's token, who that is and what it may do. */
export function useWhoami() {
  return useQuery({
    queryKey: queryKeys.whoami,
    queryFn: ({ signal }) => api.auth.whoami({ signal }),
    staleTime: 60_000,
    retry: false,
  });
}
