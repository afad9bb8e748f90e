import type { CreateScheduleRequest, Schedule, UpdateScheduleRequest } from '@flowdeck/types';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

/** Next-run times and run counts move on their own, so the list refreshes every few seconds. */
const REFRESH_MS = 3000;

/** The selected flow's schedules. The key holds the flow, so switching flows never shows stale rows. */
export function useSchedules(flowName: string | undefined) {
  return useQuery({
    queryKey: queryKeys.schedules.list(flowName ?? ''),
    queryFn: ({ signal }) => api.schedules.list(flowName ?? '', { signal }),
    enabled: Boolean(flowName),
    refetchInterval: REFRESH_MS,
  });
}

/**
 * One schedule with its upcoming fire times and its occurrences, newest first; older
 * occurrences load a page at a time.
 */
export function useSchedule(flowName: string, id: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.schedules.detail(flowName, id),
    queryFn: ({ pageParam, signal }) => api.schedules.get(flowName, id, { cursor: pageParam, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.recent.nextCursor ?? undefined,
    refetchInterval: REFRESH_MS,
  });
  const pages = query.data?.pages ?? [];
  const first = pages[0];
  const occurrences = pages.flatMap((page) => page.recent.items);
  return { ...query, schedule: first, occurrences };
}

/**
 * Create, edit, pause, resume, fire and delete a flow's schedules. Each keeps the cached
 * list in step with the server's answer at once, then refetches to be sure.
 */
export function useScheduleActions(flowName: string) {
  const queryClient = useQueryClient();
  const listKey = queryKeys.schedules.list(flowName);

  const upsertInList = (schedule: Schedule) => {
    queryClient.setQueryData<Schedule[]>(listKey, (current) => {
      if (!current) return [schedule];
      const index = current.findIndex((item) => item.id === schedule.id);
      if (index === -1) return [...current, schedule];
      return current.map((item) => (item.id === schedule.id ? schedule : item));
    });
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.schedules.ofFlow(flowName) });
  const onChanged = (schedule: Schedule) => {
    upsertInList(schedule);
    void refresh();
  };

  const create = useMutation({
    mutationFn: (body: CreateScheduleRequest) => api.schedules.create(flowName, body),
    onSuccess: onChanged,
  });
  const update = useMutation({
    mutationFn: (args: { id: string; body: UpdateScheduleRequest; version?: number }) =>
      api.schedules.update(flowName, args.id, args.body, { ifMatch: args.version }),
    onSuccess: onChanged,
  });
  const pause = useMutation({
    mutationFn: (args: { id: string; reason?: string }) =>
      api.schedules.pause(flowName, args.id, { reason: args.reason }),
    onSuccess: onChanged,
  });
  const resume = useMutation({
    mutationFn: (id: string) => api.schedules.resume(flowName, id),
    onSuccess: onChanged,
  });
  // The fire is queued, not started: the run shows up through the lists' polling once a
  // worker takes it; refetching now shows the schedule's new occurrence at once.
  const trigger = useMutation({
    mutationFn: (id: string) => api.schedules.trigger(flowName, id),
    onSuccess: () => {
      void refresh();
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.ofFlow(flowName) });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.schedules.remove(flowName, id),
    onSuccess: (_response, id) => {
      queryClient.setQueryData<Schedule[]>(listKey, (current) => current?.filter((item) => item.id !== id));
      queryClient.removeQueries({ queryKey: queryKeys.schedules.detail(flowName, id) });
      void refresh();
    },
  });

  return { create, update, pause, resume, trigger, remove };
}
