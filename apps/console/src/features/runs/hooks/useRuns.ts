import type { RunStatus, RunSummary } from '@flowdeck/types';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

const PAGE_SIZE = 20;
/** Runs change every second while they execute; a one-second poll keeps the list live. */
const LIVE_REFRESH_MS = 1000;

/** A flow's runs, newest first, live, optionally filtered by status, a page at a time. */
export function useRuns(flowName: string | undefined, status: RunStatus | undefined) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.runs.list(flowName ?? '', status),
    queryFn: ({ pageParam, signal }) =>
      api.runs.list(flowName ?? '', { limit: PAGE_SIZE, cursor: pageParam, status }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    enabled: Boolean(flowName),
    refetchInterval: LIVE_REFRESH_MS,
  });

  // Pages are refetched in turn while new runs arrive, so one run can briefly sit on two pages.
  const runs = useMemo(() => {
    const seen = new Set<string>();
    const unique: RunSummary[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const run of page.items) {
        if (seen.has(run.id)) continue;
        seen.add(run.id);
        unique.push(run);
      }
    }
    return unique;
  }, [query.data]);

  return { ...query, runs };
}

/** Starts a run of the flow with `input`; the runs list refreshes at once. */
export function useStartFlow(flowName: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (args: { input: unknown; idempotencyKey: string }) =>
      api.flows.start(flowName, args.input, { idempotencyKey: args.idempotencyKey, trigger: 'manual' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) }),
  });
}
