/** Percentiles of a sample, nearest-rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface LagSummary {
  fires: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  missed: number;
  duplicates: number;
}

/**
 * Fires seen per schedule, as [scheduleKey, plannedMillis, observedMillis]. A planned
 * second inside the measured window that no fire covers is missed; a planned time seen
 * twice is a duplicate.
 */
export function summarise(
  fires: [string, number, number][],
  keys: string[],
  window: [number, number],
): LagSummary {
  const inWindow = fires.filter(([, planned]) => planned >= window[0] && planned < window[1]);
  const lags = inWindow.map(([, planned, seen]) => seen - planned).sort((a, b) => a - b);
  const seen = new Map<string, number>();
  for (const [key, planned] of inWindow)
    seen.set(`${key}@${planned}`, (seen.get(`${key}@${planned}`) ?? 0) + 1);
  const duplicates = [...seen.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
  let missed = 0;
  for (const key of keys) {
    for (let t = window[0]; t < window[1]; t += 1000) if (!seen.has(`${key}@${t}`)) missed++;
  }
  return {
    fires: inWindow.length,
    p50: percentile(lags, 50),
    p95: percentile(lags, 95),
    p99: percentile(lags, 99),
    max: lags.at(-1) ?? Number.NaN,
    missed,
    duplicates,
  };
}
