import { formatDateTime, formatRelative, formatUtc } from '../../lib/time.ts';
import { useNow } from '../../lib/use-now.ts';

/** "3 minutes ago", with the exact local time and UTC on hover. */
export function RelativeTime({ at, timeZone }: { at: number; timeZone?: string }) {
  const now = useNow();
  const exact = formatDateTime(at, timeZone);
  return (
    <time
      dateTime={new Date(at).toISOString()}
      title={`${exact}${timeZone ? ` (${timeZone})` : ''} · ${formatUtc(at)}`}
    >
      {formatRelative(at, now)}
    </time>
  );
}

/** An exact time in the operator's zone (or `timeZone`), with UTC on hover. */
export function ExactTime({ at, timeZone }: { at: number; timeZone?: string }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatUtc(at)}>
      {formatDateTime(at, timeZone)}
    </time>
  );
}
