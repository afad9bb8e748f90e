import type { RunStatus } from '@flowdeck/types';

/**
 * Every react-query key the console uses, from one factory, so invalidation can target a
 * whole subtree (all of a flow's runs, all of its schedules) without guessing key shapes.
 */
export const queryKeys = {
  whoami: ['whoami'] as const,
  audit: (flowName: string | undefined, scheduleId: string | undefined) =>
    ['audit', flowName ?? '', scheduleId ?? ''] as const,
  flows: {
    all: ['flows'] as const,
    list: () => [...queryKeys.flows.all, 'list'] as const,
  },
  runs: {
    all: ['runs'] as const,
    ofFlow: (flowName: string) => [...queryKeys.runs.all, flowName] as const,
    /** Every status filter of the flow's runs list. */
    lists: (flowName: string) => [...queryKeys.runs.ofFlow(flowName), 'list'] as const,
    list: (flowName: string, status: RunStatus | undefined) =>
      [...queryKeys.runs.lists(flowName), status ?? 'any'] as const,
    detail: (flowName: string, runId: string) =>
      [...queryKeys.runs.ofFlow(flowName), 'detail', runId] as const,
  },
  schedules: {
    all: ['schedules'] as const,
    ofFlow: (flowName: string) => [...queryKeys.schedules.all, flowName] as const,
    list: (flowName: string) => [...queryKeys.schedules.ofFlow(flowName), 'list'] as const,
    detail: (flowName: string, id: string) =>
      [...queryKeys.schedules.ofFlow(flowName), 'detail', id] as const,
    preview: (flowName: string, body: unknown) =>
      [...queryKeys.schedules.ofFlow(flowName), 'preview', body] as const,
  },
};
