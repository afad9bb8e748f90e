import { formatDateTime, formatInOtherZone, formatRelative, formatUtc } from '../../lib/time.ts';
import { useNow } from '../../lib/use-now.ts';

/** The hover text of a time: exact, zone named, in the schedule's zone too where it differs, and UTC. */
function exactTitle(at: number, timeZone?: string): string {
  const other = formatInOtherZone(at, timeZone);
  return [formatDateTime(at), other, formatUtc(at)].filter(Boolean).join(' · ');
}

/** "3 minutes ago", with the exact time (the operator's zone, and `timeZone`'s) and UTC on hover. */
export function RelativeTime({ at, timeZone }: { at: number; timeZone?: string }) {
  const now = useNow();
  return (
    <time dateTime={new Date(at).toISOString()} title={exactTitle(at, timeZone)}>
      {formatRelative(at, now)}
    </time>
  );
}

/**
 * An exact time in the operator's zone, named ("6 Dec 2026, 02:00:00 CET"), followed by the same
 * moment in `timeZone` (a schedule's zone) when that clock reads differently; UTC on hover.
 */
export function ExactTime({ at, timeZone }: { at: number; timeZone?: string }) {
  const other = formatInOtherZone(at, timeZone);
  return (
    <>
      <time dateTime={new Date(at).toISOString()} title={formatUtc(at)}>
        {formatDateTime(at)}
      </time>
      {other ? <span className="muted other-zone"> ({other})</span> : null}
    </>
  );
}
