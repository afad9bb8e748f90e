import { formatDuration } from './duration.ts';

/** `2024-06-01 14:03:05` in the terminal's time zone. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `in 4m 10s` or `3m ago`. */
export function relative(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '-';
  const delta = ms - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** How long a run took, or has been running. */
export function elapsed(from: number | null, to: number | null, now = Date.now()): string {
  if (from === null) return '-';
  return formatDuration((to ?? now) - from);
}
