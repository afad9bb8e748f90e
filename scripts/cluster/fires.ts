// Counting fires: which planned (schedule, second) pairs got a run, which got two, which none.

import type { ApiClient } from './http.ts';

export interface RunSummary {
  id: string;
  flowName: string;
  status: string;
  createdAt: number;
  trigger: { type: string; scheduleId?: string; scheduledFor?: number };
}

/** A flow's runs created at or after `since`, newest first, read page by page. */
export async function runsSince(api: ApiClient, flow: string, since: number): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = (await api.get(
      `/api/_flows/${flow}/runs?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )) as { items: RunSummary[]; nextCursor: string | null };
    for (const run of page.items) if (run.createdAt >= since) runs.push(run);
    const oldest = page.items.at(-1);
    if (!page.nextCursor || !oldest || oldest.createdAt < since) return runs;
    cursor = page.nextCursor;
  }
}

export interface FireCount {
  /** Planned (schedule, second) pairs in the window. */
  expected: number;
  /** Pairs with at least one run. */
  fired: number;
  /** Runs beyond the first for a pair. */
  duplicates: number;
  missed: { scheduleId: string; at: number }[];
  /** Runs of those schedules in the window (one per fired pair, plus duplicates). */
  runs: RunSummary[];
}

/**
 * Every schedule in `scheduleIds` fires once per `periodMs` on the period's boundaries; in
 * [from, to) each boundary must have exactly one run.
 */
export function countFires(
  runs: RunSummary[],
  scheduleIds: Iterable<string>,
  from: number,
  to: number,
  periodMs = 1000,
): FireCount {
  const ids = new Set(scheduleIds);
  const seen = new Map<string, number>();
  const inWindow: RunSummary[] = [];
  for (const run of runs) {
    const { scheduleId, scheduledFor } = run.trigger;
    if (run.trigger.type !== 'schedule' || !scheduleId || !ids.has(scheduleId) || scheduledFor === undefined)
      continue;
    if (scheduledFor < from || scheduledFor >= to) continue;
    inWindow.push(run);
    const key = `${scheduleId}@${scheduledFor}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const missed: { scheduleId: string; at: number }[] = [];
  let expected = 0;
  const first = Math.ceil(from / periodMs) * periodMs;
  for (const id of ids) {
    for (let at = first; at < to; at += periodMs) {
      expected++;
      if (!seen.has(`${id}@${at}`)) missed.push({ scheduleId: id, at });
    }
  }
  let duplicates = 0;
  for (const count of seen.values()) duplicates += count - 1;
  return { expected, fired: seen.size, duplicates, missed, runs: inWindow };
}

export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}
