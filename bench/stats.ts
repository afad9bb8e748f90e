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
/** A lag run's raw figures: each fire as [scheduleKey, planned, observed], the keys, the measured window. */
export interface LagRun {
  fires: [string, number, number][];
  keys: string[];
  window: [number, number];
}

export function summarise({ fires, keys, window }: LagRun): LagSummary {
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

/** p99 lag of the fires planned in each of `parts` equal slices of the run's window, in order. */
export function p99BySlice({ fires, window }: LagRun, parts: number): number[] {
  const width = (window[1] - window[0]) / parts;
  return Array.from({ length: parts }, (_, i) => {
    const from = window[0] + i * width;
    const lags = fires
      .filter(([, planned]) => planned >= from && planned < from + width)
      .map(([, planned, seen]) => seen - planned)
      .sort((a, b) => a - b);
    return percentile(lags, 99);
  });
}
