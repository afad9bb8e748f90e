import { formatDuration } from '@flowdeck/types/schedule-text';

/** The time zone of this computer (`TZ` when set), e.g. `Europe/Paris`. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function partsOf(ms: number, timeZone: string | undefined) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  const offset = (parts.timeZoneName ?? 'GMT').slice('GMT'.length) || '+00:00';
  return {
    time: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`,
    offset,
  };
}

/** `2024-06-01 14:03:05` in `timeZone`, the terminal's by default. */
export function formatTime(ms: number | null | undefined, timeZone?: string): string {
  if (ms === null || ms === undefined) return '-';
  return partsOf(ms, timeZone).time;
}

/** `2024-06-01 02:00:00 +02:00`: the time in `timeZone` and that zone's UTC offset then. */
export function formatZonedTime(ms: number, timeZone: string): string {
  const { time, offset } = partsOf(ms, timeZone);
  return `${time} ${offset}`;
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
