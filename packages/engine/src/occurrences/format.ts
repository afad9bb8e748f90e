import type { Occurrence, OccurrenceOutcome } from '@flowdeck/types';

/**
 * How a schedule's history stores one fire: as a member of its occurrence index (a sorted set
 * scored by planned time) that holds the whole occurrence,
 *
 *   "<scheduledFor>|<firedAt − scheduledFor>|<outcome>|<m if manual>|<error>|<runId>"
 *
 * about 150 bytes of Redis per fire (a schedule keeps 1,000 fires by default). The run id comes
 * last because only the script that creates the run knows it and appends it; an error may hold
 * '|', so the error is what lies between the fourth '|' and the last.
 */

/** The member without its run id (which the recording script appends, '' for none). */
export function occurrenceMemberPrefix(occurrence: Omit<Occurrence, 'runId'>): string {
  const { scheduledFor, firedAt, outcome, manual, error } = occurrence;
  return `${scheduledFor}|${firedAt - scheduledFor}|${outcome}|${manual ? 'm' : ''}|${error ?? ''}|`;
}

/** The planned time a member is scored by. */
export const plannedTimeOf = (member: string) => Number(member.split('|', 1)[0]);

/** The occurrence a member holds; undefined for a member that is not one. */
export function decodeOccurrence(member: string): Occurrence | undefined {
  const parts = member.split('|');
  if (parts.length < 6) return undefined;
  const [at, delay, outcome, flags] = parts;
  const runId = parts.at(-1);
  const error = parts.slice(4, -1).join('|');
  return {
    scheduledFor: Number(at),
    firedAt: Number(at) + Number(delay),
    outcome: outcome as OccurrenceOutcome,
    ...(runId ? { runId } : {}),
    ...(flags === 'm' ? { manual: true } : {}),
    ...(error ? { error } : {}),
  };
}
